import "reflect-metadata";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleResults } from "../test-support/sample-results.js";
import { BenchInputError } from "./bench-input-error.js";
import { readResults } from "./read-results.js";
import { scalingGoal } from "./speed-goals.js";
import type { BenchResults } from "./results.js";

let base: BenchResults;
const dir = mkdtempSync(join(tmpdir(), "pinlab-read-results-"));
beforeAll(async () => {
  base = await sampleResults();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, unknown>;

/** Write `base` with `edit` applied to a copy, and return the file. */
function corrupt(name: string, edit: (r: Json & { cells: Json[]; context: Json }) => void): string {
  const copy = structuredClone(base) as unknown as Json & { cells: Json[]; context: Json };
  edit(copy);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(copy));
  return file;
}

const metrics = (c: Json) => c.metrics as Json;

describe("readResults: the schema of results.json", () => {
  it("reads back what a run wrote, keeping fields it does not know", () => {
    const file = corrupt("extra", (r) => {
      r.cells[0].comment = "added by hand";
    });
    const r = readResults(file);
    expect(r.cells).toHaveLength(base.cells.length);
    expect((r.cells[0] as unknown as Json).comment).toBe("added by hand");
  });

  it("accepts a policy id it does not know (the run may have had a plugin)", () => {
    const file = corrupt("plugin-policy", (r) => {
      r.cells[0].policy = "from-a-plugin";
      r.cells[0].id = `${String(r.cells[0].workload)}/${String(r.cells[0].variant)}/from-a-plugin`;
    });
    expect(readResults(file).cells[0].policy).toBe("from-a-plugin");
  });

  it("refuses a corrupt cell, naming the file, the field path and the cell id", () => {
    const id = () => base.cells[0].id;
    const cases: [string, (r: Json & { cells: Json[]; context: Json }) => void, string][] = [
      ["sim-string", (r) => void (metrics(r.cells[0]).simNsPerPage = "fast"), `cells[0].metrics.simNsPerPage (cell ${id()}): Invalid input: expected number, received string; got "fast"`],
      ["sim-negative", (r) => void (metrics(r.cells[0]).simNsPerPage = -1), `cells[0].metrics.simNsPerPage (cell ${id()}): Too small: expected number to be >0; got -1`],
      ["hazards-string", (r) => void (metrics(r.cells[0]).hazards = "x"), `cells[0].metrics.hazards (cell ${id()})`],
      ["metrics-null", (r) => void (r.cells[0].metrics = null), `cells[0].metrics (cell ${id()}): Invalid input: expected object, received null`],
      ["no-policy", (r) => void delete r.cells[0].policy, `cells[0].policy (cell ${id()}): missing (expected string)`],
      ["policy-not-in-id", (r) => void (r.cells[0].policy = "nope"), `cells[0].id (cell ${id()}): does not match the cell's workload/variant/policy`],
      ["cell-number", (r) => void (r.cells[0] = 5 as unknown as Json), "cells[0]: Invalid input: expected object, received number; got 5"],
      ["id-number", (r) => void (r.cells[0].id = 5), "cells[0].id: Invalid input: expected string, received number; got 5"],
      ["duplicate", (r) => void (r.cells[1] = r.cells[0]), `cells[1].id (cell ${id()}): the same id as cells[0]`],
      ["wall-null", (r) => void (metrics(r.cells[0]).wallNsPerPage = null), `cells[0].metrics.wallNsPerPage (cell ${id()}): Invalid input: expected object, received null`],
      ["wall-string", (r) => void ((metrics(r.cells[0]).wallNsPerPage as Json).pin = "1"), `cells[0].metrics.wallNsPerPage.pin (cell ${id()})`],
      ["wall-zero", (r) => void ((metrics(r.cells[0]).wallNsPerPage as Json).pin = 0), `cells[0].metrics.wallNsPerPage.pin (cell ${id()}): Too small: expected number to be >0; got 0`],
      ["wall-negative", (r) => void ((metrics(r.cells[0]).wallNsPerPage as Json).release = -3), `cells[0].metrics.wallNsPerPage.release (cell ${id()})`],
      ["goals-number", (r) => void (r.context.goals = 5), "context.goals: Invalid input: expected array, received number; got 5"],
      ["shard-inverted", (r) => void (r.context.shard = { index: 3, count: 2 }), "context.shard: index must not exceed count"],
    ];
    for (const [name, edit, message] of cases) {
      const file = corrupt(name, edit);
      let error: unknown;
      try {
        readResults(file);
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(BenchInputError);
      expect((error as Error).message, name).toContain(`${file} is not a valid pinlab bench result:\n  `);
      expect((error as Error).message, name).toContain(message);
    }
  });

  it("lists the first problems and says how many more there are", () => {
    const file = corrupt("many", (r) => {
      for (const c of r.cells) c.metrics = null;
    });
    const message = (() => {
      try {
        readResults(file);
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message.split("\n").filter((l) => l.includes(".metrics ("))).toHaveLength(5);
    expect(message).toContain(`(and ${base.cells.length - 5} more problems)`);
  });

  it("reads scaling runs written before the capacity probe, and with it; refuses a capacity that is not positive", () => {
    // As pinlab wrote them before it measured the machine's capacity: no spinMs, no capacity.
    const old = readResults(corrupt("scaling-old", (r) => void (r.context.scaling = [{ workers: 1, durationMs: 2000, cellMs: 1900, load: 2.6 }, { workers: 2, durationMs: 1800, cellMs: 3400, load: 2.6 }])));
    expect(old.context.scaling?.map((s) => s.capacity)).toEqual([undefined, undefined]);
    expect(scalingGoal(old.context.scaling)).toMatchObject({ pass: null, measured: null });
    const runs = [{ workers: 1, durationMs: 2000, spinMs: 150, capacity: 1 }, { workers: 2, durationMs: 1300, spinMs: 250, capacity: 1.2 }];
    const measured = readResults(corrupt("scaling-capacity", (r) => void (r.context.scaling = runs)));
    expect(measured.context.scaling).toEqual(runs);
    expect(scalingGoal(measured.context.scaling).pass).toBe(true);
    for (const [name, field, value] of [["spin-zero", "spinMs", 0], ["capacity-negative", "capacity", -1], ["capacity-string", "capacity", "2x"]] as const) {
      const file = corrupt(name, (r) => void (r.context.scaling = [{ workers: 2, durationMs: 1, [field]: value }]));
      expect(() => readResults(file), name).toThrow(`context.scaling[0].${field}`);
    }
  });
});
