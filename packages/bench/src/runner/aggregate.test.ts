import { describe, expect, it } from "vitest";
import { emptySimCounts, priceSimCounts } from "../cost-model/sim-ledger.js";
import type { SampleStats } from "../probe/stats.js";
import { aggregateReplicates, combineStats, medianCurves } from "./aggregate.js";
import type { CellResult } from "./cell.js";

const stats = (median: number, samples = 2): SampleStats => ({ samples, mean: median + 1, rme: 10, median, p75: median + 2, p99: median + 3, min: median - 1, max: median + 5 });

/** One seed's result of cell `w/v/p` with the given figures. */
function run(seed: number, f: { pin: number; release: number | null; sim: number; fp: number | null; undetected: number; refused?: number; curve?: number; error?: string }): CellResult {
  return {
    id: "w/v/p", workload: "w", variant: "v", device: "none", policy: "p", seed, size: "tiny", params: { pages: 4 }, policyOptions: {},
    metrics: {
      hazards: { cow_divergence: { prevented: 0, detected: 0, undetected: f.undetected } },
      falsePositiveRate: f.fp, falseNegativeRate: 0,
      audit: { asked: 4, pinned: 2, unpinned: 2, falsePositives: f.fp === null ? 0 : Math.round(f.fp * 2), falseNegatives: 0 },
      refused: f.refused !== undefined ? { EPERM: f.refused } : {}, refusedBy: f.refused !== undefined ? { reg_mr: { EPERM: f.refused } } : {},
      accountingBytes: 64, accountingBytesPerFrame: 0.5, simNsPerPage: f.sim, simSplit: { pin: f.sim - 10, release: 10 }, sim: priceSimCounts(emptySimCounts()),
      wallNsPerPage: { pin: f.pin, release: f.release },
    },
    series: [{ id: "main", wallNsPerPage: { pin: f.pin, release: f.release }, pin: stats(f.pin), release: f.release === null ? null : stats(f.release), simNsPerPage: f.sim, simSplit: { pin: f.sim - 10, release: 10 }, pages: 4 }],
    curves: f.curve === undefined ? [] : [{ curve: "fp", x: 1, values: { rate: f.curve } }],
    counters: { lost: f.undetected },
    deterministic: true,
    durationMs: 100,
    ...(f.error !== undefined ? { error: f.error } : {}),
  };
}

describe("a cell's seeds made into one result", () => {
  const runs = [
    run(11, { pin: 30, release: 12, sim: 50, fp: 0.5, undetected: 8, curve: 0.5 }),
    run(12, { pin: 10, release: 14, sim: 50, fp: 0, undetected: 6, refused: 1, curve: 0 }),
    run(13, { pin: 20, release: null, sim: 50, fp: 1, undetected: 9, curve: 1 }),
  ];
  const cell = aggregateReplicates(runs);

  it("reports the median of each metric over seeds", () => {
    expect(cell.metrics.wallNsPerPage).toEqual({ pin: 20, release: 12 });
    expect(cell.metrics.simNsPerPage).toBe(50);
    expect(cell.metrics.falsePositiveRate).toBe(0.5);
    expect(cell.metrics.hazards).toEqual({ cow_divergence: { prevented: 0, detected: 0, undetected: 8 } });
    // Refused in one seed of three: the median is 0, and the key stays (its spread shows the 1).
    expect(cell.metrics.refused).toEqual({ EPERM: 0 });
    expect(cell.metrics.refusedBy).toEqual({ reg_mr: { EPERM: 0 } });
    expect(cell.counters).toEqual({ lost: 8 });
    expect(cell.curves).toEqual([{ curve: "fp", x: 1, values: { rate: 0.5 } }]);
  });

  it("keeps the spec, seed (replicate 0's), parameters and options, sums the time, and keeps every seed's own result", () => {
    expect(cell).toMatchObject({ id: "w/v/p", seed: 11, size: "tiny", params: { pages: 4 }, durationMs: 300, deterministic: true });
    expect(cell.error).toBeUndefined();
    expect(cell.replicates!.map((r) => r.seed)).toEqual([11, 12, 13]);
    expect(cell.replicates![1].metrics).toEqual(runs[1].metrics);
    expect(cell.replicates![1]).not.toHaveProperty("id");
  });

  it("gives the spread of each metric: median, min, max and a 95% interval", () => {
    const s = cell.spread!;
    expect(s["wallNsPerPage.pin"]).toMatchObject({ n: 3, median: 20, min: 10, max: 30 });
    // mean 20, s = 10: 20 ± 4.303 x 10/√3 = 20 ± 24.84, clipped at 0.
    expect(s["wallNsPerPage.pin"].ci95![0]).toBe(0);
    expect(s["wallNsPerPage.pin"].ci95![1]).toBeCloseTo(20 + 4.303 * 10 / Math.sqrt(3), 6);
    expect(s["wallNsPerPage.release"]).toEqual({ n: 2, median: 12, min: 12, max: 14 });
    expect(s.falsePositiveRate).toMatchObject({ n: 3, median: 0.5, min: 0, max: 1 });
    expect(s.falsePositiveRate.ci95![1]).toBe(1);
    expect(s["hazards.cow_divergence.undetected"]).toMatchObject({ median: 8, min: 6, max: 9 });
    expect(s["refused.EPERM"]).toMatchObject({ median: 0, min: 0, max: 1 });
    expect(s.simNsPerPage).toEqual({ n: 3, median: 50, min: 50, max: 50, ci95: [50, 50] });
    expect(Object.keys(s)).toEqual(["wallNsPerPage.pin", "wallNsPerPage.release", "simNsPerPage", "simSplit.pin", "simSplit.release", "falsePositiveRate", "falseNegativeRate", "accountingBytes",
      "hazards.cow_divergence.prevented", "hazards.cow_divergence.detected", "hazards.cow_divergence.undetected", "refused.EPERM"]);
  });

  it("combines the seeds' sample statistics: samples summed, min and max over all, the rest medians", () => {
    expect(cell.series[0].pin).toEqual({ samples: 6, mean: 21, rme: 10, median: 20, p75: 22, p99: 23, min: 9, max: 35 });
    expect(cell.series[0].release).toMatchObject({ samples: 4, median: 12 });
    expect(cell.series[0].wallNsPerPage).toEqual(cell.metrics.wallNsPerPage);
    expect(combineStats([null, null])).toBeNull();
  });

  it("takes medians over the seeds that did not fail, and reports the first failure", () => {
    const failed = aggregateReplicates([runs[0], run(14, { pin: 1, release: 1, sim: 1, fp: null, undetected: 0, error: "Error: boom" }), runs[1]]);
    expect(failed.error).toBe("seed 14 (replicate 1 of 3): Error: boom");
    expect(failed.metrics.wallNsPerPage.pin).toBe(10);
    expect(failed.replicates![1].error).toBe("Error: boom");
    expect(failed.spread!["wallNsPerPage.pin"].n).toBe(2);
  });

  it("takes curve points by curve and x, each value over the seeds that have it", () => {
    expect(medianCurves([[{ curve: "c", x: 1, values: { a: 1 } }], [{ curve: "c", x: 1, values: { a: 3, b: 2 } }, { curve: "c", x: 2, values: { a: 5 } }], [{ curve: "c", x: 1, values: { a: 2 } }]]))
      .toEqual([{ curve: "c", x: 1, values: { a: 2, b: 2 } }, { curve: "c", x: 2, values: { a: 5 } }]);
  });
});
