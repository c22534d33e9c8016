/**
 * The shape of `results.json`, checked when a file is read back (merge, compare, model --out):
 * every field merge, compare and the reports read, with the type and range a run writes. Unknown
 * fields are kept (a newer pinlab may add some), and policy, device and workload ids are not
 * checked against the registry (the file may come from a run with plugins).
 * @module
 */
import { z } from "zod";
import { SIZE_NAMES } from "../workloads/define-workload.js";
import { cellId } from "./matrix.js";
import { RESULTS_FORMAT } from "./results.js";

const count = z.number().int().nonnegative();
const nonNegative = z.number().nonnegative();
/** Wall-clock and simulated ns per page: a positive number, or null when nothing was timed. */
const nsPerPage = z.number().positive().nullable();
const rate = z.number().min(0).max(1).nullable();
const counts = z.record(z.string(), count);
const id = z.string().min(1);

const nsSplit = z.looseObject({ pin: nsPerPage, release: nsPerPage });
const simSplit = z.looseObject({ pin: nonNegative.nullable(), release: nonNegative.nullable() });

const sampleStats = z.looseObject({
  samples: count, mean: nonNegative, rme: nonNegative, median: nonNegative, p75: nonNegative, p99: nonNegative, min: nonNegative, max: nonNegative,
}).nullable();

const series = z.looseObject({ id, wallNsPerPage: nsSplit, pin: sampleStats, release: sampleStats, simNsPerPage: nsPerPage, simSplit, pages: count });

const metrics = z.looseObject({
  hazards: z.record(z.string(), counts),
  falsePositiveRate: rate,
  falseNegativeRate: rate,
  audit: z.looseObject({ asked: count, pinned: count, unpinned: count, falsePositives: count, falseNegatives: count }),
  refused: counts,
  refusedBy: z.record(z.string(), counts),
  accountingBytes: nonNegative,
  accountingBytesPerFrame: nonNegative,
  simNsPerPage: nsPerPage,
  simSplit,
  sim: z.record(z.string(), nonNegative),
  wallNsPerPage: nsSplit,
});

const curves = z.array(z.looseObject({ curve: z.string(), x: z.number(), values: z.record(z.string(), z.number()) }));

/** What one run of a cell produced: a cell's own result and each of its replicates. */
const runOutcome = {
  seed: z.number().int(),
  metrics,
  series: z.array(series),
  curves,
  counters: z.record(z.string(), z.number()),
  deterministic: z.boolean(),
  durationMs: nonNegative,
  error: z.string().optional(),
};

/** One seed's run of a cell (`--seeds N`). */
const replicate = z.looseObject(runOutcome);

/** A metric over a cell's seeds. */
const spread = z.looseObject({
  n: z.number().int().min(1), median: z.number(), min: z.number(), max: z.number(),
  ci95: z.tuple([z.number(), z.number()]).optional(),
}).refine((x) => x.min <= x.median && x.median <= x.max, { message: "median must lie between min and max" });

const cell = z.looseObject({
  id, workload: id, variant: id, device: id, policy: id,
  // Since the bench has eras; absent in older results.
  kernel: id.optional(),
  sweep: z.record(z.string(), z.unknown()).optional(),
  size: z.enum(SIZE_NAMES),
  params: z.record(z.string(), z.unknown()),
  policyOptions: z.record(z.string(), z.unknown()),
  ...runOutcome,
  replicates: z.array(replicate).min(2).optional(),
  spread: z.record(z.string(), spread).optional(),
}).superRefine((c, ctx) => {
  // In a run with a kernel axis the id carries the era (`.../pin-bias@v5.3`); without one it does not.
  const expected = cellId(c.workload, c.variant, c.policy, c.sweep);
  const withEra = c.kernel !== undefined ? cellId(c.workload, c.variant, c.policy, c.sweep, c.kernel) : expected;
  if (c.id !== expected && c.id !== withEra) {
    ctx.addIssue({ code: "custom", path: ["id"], message: `does not match the cell's workload/variant/policy${c.sweep !== undefined ? " and sweep" : ""}, "${expected}"${withEra !== expected ? ` (or, with its kernel, "${withEra}")` : ""}` });
  }
});

const sweep = z.looseObject({ target: id, kind: z.enum(["workload", "policy"]), key: id, values: z.array(z.unknown()).min(1) });

const shard = z.looseObject({ index: z.number().int().min(1), count: z.number().int().min(1) })
  .refine((s) => s.index <= s.count, { message: "index must not exceed count" });

const goal = z.looseObject({
  id, description: z.string(), target: z.string(), measured: z.number().nullable(), unit: z.string(), pass: z.boolean().nullable(), note: z.string(),
});

const context = z.looseObject({
  pinlabVersion: z.string(), node: z.string(), v8: z.string(), platform: z.string(), cpu: z.string(),
  cores: z.number().int().min(1), memoryBytes: nonNegative,
  loadAverage: z.looseObject({ start: z.array(nonNegative).min(1), end: z.array(nonNegative).min(1) }),
  seed: z.number().int(),
  size: z.enum(SIZE_NAMES),
  workers: z.number().int().min(1),
  shard: shard.nullable(),
  date: z.string(),
  durationMs: nonNegative,
  workloads: z.array(id),
  contributedWorkloads: z.array(z.looseObject({
    id, summary: z.string(), models: z.string(), source: z.string(), lookFor: z.string(), origin: z.string(), variants: z.array(id).min(1),
  })).optional(),
  policies: z.array(id),
  kernels: z.array(id).optional(),
  kernelAxis: z.array(id).nullable().optional(),
  policyKernels: z.record(z.string(), id).optional(),
  devices: z.array(id).nullable(),
  registeredDevices: z.array(id),
  params: z.record(z.string(), z.record(z.string(), z.unknown())),
  matrixCells: count,
  sweeps: z.array(sweep).optional(),
  seeds: z.number().int().min(1).optional(),
  goals: z.array(goal),
  scaling: z.array(z.looseObject({
    workers: z.number().int().min(1), durationMs: nonNegative, cellMs: nonNegative.optional(), load: nonNegative.optional(),
    // Measured since the capacity probe: optional, so results written before it still read.
    spinMs: z.number().positive().optional(), capacity: z.number().positive().optional(),
  })).nullable(),
  model: z.array(goal).nullable(),
  mergedFrom: z.array(shard).optional(),
  note: z.string().optional(),
});

/** Schema of a whole `results.json`; cell ids must be unique and match their workload, variant and policy. */
export const BenchResultsSchema = z.looseObject({
  format: z.literal(RESULTS_FORMAT),
  context,
  cells: z.array(cell).superRefine((cells, ctx) => {
    const seen = new Map<string, number>();
    cells.forEach((c, i) => {
      const first = seen.get(c.id);
      if (first !== undefined) ctx.addIssue({ code: "custom", path: [i, "id"], message: `the same id as cells[${first}]` });
      else seen.set(c.id, i);
    });
  }),
});

/** How many problems a message lists before "and N more". */
const SHOWN_PROBLEMS = 5;

/** `cells[3].metrics.hazards`: an issue path the way jq would address it. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("") || "(top level)";
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const p of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function shown(v: unknown): string {
  const text = v === undefined ? "nothing" : JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One line per problem: the field path, the cell id when the path is inside a cell, what was expected and what was there. */
export function describeIssues(data: unknown, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const cellIndex = i.path[0] === "cells" && typeof i.path[1] === "number" ? i.path[1] : undefined;
    const cellIdText = cellIndex === undefined ? undefined : valueAt(data, ["cells", cellIndex, "id"]);
    const which = typeof cellIdText === "string" ? ` (cell ${cellIdText})` : "";
    const value = valueAt(data, i.path);
    const what = value === undefined && i.code === "invalid_type" ? `missing (expected ${i.expected})` : `${i.message}; got ${shown(value)}`;
    return `${fieldPath(i.path)}${which}: ${what}`;
  });
}

/** Problems of parsed `results.json` data against {@link BenchResultsSchema}, one line each; empty when it is valid. */
export function resultsProblems(data: unknown): string[] {
  const r = BenchResultsSchema.safeParse(data);
  return r.success ? [] : describeIssues(data, r.error.issues);
}

/** The first problems as an indented list, with how many more there are. */
export function listProblems(problems: readonly string[]): string {
  const more = problems.length - SHOWN_PROBLEMS;
  return `  ${problems.slice(0, SHOWN_PROBLEMS).join("\n  ")}${more > 0 ? `\n  (and ${more} more problem${more > 1 ? "s" : ""})` : ""}`;
}
