import { describe, expect, it } from "vitest";
import { lowerMedian, spreadOf } from "./spread.js";
import { replicateSeed, cellSeed } from "./seed.js";

describe("spread over seeds", () => {
  it("takes the median, the lower middle value for an even count", () => {
    expect(lowerMedian([3, 1, 2])).toBe(2);
    expect(lowerMedian([4, 1, 3, 2])).toBe(2);
    expect(lowerMedian([7])).toBe(7);
    expect(lowerMedian([])).toBeNaN();
  });

  it("gives min and max, and no interval below 3 seeds", () => {
    expect(spreadOf([])).toBeUndefined();
    expect(spreadOf([5])).toEqual({ n: 1, median: 5, min: 5, max: 5 });
    expect(spreadOf([12, 10])).toEqual({ n: 2, median: 10, min: 10, max: 12 });
  });

  it("gives the 95% interval of the mean (Student's t) from 3 seeds", () => {
    // mean 11, s = 1, t(0.975, 2) = 4.303: 11 ± 4.303/√3 = 11 ± 2.4843.
    const s = spreadOf([10, 11, 12])!;
    expect(s).toMatchObject({ n: 3, median: 11, min: 10, max: 12 });
    expect(s.ci95![0]).toBeCloseTo(8.5157, 3);
    expect(s.ci95![1]).toBeCloseTo(13.4843, 3);
    // mean 3, s = √(10/4) = 1.5811, t(0.975, 4) = 2.776: 3 ± 1.9629.
    const five = spreadOf([5, 1, 4, 2, 3])!;
    expect(five.ci95![0]).toBeCloseTo(1.0371, 3);
    expect(five.ci95![1]).toBeCloseTo(4.9629, 3);
    expect(spreadOf([7, 7, 7])!.ci95).toEqual([7, 7]);
  });

  it("clips the interval to the metric's range", () => {
    expect(spreadOf([0, 0, 3])!.ci95![0]).toBe(0);
    expect(spreadOf([0.9, 1, 1], 1)!.ci95![1]).toBe(1);
  });
});

describe("replicate seeds", () => {
  it("gives replicate 0 the cell's own seed and the others seeds of their own, from the run seed and cell id", () => {
    expect(replicateSeed(1, "a/b/c", 0)).toBe(cellSeed(1, "a/b/c"));
    const seeds = [0, 1, 2, 3].map((r) => replicateSeed(1, "a/b/c", r));
    expect(new Set(seeds).size).toBe(4);
    expect(replicateSeed(1, "a/b/c", 2)).toBe(cellSeed(1, "a/b/c#2"));
    expect(replicateSeed(2, "a/b/c", 1)).not.toBe(replicateSeed(1, "a/b/c", 1));
    expect(replicateSeed(1, "a/b/d", 1)).not.toBe(replicateSeed(1, "a/b/c", 1));
    for (const s of seeds) expect(s).toBeGreaterThanOrEqual(0);
  });
});
