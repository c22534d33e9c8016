import "reflect-metadata";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleResults, sweptSampleResults } from "../test-support/sample-results.js";
import { compareResults } from "./compare.js";
import { readResults } from "./read-results.js";
import type { BenchResults } from "./results.js";

let unswept: BenchResults;
let swept: BenchResults;
const dir = mkdtempSync(join(tmpdir(), "pinlab-swept-results-"));
beforeAll(async () => {
  [unswept, swept] = [await sampleResults(), await sweptSampleResults()];
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, unknown> & { cells: Record<string, unknown>[]; context: Record<string, unknown> };

function write(name: string, r: BenchResults, edit: (r: Json) => void = () => undefined): string {
  const copy = structuredClone(r) as unknown as Json;
  edit(copy);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(copy));
  return file;
}

function problem(file: string): string {
  try {
    readResults(file);
    return "no problem";
  } catch (e) {
    return (e as Error).message;
  }
}

describe("results.json of swept, seeded runs", () => {
  it("reads back a swept run with 3 seeds as written", () => {
    expect(readResults(write("swept", swept))).toEqual(JSON.parse(JSON.stringify(swept)));
  });

  it("reads results without sweep or seed fields, as runs wrote them before sweeps", () => {
    const r = readResults(write("unswept", unswept));
    expect(r.context.sweeps).toBeUndefined();
    expect(r.context.seeds).toBeUndefined();
    expect(r.cells.every((c) => c.sweep === undefined && c.replicates === undefined && c.spread === undefined)).toBe(true);
  });

  it("compares a swept, seeded run against a baseline from before sweeps on the cells they share", () => {
    const r = compareResults(unswept, swept, 10);
    expect([...new Set(r.comparisons.map((c) => c.cell))]).toEqual(["shared-library-false-positive/libc/fake-get", "shared-library-false-positive/libc/test-exact"]);
    expect(r.onlyInNew).toEqual(["shared-library-false-positive/libc/fake-bias[bias=256]", "shared-library-false-positive/libc/fake-bias[bias=1024]", "shared-library-false-positive/libc/fake-bias[bias=4096]"]);
  });

  it("refuses a swept cell whose id does not name its sweep, a bad spread, one replicate, and a bad sweeps or seeds context", () => {
    const id = swept.cells[1].id;
    const cases: [string, (r: Json) => void, string][] = [
      ["sweep-not-in-id", (r) => void (r.cells[1].sweep = { "fake-bias.bias": 512 }), `cells[1].id (cell ${id}): does not match the cell's workload/variant/policy and sweep, "shared-library-false-positive/libc/fake-bias[bias=512]"`],
      ["sweep-dropped", (r) => void delete r.cells[1].sweep, `cells[1].id (cell ${id}): does not match the cell's workload/variant/policy, "shared-library-false-positive/libc/fake-bias"`],
      ["spread-median", (r) => void (((r.cells[1].spread as Record<string, Record<string, unknown>>)["wallNsPerPage.pin"]).median = -1), `cells[1].spread.wallNsPerPage.pin (cell ${id}): median must lie between min and max`],
      ["one-replicate", (r) => void (r.cells[1].replicates = (r.cells[1].replicates as unknown[]).slice(0, 1)), `cells[1].replicates (cell ${id}): Too small: expected array to have >=2 items`],
      ["replicate-seed", (r) => void ((r.cells[1].replicates as Record<string, unknown>[])[2].seed = "x"), `cells[1].replicates[2].seed (cell ${id}): Invalid input: expected number, received string`],
      ["seeds-zero", (r) => void (r.context.seeds = 0), "context.seeds: Too small: expected number to be >=1; got 0"],
      ["sweep-kind", (r) => void ((r.context.sweeps as Record<string, unknown>[])[0].kind = "device"), "context.sweeps[0].kind: Invalid option"],
      ["sweep-no-values", (r) => void ((r.context.sweeps as Record<string, unknown>[])[0].values = []), "context.sweeps[0].values: Too small: expected array to have >=1 items"],
    ];
    for (const [name, edit, message] of cases) expect(problem(write(name, swept, edit)), name).toContain(message);
  });
});
