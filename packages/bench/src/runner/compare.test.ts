import "reflect-metadata";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleResults } from "../test-support/sample-results.js";
import { BenchInputError } from "./bench-input-error.js";
import type { CellResult } from "./cell.js";
import { compareResults, ratioText } from "./compare.js";
import { readResults } from "./read-results.js";
import type { BenchResults } from "./results.js";

let base: BenchResults;
const dir = mkdtempSync(join(tmpdir(), "pinlab-compare-"));
beforeAll(async () => {
  base = await sampleResults();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scaled(r: BenchResults, id: string, factor: number): BenchResults {
  return {
    ...r,
    cells: r.cells.map((c): CellResult => (c.id !== id ? c : {
      ...c, metrics: { ...c.metrics, wallNsPerPage: { pin: c.metrics.wallNsPerPage.pin! * factor, release: c.metrics.wallNsPerPage.release } },
    })),
  };
}

describe("bench compare", () => {
  it("says N.NN x slower or faster than baseline", () => {
    expect(ratioText(1.234)).toBe("1.23 x slower than baseline");
    expect(ratioText(0.5)).toBe("2.00 x faster than baseline");
    expect(ratioText(1.001)).toBe("same as baseline");
  });

  it("flags a cell slower than the tolerance allows, and only that one", () => {
    const id = "dio-writeback-race/block-layer/fake-bias";
    const slow = compareResults(base, scaled(base, id, 1.5), 0.1);
    expect(slow.regressions).toBe(1);
    const reg = slow.comparisons.find((c) => c.regression)!;
    expect(reg).toMatchObject({ cell: id, metric: "pin", text: "1.50 x slower than baseline" });
    expect(compareResults(base, scaled(base, id, 1.05), 0.1).regressions).toBe(0);
    expect(compareResults(base, scaled(base, id, 0.5), 0.1).comparisons.find((c) => c.cell === id && c.metric === "pin")?.text).toBe("2.00 x faster than baseline");
    expect(compareResults(base, base, 0).regressions).toBe(0);
  });

  it("lists cells on one side only and results that changed beyond timing", () => {
    const fewer = { ...base, cells: base.cells.slice(1) };
    const r = compareResults(base, fewer, 0.1);
    expect(r.onlyInBase).toEqual([base.cells[0].id]);
    const changed = { ...base, cells: base.cells.map((c, i) => (i === 0 ? { ...c, metrics: { ...c.metrics, refused: { EFAULT: 3 } } } : c)) };
    expect(compareResults(base, changed, 0.1).changed).toEqual([{ cell: base.cells[0].id, what: `refused: ${JSON.stringify(base.cells[0].metrics.refused)} -> {"EFAULT":3}` }]);
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
