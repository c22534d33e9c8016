/**
 * The results of a bench run as `results.json` holds them: a `context` block (what ran, where,
 * when), the cells, the speed goals and, when run, the model micro-benchmarks.
 * @module
 */
import type { CellResult } from "./cell.js";
import type { SizeName } from "../workloads/define-workload.js";
import type { Shard } from "./shard.js";
import type { MachineFacts } from "./context.js";
import type { Sweep } from "./sweep.js";

/** The format tag of `results.json`. */
export const RESULTS_FORMAT = "pinlab-bench/1";

/** One speed or memory goal with its verdict. */
export interface GoalResult {
  /** Stable id, e.g. `gup-pin-ns`. */
  readonly id: string;
  /** What is measured, in words. */
  readonly description: string;
  /** The target, in words (`<= 62 ns/page`). */
  readonly target: string;
  /** The measured value, or null when not measured in this run. */
  readonly measured: number | null;
  /** Unit of `measured`. */
  readonly unit: string;
  /** true = met, false = missed, null = not measured (see `note`). */
  readonly pass: boolean | null;
  /** How it was measured, or why not. */
  readonly note: string;
}

/** A run with a given number of workers, for the scaling goal. */
export interface ScalingRun {
  /** Workers. */
  readonly workers: number;
  /** Wall-clock ms of the whole matrix. */
  readonly durationMs: number;
  /** The cells' own wall-clock ms, summed: over `durationMs`, how many cells ran at once on average. */
  readonly cellMs?: number;
  /** The 1-minute load average when the run ended. */
  readonly load?: number;
  /**
   * Wall-clock ms for `workers` CPU spinners started at once to finish one fixed unit of pure CPU
   * work each (the median of the capacity probe's rounds, taken in the same `bench scaling` run;
   * see `capacity-probe.ts`). Absent in results written before pinlab measured it.
   */
  readonly spinMs?: number;
  /**
   * This machine's capacity for `workers` threads: how much faster `workers` spinners finished
   * `workers` units than 1 spinner finished 1 (`workers` x the 1-spinner `spinMs` / this
   * `spinMs`; 2 on two idle cores). The scaling goal judges the bench's speed-up against it.
   */
  readonly capacity?: number;
}

/**
 * A workload that is not built in (a plugin's, or a scenario given with `--scenarios`), described
 * in the results so reports and merges can name it without loading the plugin or the file.
 */
export interface ContributedWorkload {
  /** Its id (`scenario:NAME` for a scenario). */
  readonly id: string;
  /** One-line summary (a scenario's description, else its name). */
  readonly summary: string;
  /** The real pattern it models. */
  readonly models: string;
  /** Where that pattern comes from. */
  readonly source: string;
  /** What to look at in its results. */
  readonly lookFor: string;
  /** The plugin module or scenario file it came from. */
  readonly origin: string;
  /** Its variant ids, in declaration order. */
  readonly variants: readonly string[];
}

/** Where, when and how a run happened: the machine (see {@link MachineFacts}) and the run. */
export interface BenchContext extends MachineFacts {
  /** pinlab (bench) version. */
  readonly pinlabVersion: string;
  /**
   * The system load average (1, 5, 15 minutes) when the run started and ended: a load above the
   * core count means the workers shared the cores with other work and wall-clock figures are
   * pessimistic.
   */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  /** The run's seed. */
  readonly seed: number;
  /** Size. */
  readonly size: SizeName;
  /** Worker threads. */
  readonly workers: number;
  /** The shard, when the run was one. */
  readonly shard: Shard | null;
  /** When it started (ISO 8601). */
  readonly date: string;
  /** Wall-clock ms of the whole run (pool start to last cell). */
  readonly durationMs: number;
  /** Workloads selected. */
  readonly workloads: readonly string[];
  /** The selected workloads that are not built in (plugin workloads, `--scenarios`), described; absent when there are none. */
  readonly contributedWorkloads?: readonly ContributedWorkload[];
  /** Policies selected. */
  readonly policies: readonly string[];
  /** The kernel eras the cells ran at, oldest first (absent in results written before the bench had eras). */
  readonly kernels?: readonly string[];
  /**
   * The `--kernels` axis: the eras every policy ran at, or null when each policy ran at its own
   * era ({@link BenchContext.policyKernels}); absent in results written before the bench had eras.
   */
  readonly kernelAxis?: readonly string[] | null;
  /** The own era of each selected policy (its `meta.defaultKernel`, else v6.12); absent before eras. */
  readonly policyKernels?: Readonly<Record<string, string>>;
  /** Device filter, or null for every registered device. */
  readonly devices: readonly string[] | null;
  /** Devices registered when the matrix was built. */
  readonly registeredDevices: readonly string[];
  /** Parameter overrides by workload. */
  readonly params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Cells in the full (unsharded) matrix, swept cells counted one by one (seeds not counted). */
  readonly matrixCells: number;
  /** The run's `--sweep`s in canonical order (workload sweeps, then policy sweeps, each by target and key); absent when there were none. */
  readonly sweeps?: readonly Sweep[];
  /** Seeds per cell (`--seeds N`); absent when 1. */
  readonly seeds?: number;
  /** Speed and memory goals with verdicts. */
  readonly goals: readonly GoalResult[];
  /** The matrix timed with different worker counts, when measured. */
  readonly scaling: readonly ScalingRun[] | null;
  /** The model micro-benchmarks, when run. */
  readonly model: readonly GoalResult[] | null;
  /** Shards merged into these results, when merged. */
  readonly mergedFrom?: readonly Shard[];
  /** A remark about the results (e.g. cells missing from a merge). */
  readonly note?: string;
}

/** Everything a run produced. */
export interface BenchResults {
  /** {@link RESULTS_FORMAT}. */
  readonly format: typeof RESULTS_FORMAT;
  /** The context block. */
  readonly context: BenchContext;
  /** Cells in canonical order. */
  readonly cells: readonly CellResult[];
}
