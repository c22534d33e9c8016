import { describe, expect, it } from "vitest";
import type { CellResult, SeriesResult } from "./cell.js";
import { gupGoals, matrixGoal, scalingGoal } from "./speed-goals.js";

const stats = (median: number) => ({ samples: 5, mean: median, rme: 1, median, p75: median, p99: median, min: median, max: median });
const series = (id: string, pin: number, release: number): SeriesResult => ({
  id, wallNsPerPage: { pin, release }, pin: stats(pin), release: stats(release), simNsPerPage: null, simSplit: { pin: null, release: null }, pages: 1,
});
const cell = (memory: number, s: SeriesResult[]): CellResult => ({
  id: "gup-throughput/anon/pin-bias", workload: "gup-throughput", variant: "anon", device: "none", policy: "pin-bias", seed: 1, size: "small",
  params: { memory, batch: 512 }, policyOptions: {}, series: s, curves: [], counters: {}, deterministic: true, durationMs: 1,
  metrics: {} as CellResult["metrics"],
});

describe("speed goals", () => {
  it("judge the pin-bias gup-throughput cell at 1 GiB and batch 512, and report the ratio to the bare loop", () => {
    const g = gupGoals([cell(1024 ** 3, [series("main", 40, 16), series("bare-loop", 2, 2), series("thp-fast-pin", 4, 6)])]);
    expect(g.map((x) => [x.id, x.measured, x.pass])).toEqual([
      ["gup-pin-ns", 40, true], ["gup-unpin-ns", 16, false], ["gup-huge-pin-ns", 4, true], ["gup-huge-unpin-ns", 6, false],
      ["gup-pin-vs-bare", 20, null], ["gup-unpin-vs-bare", 8, null],
    ]);
    expect(gupGoals([cell(1024 ** 3, [series("main", 40, 16)])], { load: 6, cores: 2 })[0].note).toMatch(/load average 6\.0 on 2 cores/);
  });

  it("do not judge a smaller run or a run without the cell", () => {
    for (const g of [...gupGoals([cell(8 * 1024 ** 2, [series("main", 40, 16)])]), ...gupGoals([])]) {
      expect(g.pass).toBeNull();
      expect(g.measured).toBeNull();
    }
  });

  it("time the default matrix with 2 workers only, and the speed-up from timed runs with 1 and 2", () => {
    expect(matrixGoal({ durationMs: 30_000, workers: 2, isDefaultMatrix: true })).toMatchObject({ measured: 30, pass: true });
    expect(matrixGoal({ durationMs: 70_000, workers: 2, isDefaultMatrix: true }).pass).toBe(false);
    expect(matrixGoal({ durationMs: 30_000, workers: 1, isDefaultMatrix: true }).pass).toBeNull();
    expect(matrixGoal({ durationMs: 1_500, workers: 2, isDefaultMatrix: false, mergedParts: 2 })).toMatchObject({ measured: null, pass: null, note: "not measured: merged from 2 parts, timed separately (the goal is one unsharded run)" });
    expect(scalingGoal(null).pass).toBeNull();
    const s = scalingGoal([{ workers: 1, durationMs: 10_000, cellMs: 9_000 }, { workers: 2, durationMs: 6_000, cellMs: 11_000, load: 5 }]);
    expect(s.measured).toBeCloseTo(10 / 6, 10);
    expect(s.pass).toBe(true);
    expect(s.note).toMatch(/1\.83 cells ran at once on average, each 1\.22x as long as alone \(load average 5\.0\)/);
  });
});
