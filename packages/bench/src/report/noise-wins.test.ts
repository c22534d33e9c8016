import "reflect-metadata";
import { beforeAll, describe, expect, it } from "vitest";
import type { SampleStats } from "../probe/stats.js";
import type { CellResult } from "../runner/cell.js";
import type { BenchResults } from "../runner/results.js";
import { sampleResults } from "../test-support/sample-results.js";
import { wins, winnersText } from "./analysis.js";
import { leadWithinNoise } from "./noise-wins.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";

let r: BenchResults;
beforeAll(async () => {
  r = await sampleResults();
}, 120_000);

/** Timings of `samples` samples over [min, max]. */
function stats(min: number, max: number, samples = 5): SampleStats {
  const median = (min + max) / 2;
  return { samples, mean: median, rme: 0, median, p75: median, p99: max, min, max };
}

/** `r` with each gup-throughput cell's main series timed as `timing[policy]` (pin, then release). */
function timed(timing: Readonly<Record<string, readonly [SampleStats, SampleStats]>>): BenchResults {
  return {
    ...r,
    cells: r.cells.map((c): CellResult => {
      const t = timing[c.policy];
      if (c.workload !== "gup-throughput" || t === undefined) return c;
      return { ...c, series: c.series.map((s) => (s.id === "main" ? { ...s, pin: t[0], release: t[1], wallNsPerPage: { pin: t[0].median, release: t[1].median } } : s)) };
    }),
  };
}

const WALL = "cheapest pin + unpin, wall clock";
const wall = (x: BenchResults) => wins(x).find((w) => w.what.startsWith(WALL))!;

describe("who wins on wall clock, inside the noise", () => {
  it("names one winner when the leader's interval is apart from every other", () => {
    const w = wall(timed({ "fake-get": [stats(10, 12), stats(5, 6)], "fake-bias": [stats(30, 34), stats(10, 12)], "test-exact": [stats(40, 44), stats(10, 12)] }));
    expect(w.winners).toEqual(["fake-get"]);
    expect(w.tie).toBe(false);
    expect(w.detail).toContain("fake-get 16.5 ns/page [15.0..18.0]");
    expect(winnersText(w)).toBe("fake-get");
  });

  it("says tie when the leaders' intervals overlap, though the medians differ by 1.6%", () => {
    // 100 against 101.6 ns/page: the leader by the medians, but each interval reaches into the other.
    const x = timed({ "fake-get": [stats(70, 110), stats(10, 10)], "fake-bias": [stats(71.6, 111.6), stats(10, 10)], "test-exact": [stats(300, 320), stats(10, 12)] });
    const w = wall(x);
    expect(w.winners).toEqual(["fake-get", "fake-bias"]);
    expect(w.tie).toBe(true);
    expect(w.detail).toMatch(/a tie: the leader's interval overlaps theirs \(inside the noise\)$/);
    expect(winnersText(w)).toBe("tie: fake-get, fake-bias");
    expect(renderMarkdown(x)).toContain("**tie: fake-get, fake-bias**");
    expect(renderHtml(x)).toContain("tie: fake-get, fake-bias");
  });

  it("ties a contender whose figure has too few samples for an interval", () => {
    expect(leadWithinNoise([{ who: "a", value: 1, interval: { median: 1, low: 0.9, high: 1.1, n: 5, from: "samples" } }, { who: "b", value: 2 }])).toEqual({ winners: ["a", "b"], tie: true });
    expect(leadWithinNoise([{ who: "a", value: 1 }])).toEqual({ winners: ["a"], tie: false });
    expect(leadWithinNoise([])).toBeUndefined();
  });
});
