/**
 * Running a bench: resolve the matrix against the registered plugins, multiply it by the sweeps,
 * pick the shard, run each cell once per seed on the worker pool (heaviest first), make each
 * cell's seed runs into one result, and assemble the results with their context and speed goals.
 * @module
 */
import { loadavg } from "node:os";
import { formatZodIssues, listDevices, policyOptionsIssues } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import { SIZE_NAMES, type SizeName, type WorkloadDefinition } from "../workloads/define-workload.js";
import type { ScenarioSource } from "../workloads/scenario-workload.js";
import { findWorkloadIn, isContributed, workloadSource, workloadsOf } from "../workloads/workload-catalog.js";
import { BENCH_VERSION } from "../version.js";
import { BenchInputError } from "./bench-input-error.js";
import type { CellResult, CellSpec, CellTask } from "./cell.js";
import { aggregateReplicates } from "./aggregate.js";
import { machineFacts } from "./context.js";
import { pluginContainer } from "./load-plugins.js";
import { erasInOrder, policyKernels, resolveKernelAxis } from "./kernel-axis.js";
import { expandMatrix, seedId, selectPolicies } from "./matrix.js";
import { BenchPool } from "./pool.js";
import { resolveParams } from "./resolve-params.js";
import { RESULTS_FORMAT, type BenchResults, type ContributedWorkload, type ScalingRun } from "./results.js";
import { registerScenarioWorkloads } from "./scenario-workloads.js";
import { replicateSeed } from "./seed.js";
import { selectShard, type Shard } from "./shard.js";
import type { Sweep, SweepRequest } from "./sweep.js";
import { sweptOptions, sweptParams } from "./sweep-coordinates.js";
import { expandSweeps } from "./sweep-expand.js";
import { resolveSweeps } from "./sweep-resolve.js";
import { gupGoals, matrixGoal, scalingGoal } from "./speed-goals.js";

/** Progress of a run, reported after each cell run (a cell runs once per seed). */
export interface BenchProgress {
  /** Cell runs finished. */
  readonly done: number;
  /** Cell runs in this run: cells x seeds. */
  readonly total: number;
  /** The cell run that just finished (with `--seeds N`, one seed's result). */
  readonly cell: CellResult;
  /** Wall-clock ms since the pool started. */
  readonly elapsedMs: number;
}

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** Plugin module specifiers every worker registers (package names, file URLs, absolute paths). */
  readonly plugins: readonly string[];
  /** Workload ids; undefined = all (the built-in ones, the plugins' and the scenarios'). */
  readonly workloads?: readonly string[];
  /**
   * Scenario files to bench as workloads (`--scenarios`), each `scenario:NAME`: validated against
   * the plugins before any cell runs, and run per policy (and era) of the matrix.
   */
  readonly scenarios?: readonly ScenarioSource[];
  /** Policy ids or `all`. */
  readonly policies?: readonly string[] | "all";
  /**
   * Kernel eras every selected policy runs at (`--kernels`), or `all`; undefined = each policy at
   * its own era (its `meta.defaultKernel`, else v6.12), the cells the bench always had.
   */
  readonly kernels?: readonly string[] | "all";
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
  /** `--sweep`s: one matrix axis each (see `sweep-resolve.ts` for what is checked). */
  readonly sweeps?: readonly SweepRequest[];
  /** Seeds per cell (default 1): each cell runs once per seed and reports medians with their spread. */
  readonly seeds?: number;
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
  /** Cells of the whole matrix (swept cells counted one by one, seeds not counted). */
  readonly matrixCells: number;
  /** The checked sweeps, in canonical order. */
  readonly sweeps: readonly Sweep[];
  /** Seeds per cell. */
  readonly seeds: number;
  /** Policies selected. */
  readonly policies: readonly string[];
  /** The kernel-era axis: the eras every policy runs at, or null for each policy at its own era. */
  readonly kernelAxis: readonly string[] | null;
  /** The own era of each selected policy. */
  readonly policyKernels: Readonly<Record<string, string>>;
  /** Devices registered. */
  readonly registeredDevices: readonly string[];
  /** Rough seconds a cell of each workload of the plan takes at the run's size (heaviest cells start first). */
  readonly costs: Readonly<Record<string, number>>;
  /** The scenario file of each scenario workload, by workload id. */
  readonly scenarios: Readonly<Record<string, ScenarioSource>>;
  /** The plan's workloads that are not built in, described for the results. */
  readonly contributed: readonly ContributedWorkload[];
  /** Set when the shard has no cell of a non-empty matrix: why (the run is legitimately empty). */
  readonly note?: string;
}

/** The note of a shard that gets no cell, or undefined when it gets some. */
export function emptyShardNote(shard: Shard | undefined, shardCells: number, matrixCells: number): string | undefined {
  if (shard === undefined || shardCells > 0) return undefined;
  return `shard ${shard.index}/${shard.count} has no cell: the matrix has ${matrixCells} cell(s), fewer than ${shard.count} shards; its results are empty (bench merge takes them)`;
}

/** Most seeds per cell `--seeds` takes. */
export const MAX_SEEDS = 1000;

/** `--seeds`, checked: a whole number from 1 to {@link MAX_SEEDS}. */
function checkSeeds(seeds: number | undefined): number {
  const n = seeds ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SEEDS) throw new BenchInputError(`--seeds must be a whole number from 1 to ${MAX_SEEDS}, got ${n}`, "--seeds");
  return n;
}

/** Check the parameters and policy options each swept cell runs with, all sweeps applied together. */
function checkSweptCells(container: DependencyContainer, cells: readonly CellSpec[], opts: BenchOptions, size: SizeName): void {
  for (const c of cells) {
    const def = findWorkloadIn(container, c.workload)!;
    const swept = sweptParams(c.workload, c.sweep);
    try {
      resolveParams(def, size, { ...opts.params?.[c.workload], ...swept });
    } catch (e) {
      if (!(e instanceof BenchInputError) || Object.keys(swept).length === 0) throw e;
      throw new BenchInputError(`--sweep: cell ${c.id} would run with bad parameters: ${e.message}`, "--sweep");
    }
    const options = sweptOptions(c.policy, c.sweep);
    if (Object.keys(options).length === 0) continue;
    const bad = policyOptionsIssues(container, c.policy, { ...opts.policyOptions?.[c.policy], ...def.meta.policyOptions?.[c.policy], ...options });
    if (bad !== undefined && !bad.unknownPolicy) throw new BenchInputError(`--sweep: cell ${c.id} would run ${c.policy} with bad options: ${formatZodIssues(bad.issues).join("; ")}`, "--sweep");
  }
}

/** Validate options and resolve the cells; throws {@link BenchInputError} for bad input. */
export async function planBench(opts: BenchOptions): Promise<BenchPlan> {
  const size = opts.size ?? "small";
  if (!SIZE_NAMES.includes(size)) throw new BenchInputError(`--size must be one of ${SIZE_NAMES.join(", ")}, got "${size}"`, "--size");
  const workers = opts.workers ?? 2;
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new BenchInputError(`--workers must be a whole number from 1 to 256, got ${workers}`, "--workers");
  const seeds = checkSeeds(opts.seeds);
  const container = await pluginContainer(opts.plugins);
  const scenarios = registerScenarioWorkloads(container, opts.scenarios ?? []);
  for (const [id, overrides] of Object.entries(opts.params ?? {})) {
    const def = findWorkloadIn(container, id);
    if (def === undefined) throw new BenchInputError(`--param: unknown workload "${id}"; known workloads: ${workloadsOf(container).map((w) => w.meta.id).join(", ")}`, "--param");
    resolveParams(def, size, overrides);
  }
  for (const [id, options] of Object.entries(opts.policyOptions ?? {})) {
    const bad = policyOptionsIssues(container, id, options);
    if (bad?.unknownPolicy === true) throw new BenchInputError(`policyOptions: unknown policy "${id}"; known policies: ${bad.known.join(", ")}`, "--config");
    if (bad !== undefined) throw new BenchInputError(`policyOptions.${id}: ${formatZodIssues(bad.issues).join("; ")}`, "--config");
  }
  const policies = selectPolicies(container, opts.policies);
  const kernelAxis = resolveKernelAxis(opts.kernels);
  const unswept = expandMatrix(container, { ...opts, kernelAxis });
  const sweeps = resolveSweeps(opts.sweeps ?? [], { container, workloads: opts.workloads, policies, size, params: opts.params ?? {}, policyOptions: opts.policyOptions ?? {} });
  const all = expandSweeps(unswept, sweeps);
  checkSweptCells(container, all, opts, size);
  // Shards split the swept matrix cell by cell: every seed of a cell runs in the cell's shard.
  const cells = selectShard(all, opts.shard);
  const note = emptyShardNote(opts.shard, cells.length, all.length);
  const used = workloadsOf(container).filter((w) => all.some((c) => c.workload === w.meta.id));
  return {
    cells,
    matrixCells: all.length,
    sweeps,
    seeds,
    policies,
    kernelAxis,
    policyKernels: policyKernels(container, policies),
    registeredDevices: listDevices(container).map((d) => d.meta.id).sort(),
    costs: Object.fromEntries(used.map((w) => [w.meta.id, w.meta.cost[size]])),
    scenarios: Object.fromEntries(Object.entries(scenarios).filter(([id]) => used.some((w) => w.meta.id === id))),
    contributed: used.filter(isContributed).map(describeContributed),
    ...(note !== undefined ? { note } : {}),
  };
}

/** A contributed workload as the results describe it. */
function describeContributed(w: WorkloadDefinition): ContributedWorkload {
  const m = w.meta;
  return { id: m.id, summary: m.summary, models: m.models, source: m.source, lookFor: m.lookFor, origin: workloadSource(w), variants: m.variants.map((v) => v.id) };
}

/** The default matrix: size small, every workload, every policy (each at its own era), every device, unsharded, no overrides. */
export function isDefaultMatrix(opts: BenchOptions): boolean {
  return (opts.size ?? "small") === "small" && opts.workloads === undefined && (opts.policies === undefined || opts.policies === "all")
    && opts.devices === undefined && opts.shard === undefined && Object.keys(opts.params ?? {}).length === 0
    && Object.keys(opts.policyOptions ?? {}).length === 0 && (opts.sweeps ?? []).length === 0 && (opts.seeds ?? 1) === 1 && opts.kernels === undefined
    && (opts.scenarios ?? []).length === 0;
}

/** Run the bench; `plan` is {@link planBench}'s for the same options, when the caller already made it. */
export async function runBench(opts: BenchOptions, plan?: BenchPlan): Promise<BenchResults> {
  plan ??= await planBench(opts);
  const size = opts.size ?? "small";
  const seed = opts.seed ?? 1;
  const workers = opts.workers ?? 2;
  const seeds = plan.seeds;
  // One task per cell and seed; replicate 0 has the cell's own seed, so --seeds 1 runs what it always ran.
  // The seed comes from the id without the era: a cell runs with the same seed at every era.
  const tasks: (CellTask & { readonly replicate: number })[] = plan.cells.flatMap((c) => Array.from({ length: seeds }, (_, replicate) => ({
    ...c, replicate, seed: replicateSeed(seed, seedId(c), replicate), size, plugins: [...opts.plugins], ...(opts.params?.[c.workload] !== undefined ? { params: opts.params[c.workload] } : {}),
    ...(opts.policyOptions?.[c.policy] !== undefined ? { policyOptions: opts.policyOptions[c.policy] } : {}),
    ...(plan.scenarios[c.workload] !== undefined ? { scenario: plan.scenarios[c.workload] } : {}),
  })));
  // Longest processing time first: heavy cells start early so the workers finish together.
  const order = [...tasks].sort((a, b) => plan.costs[b.workload] - plan.costs[a.workload]);
  const date = new Date().toISOString();
  const loadStart = loadavg();
  const results = new Map<string, CellResult[]>();
  const started = performance.now();
  if (order.length > 0) {
    const pool = new BenchPool(Math.min(workers, order.length));
    try {
      let done = 0;
      await Promise.all(order.map(async ({ replicate, ...task }) => {
        const r = await pool.run(task);
        const runs = results.get(task.id) ?? [];
        runs[replicate] = r;
        results.set(task.id, runs);
        opts.onProgress?.({ done: ++done, total: order.length, cell: r, elapsedMs: performance.now() - started });
      }));
    } finally {
      await pool.close();
    }
  }
  const durationMs = performance.now() - started;
  const loadAverage = { start: loadStart, end: loadavg() };
  const facts = machineFacts();
  const cells = plan.cells.map((c) => {
    const runs = results.get(c.id)!;
    return seeds === 1 ? runs[0] : aggregateReplicates(runs);
  });
  const scaling = opts.scaling !== undefined && opts.scaling.length > 0 ? [...opts.scaling] : null;
  return {
    format: RESULTS_FORMAT,
    context: {
      pinlabVersion: BENCH_VERSION,
      ...facts,
      loadAverage,
      seed, size, workers, shard: opts.shard ?? null, date, durationMs,
      workloads: [...new Set(plan.cells.map((c) => c.workload))],
      ...(plan.contributed.length > 0 ? { contributedWorkloads: plan.contributed } : {}),
      policies: plan.policies,
      kernels: erasInOrder(plan.cells.map((c) => c.kernel!)),
      kernelAxis: plan.kernelAxis,
      policyKernels: plan.policyKernels,
      devices: opts.devices !== undefined ? [...opts.devices] : null,
      registeredDevices: plan.registeredDevices,
      params: opts.params ?? {},
      matrixCells: plan.matrixCells,
      ...(plan.sweeps.length > 0 ? { sweeps: plan.sweeps } : {}),
      ...(seeds > 1 ? { seeds } : {}),
      goals: [...gupGoals(cells, { load: Math.max(loadAverage.start[0], loadAverage.end[0]), cores: facts.cores }), matrixGoal({ durationMs, workers, isDefaultMatrix: isDefaultMatrix(opts) && plan.contributed.length === 0 }), scalingGoal(scaling)],
      scaling,
      model: null,
      ...(plan.note !== undefined ? { note: plan.note } : {}),
    },
    cells,
  };
}
