import { describe, expect, it } from "vitest";
import { apartBeyondRunNoise, type TimeInterval } from "./time-interval.js";

const iv = (low: number, high: number, from: TimeInterval["from"] = "samples"): TimeInterval => ({ median: (low + high) / 2, low, high, n: 5, from });

describe("apartBeyondRunNoise", () => {
  it("is false for the run-to-run noise of default runs of the same code (sample ranges apart by less than the wider's width)", () => {
    // Pairs of cells measured on this VM with nothing changed between the runs.
    expect(apartBeyondRunNoise(iv(1127.6, 3187.5), iv(479.6, 864.8))).toBe(false);
    expect(apartBeyondRunNoise(iv(166.5, 361.5), iv(407.1, 1499.0))).toBe(false);
    expect(apartBeyondRunNoise(iv(361.3, 723.2), iv(147.7, 180.6))).toBe(false);
    expect(apartBeyondRunNoise(iv(4145.3, 5541.4), iv(1890.5, 2810.7))).toBe(false);
  });

  it("is true for a steady cell twice as slow, either way round", () => {
    expect(apartBeyondRunNoise(iv(100, 110), iv(200, 220))).toBe(true);
    expect(apartBeyondRunNoise(iv(200, 220), iv(100, 110))).toBe(true);
  });

  it("is false for overlapping intervals, and true for disjoint intervals over seeds (they hold the run-to-run noise)", () => {
    expect(apartBeyondRunNoise(iv(100, 150), iv(140, 300))).toBe(false);
    expect(apartBeyondRunNoise(iv(100, 200, "seeds"), iv(210, 400, "seeds"))).toBe(true);
    expect(apartBeyondRunNoise(iv(100, 200, "seeds"), iv(210, 400, "samples"))).toBe(false);
  });
});
