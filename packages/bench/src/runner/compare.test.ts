import "reflect-metadata";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleResults } from "../test-support/sample-results.js";
import { BenchInputError } from "./bench-input-error.js";
import type { SampleStats } from "../probe/stats.js";
import type { CellMetrics, CellResult } from "./cell.js";
import { compareResults, ratioText, type CompareReport } from "./compare.js";
import { DEFAULT_FAIL_ON, failedKinds, parseFailOn } from "./compare-gate.js";
import { readResults } from "./read-results.js";
import type { BenchResults } from "./results.js";

let base: BenchResults;
const dir = mkdtempSync(join(tmpdir(), "pinlab-compare-"));
beforeAll(async () => {
  base = await sampleResults();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sample statistics of `samples` timings spread evenly over [min, max], median in the middle. */
function stats(min: number, max: number, samples = 5): SampleStats {
  const median = (min + max) / 2;
  return { samples, mean: median, rme: 0, median, p75: median, p99: max, min, max };
}

/** `r` with cell `id`'s main-series grab window timed as `pin` (and its metric the median). */
function timed(r: BenchResults, id: string, pin: SampleStats): BenchResults {
  return {
    ...r,
    cells: r.cells.map((c): CellResult => (c.id !== id ? c : {
      ...c,
      series: c.series.map((s) => (s.id === "main" ? { ...s, pin, wallNsPerPage: { ...s.wallNsPerPage, pin: pin.median } } : s)),
      metrics: { ...c.metrics, wallNsPerPage: { ...c.metrics.wallNsPerPage, pin: pin.median } },
    })),
  };
}

/** `r` with cell `id`'s metrics edited. */
function edited(r: BenchResults, id: string, edit: (m: CellMetrics) => CellMetrics): BenchResults {
  return { ...r, cells: r.cells.map((c) => (c.id === id ? { ...c, metrics: edit(c.metrics) } : c)) };
}

const ID = "dio-writeback-race/block-layer/fake-bias";
const pinOf = (r: CompareReport) => r.comparisons.find((c) => c.cell === ID && c.metric === "pin")!;

describe("bench compare", () => {
  it("says N.NN x slower or faster than baseline", () => {
    expect(ratioText(1.234)).toBe("1.23 x slower than baseline");
    expect(ratioText(0.5)).toBe("2.00 x faster than baseline");
    expect(ratioText(1.001)).toBe("same as baseline");
  });

  it("calls overlapping intervals no change, however far apart the medians", () => {
    // 100 then 150 ns/page: 1.5 x slower by the medians, but each run's samples reach into the other's.
    const r = compareResults(timed(base, ID, stats(80, 120)), timed(base, ID, stats(110, 190)), 0.1);
    expect(pinOf(r)).toMatchObject({ verdict: "no change", ratio: 1.5, text: "1.50 x slower than baseline", baseInterval: [80, 120], currentInterval: [110, 190], n: [5, 5], from: "samples" });
    expect(r.changed).not.toContain("time");
    expect(failedKinds(r, ["time"])).toEqual([]);
  });

  it("reports a change when the intervals are apart, and fails on it only under --fail-on time", () => {
    const r = compareResults(timed(base, ID, stats(90, 110)), timed(base, ID, stats(140, 160)), 0.1);
    expect(pinOf(r)).toMatchObject({ verdict: "slower", ratio: 1.5, text: "1.50 x slower than baseline" });
    expect(r.verdicts.slower).toBe(1);
    expect(r.changed).toContain("time");
    expect(failedKinds(r, ["time"])).toEqual(["time"]);
    expect(failedKinds(r, DEFAULT_FAIL_ON)).toEqual([]);
    const faster = compareResults(timed(base, ID, stats(140, 160)), timed(base, ID, stats(90, 110)), 0.1);
    expect(pinOf(faster).verdict).toBe("faster");
    // Faster is a change, not a failure.
    expect(failedKinds(faster, ["time"])).toEqual([]);
  });

  it("takes the widest of the samples' range and the interval of their mean", () => {
    // The ranges are apart, but the first run's mean is only known to ±50%: no change.
    const wide = { ...stats(90, 110), rme: 50 };
    expect(pinOf(compareResults(timed(base, ID, wide), timed(base, ID, stats(140, 160)), 0.1)).verdict).toBe("no change");
  });

  it("calls intervals apart by less than the tolerance no change", () => {
    expect(pinOf(compareResults(timed(base, ID, stats(99, 100)), timed(base, ID, stats(104, 105)), 0.1)).verdict).toBe("no change");
    expect(pinOf(compareResults(timed(base, ID, stats(99, 100)), timed(base, ID, stats(104, 105)), 0.01)).verdict).toBe("slower");
  });

  it("judges nothing on fewer than 3 samples: too few samples, however far apart", () => {
    const r = compareResults(timed(base, ID, stats(10, 11, 2)), timed(base, ID, stats(100, 110, 2)), 0.1);
    expect(pinOf(r)).toMatchObject({ verdict: "too few samples", baseInterval: null, currentInterval: null, n: [2, 2] });
    expect(r.changed).toEqual([]);
  });

  it("with --seeds, judges by the spread over seeds", () => {
    const seeded = (min: number, max: number, n = 3): BenchResults => ({
      ...base, cells: base.cells.map((c) => (c.id === ID ? { ...c, spread: { "wallNsPerPage.pin": { n, median: (min + max) / 2, min, max } } } : c)),
    });
    expect(pinOf(compareResults(seeded(90, 110), seeded(140, 160), 0.1))).toMatchObject({ verdict: "slower", from: "seeds", n: [3, 3] });
    expect(pinOf(compareResults(seeded(90, 150), seeded(140, 160), 0.1))).toMatchObject({ verdict: "no change", from: "seeds" });
  });

  it("compares the same run to itself as no change at all", () => {
    const r = compareResults(base, base, 0);
    expect(r.changed).toEqual([]);
    expect(r.exact).toEqual([]);
    expect(r.verdicts.slower + r.verdicts.faster).toBe(0);
  });

  it("reports any hazard count that differs, with before and after, and fails on it under --fail-on hazards", () => {
    const cell = base.cells.find((c) => c.id === ID)!;
    const before = cell.metrics.hazards.dma_after_clean?.detected ?? 0;
    const r = compareResults(base, edited(base, ID, (m) => ({ ...m, hazards: { ...m.hazards, dma_after_clean: { undetected: 0, prevented: 0, ...m.hazards.dma_after_clean, detected: before + 1 } } })), 0.1);
    expect(r.exact).toContainEqual({ cell: ID, kind: "hazards", what: "dma_after_clean.detected", base: before, current: before + 1 });
    expect(r.changed).toEqual(["hazards"]);
    expect(failedKinds(r, ["hazards"])).toEqual(["hazards"]);
    expect(failedKinds(r, DEFAULT_FAIL_ON)).toEqual(["hazards"]);
    expect(failedKinds(r, ["time", "refusals"])).toEqual([]);
    expect(failedKinds(r, [])).toEqual([]);
  });

  it("reports refusals by errno and false positives exactly, a class or errno one side lacks as 0", () => {
    const r = compareResults(base, edited(base, ID, (m) => ({ ...m, refused: { ...m.refused, EFAULT: 3 }, audit: { ...m.audit, falsePositives: m.audit.falsePositives + 2 } })), 0.1);
    const fp = base.cells.find((c) => c.id === ID)!.metrics.audit.falsePositives;
    expect(r.exact.filter((e) => e.kind !== "hazards")).toEqual([
      { cell: ID, kind: "refusals", what: "EFAULT", base: 0, current: 3 },
      { cell: ID, kind: "false-positives", what: "falsePositives", base: fp, current: fp + 2 },
    ]);
    expect(failedKinds(r, DEFAULT_FAIL_ON)).toEqual(["refusals", "false-positives"]);
  });

  it("lists cells on one side only", () => {
    const fewer = { ...base, cells: base.cells.slice(1) };
    expect(compareResults(base, fewer, 0.1).onlyInBase).toEqual([base.cells[0].id]);
  });

  it("parses --fail-on: the default, none, a list, and names the flag for a bad value", () => {
    expect(parseFailOn(undefined)).toEqual(["hazards", "refusals", "false-positives"]);
    expect(parseFailOn("none")).toEqual([]);
    expect(parseFailOn("time, hazards,time")).toEqual(["time", "hazards"]);
    expect(() => parseFailOn("time,speed")).toThrow(BenchInputError);
    expect(() => parseFailOn("time,speed")).toThrow('--fail-on: unknown "speed"; give a comma-separated list of time, hazards, refusals, false-positives, other, or none');
    expect(() => parseFailOn(",")).toThrow("--fail-on: no value");
  });

  it("refuses runs that share no cell id, listing a few ids of each", () => {
    const left = { ...base, cells: base.cells.slice(0, 5) };
    const right = { ...base, cells: base.cells.slice(5) };
    expect(() => compareResults(left, right, 0.1, { names: ["a.json", "b.json"] })).toThrow(BenchInputError);
    expect(() => compareResults(left, right, 0.1, { names: ["a.json", "b.json"] })).toThrow(
      `no cell ids are shared, so there is nothing to compare: a.json has ${left.cells.slice(0, 3).map((c) => c.id).join(", ")} (and 2 more); b.json has ${right.cells.slice(0, 3).map((c) => c.id).join(", ")} (and ${right.cells.length - 3} more)`,
    );
  });

  it("refuses runs of different sizes or seeds unless allowMismatch, which reports the difference", () => {
    const other = { ...base, context: { ...base.context, size: "small" as const, seed: 2 } };
    expect(() => compareResults(base, other, 0.1)).toThrow("the runs are not comparable: size differs: the baseline tiny, the new run small; seed differs: the baseline 1, the new run 2; compare runs of the same size and seed, or pass --allow-mismatch");
    const r = compareResults(base, other, 0.1, { allowMismatch: true });
    expect(r.mismatches).toEqual(["size differs: the baseline tiny, the new run small", "seed differs: the baseline 1, the new run 2"]);
    expect(r.comparisons.length).toBeGreaterThan(0);
    expect(compareResults(base, base, 0.1).mismatches).toEqual([]);
  });

  it("reads results back and refuses what is not a bench result", () => {
    writeFileSync(join(dir, "results.json"), JSON.stringify(base));
    expect(readResults(dir).cells).toHaveLength(base.cells.length);
    writeFileSync(join(dir, "other.json"), JSON.stringify({ hello: 1 }));
    expect(() => readResults(join(dir, "other.json"))).toThrow(/not a pinlab bench result/);
    writeFileSync(join(dir, "broken.json"), "{");
    expect(() => readResults(join(dir, "broken.json"))).toThrow(/not valid JSON/);
    expect(() => readResults(join(dir, "missing"))).toThrow(/does not exist/);
  });
});
