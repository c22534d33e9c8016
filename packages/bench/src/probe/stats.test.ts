import { describe, expect, it } from "vitest";
import { quantile, summarize, tCritical } from "./stats.js";

describe("summarize", () => {
  it("gives tinybench's statistics: mean ± rme (95%, Student's t), median, p75, p99, min, max", () => {
    const s = summarize([10, 12, 11, 13, 9])!;
    expect(s.samples).toBe(5);
    expect(s.mean).toBe(11);
    expect(s.median).toBe(11);
    expect(s.min).toBe(9);
    expect(s.max).toBe(13);
    expect(s.p75).toBe(12);
    expect(s.p99).toBeCloseTo(12.96, 10);
    // sd = sqrt(2.5), sem = sd / sqrt(5), t(4) = 2.776
    expect(s.rme).toBeCloseTo((2.776 * Math.sqrt(2.5 / 5) * 100) / 11, 10);
  });

  it("has no margin for one sample and nothing for none", () => {
    expect(summarize([7])).toMatchObject({ samples: 1, mean: 7, rme: 0, median: 7, p99: 7 });
    expect(summarize([])).toBeUndefined();
  });

  it("interpolates quantiles and falls back to 1.96 past the t table", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(tCritical(1)).toBe(12.706);
    expect(tCritical(30)).toBe(2.042);
    expect(tCritical(100)).toBe(1.96);
  });
});
