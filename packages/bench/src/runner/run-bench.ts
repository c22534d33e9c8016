/**
 * Running a bench: resolve the matrix against the registered plugins, pick the shard, run the
 * cells on the worker pool (heaviest first), and assemble the results with their context and
 * speed goals.
 * @module
 */
import { loadavg } from "node:os";
import { listDevices, policyOptionsIssues } from "@pinlab/core";
import { SIZE_NAMES, type SizeName } from "../workloads/define-workload.js";
import { findWorkload, listWorkloads } from "../workloads/registry.js";
import { BENCH_VERSION } from "../version.js";
import { BenchInputError } from "./bench-input-error.js";
import type { CellResult, CellSpec, CellTask } from "./cell.js";
import { machineFacts } from "./context.js";
import { pluginContainer } from "./load-plugins.js";
import { expandMatrix, selectPolicies } from "./matrix.js";
import { BenchPool } from "./pool.js";
import { resolveParams } from "./resolve-params.js";
import { RESULTS_FORMAT, type BenchResults, type ScalingRun } from "./results.js";
import { cellSeed } from "./seed.js";
import { selectShard, type Shard } from "./shard.js";
import { gupGoals, matrixGoal, scalingGoal } from "./speed-goals.js";

/** Progress of a run, reported after each cell. */
export interface BenchProgress {
  /** Cells finished. */
  readonly done: number;
  /** Cells in this run. */
  readonly total: number;
  /** The cell that just finished. */
  readonly cell: CellResult;
  /** Wall-clock ms since the pool started. */
  readonly elapsedMs: number;
}

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** Plugin module specifiers every worker registers (package names, file URLs, absolute paths). */
  readonly plugins: readonly string[];
  /** Workload ids; undefined = all. */
  readonly workloads?: readonly string[];
  /** Policy ids or `all`. */
  readonly policies?: readonly string[] | "all";
  /** Device kinds (or `none`); undefined = every variant whose device is registered. */
  readonly devices?: readonly string[];
  /** Size (default `small`). */
  readonly size?: SizeName;
  /** Seed (default 1). */
  readonly seed?: number;
  /** Worker threads (default 2). */
  readonly workers?: number;
  /** Run only this shard. */
  readonly shard?: Shard;
  /** Parameter overrides by workload id. */
  readonly params?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * Options by policy id (a config's `policyOptions`), applied to every cell of that policy; a
   * workload's own options for a policy (e.g. legacy-get as a pre-v4.18 kernel) go on top.
   */
  readonly policyOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Timed runs of the same matrix with other worker counts, to put in the context. */
  readonly scaling?: readonly ScalingRun[];
  /** Called after each cell. */
  readonly onProgress?: (p: BenchProgress) => void;
}

/** A run's plan: the cells and what they were resolved from. */
export interface BenchPlan {
  /** Cells of this run (the shard), in canonical order. */
  readonly cells: readonly CellSpec[];
  /** Cells of the whole matrix. */
  readonly matrixCells: number;
  /** Policies selected. */
  readonly policies: readonly string[];
  /** Devices registered. */
  readonly registeredDevices: readonly string[];
  /** Set when the shard has no cell of a non-empty matrix: why (the run is legitimately empty). */
  readonly note?: string;
}

/** The note of a shard that gets no cell, or undefined when it gets some. */
export function emptyShardNote(shard: Shard | undefined, shardCells: number, matrixCells: number): string | undefined {
  if (shard === undefined || shardCells > 0) return undefined;
  return `shard ${shard.index}/${shard.count} has no cell: the matrix has ${matrixCells} cell(s), fewer than ${shard.count} shards; its results are empty (bench merge takes them)`;
}

/** Validate options and resolve the cells; throws {@link BenchInputError} for bad input. */
export async function planBench(opts: BenchOptions): Promise<BenchPlan> {
  const size = opts.size ?? "small";
  if (!SIZE_NAMES.includes(size)) throw new BenchInputError(`--size must be one of ${SIZE_NAMES.join(", ")}, got "${size}"`, "--size");
  const workers = opts.workers ?? 2;
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new BenchInputError(`--workers must be a whole number from 1 to 256, got ${workers}`, "--workers");
  const container = await pluginContainer(opts.plugins);
  for (const [id, overrides] of Object.entries(opts.params ?? {})) {
    const def = findWorkload(id);
    if (def === undefined) throw new BenchInputError(`--param: unknown workload "${id}"; known workloads: ${listWorkloads().map((w) => w.meta.id).join(", ")}`, "--param");
    resolveParams(def, size, overrides);
  }
  for (const [id, options] of Object.entries(opts.policyOptions ?? {})) {
    const bad = policyOptionsIssues(container, id, options);
    if (bad?.unknownPolicy === true) throw new BenchInputError(`policyOptions: unknown policy "${id}"; known policies: ${bad.known.join(", ")}`, "--config");
    if (bad !== undefined) throw new BenchInputError(`policyOptions.${id}: ${bad.issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`, "--config");
  }
  const all = expandMatrix(container, opts);
  for (const c of all) resolveParams(findWorkload(c.workload)!, size, opts.params?.[c.workload]);
  const cells = selectShard(all, opts.shard);
  const note = emptyShardNote(opts.shard, cells.length, all.length);
  return {
    cells,
    matrixCells: all.length,
    policies: selectPolicies(container, opts.policies),
    registeredDevices: listDevices(container).map((d) => d.meta.id).sort(),
    ...(note !== undefined ? { note } : {}),
  };
}

/** The default matrix: size small, every workload, every policy, every device, unsharded, no overrides. */
function isDefaultMatrix(opts: BenchOptions): boolean {
  return (opts.size ?? "small") === "small" && opts.workloads === undefined && (opts.policies === undefined || opts.policies === "all")
    && opts.devices === undefined && opts.shard === undefined && Object.keys(opts.params ?? {}).length === 0
    && Object.keys(opts.policyOptions ?? {}).length === 0;
}

/** Run the bench; `plan` is {@link planBench}'s for the same options, when the caller already made it. */
export async function runBench(opts: BenchOptions, plan?: BenchPlan): Promise<BenchResults> {
  plan ??= await planBench(opts);
  const size = opts.size ?? "small";
  const seed = opts.seed ?? 1;
  const workers = opts.workers ?? 2;
  const tasks: CellTask[] = plan.cells.map((c) => ({
    ...c, seed: cellSeed(seed, c.id), size, plugins: [...opts.plugins], ...(opts.params?.[c.workload] !== undefined ? { params: opts.params[c.workload] } : {}),
    ...(opts.policyOptions?.[c.policy] !== undefined ? { policyOptions: opts.policyOptions[c.policy] } : {}),
  }));
  // Longest processing time first: heavy cells start early so the workers finish together.
  const order = [...tasks].sort((a, b) => findWorkload(b.workload)!.meta.cost[size] - findWorkload(a.workload)!.meta.cost[size]);
  const date = new Date().toISOString();
  const loadStart = loadavg();
  const results = new Map<string, CellResult>();
  const started = performance.now();
  if (order.length > 0) {
    const pool = new BenchPool(Math.min(workers, order.length));
    try {
      let done = 0;
      await Promise.all(order.map(async (task) => {
        const r = await pool.run(task);
        results.set(task.id, r);
        opts.onProgress?.({ done: ++done, total: order.length, cell: r, elapsedMs: performance.now() - started });
      }));
    } finally {
      await pool.close();
    }
  }
  const durationMs = performance.now() - started;
  const loadAverage = { start: loadStart, end: loadavg() };
  const facts = machineFacts();
  const cells = tasks.map((t) => results.get(t.id)!);
  const scaling = opts.scaling !== undefined && opts.scaling.length > 0 ? [...opts.scaling] : null;
  return {
    format: RESULTS_FORMAT,
    context: {
      pinlabVersion: BENCH_VERSION,
      ...facts,
      loadAverage,
      seed, size, workers, shard: opts.shard ?? null, date, durationMs,
      workloads: [...new Set(plan.cells.map((c) => c.workload))],
      policies: plan.policies,
      devices: opts.devices !== undefined ? [...opts.devices] : null,
      registeredDevices: plan.registeredDevices,
      params: opts.params ?? {},
      matrixCells: plan.matrixCells,
      goals: [...gupGoals(cells, { load: Math.max(loadAverage.start[0], loadAverage.end[0]), cores: facts.cores }), matrixGoal({ durationMs, workers, isDefaultMatrix: isDefaultMatrix(opts) }), scalingGoal(scaling)],
      scaling,
      model: null,
      ...(plan.note !== undefined ? { note: plan.note } : {}),
    },
    cells,
  };
}
