/**
 * The unit of work of the bench: a cell is one workload variant under one policy at one kernel era.
 * @module
 */
import type { SizeName } from "../workloads/define-workload.js";
import type { ScenarioSource } from "../workloads/scenario-workload.js";
import type { AuditTally } from "../probe/pin-audit.js";
import type { CurvePoint, HazardTally } from "../probe/sample-probe.js";
import type { SampleStats } from "../probe/stats.js";
import type { SimTotals } from "../cost-model/sim-ledger.js";
import type { SweepCoordinates } from "./sweep-coordinates.js";
import type { Spread } from "./spread.js";

/** Which cell: workload, variant, device, policy, kernel era and, in a swept run, the swept values. */
export interface CellSpec {
  /** `workload/variant/policy`, with `@era` in a run with a kernel axis and `[key=value,...]` after it for a swept cell; unique in a run. */
  readonly id: string;
  /** Workload id. */
  readonly workload: string;
  /** Variant id (unique within the workload). */
  readonly variant: string;
  /** The device kind the variant drives, or `none`. */
  readonly device: string;
  /** Policy id. */
  readonly policy: string;
  /**
   * The kernel era the cell's kernels run (`v5.3`...): its policy's own era unless the run has a
   * `--kernels` axis. Absent only in results written before the bench had eras.
   */
  readonly kernel?: string;
  /**
   * The swept values this cell runs with, `TARGET.KEY` to value (`{ "pin-bias.bias": 1024 }`);
   * absent in a cell no `--sweep` applies to.
   */
  readonly sweep?: SweepCoordinates;
}

/** What a worker is asked to do. */
export interface CellTask extends CellSpec {
  /** The cell's seed. */
  readonly seed: number;
  /** Size. */
  readonly size: SizeName;
  /** Parameter overrides on top of the size's. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Plugin module specifiers (package names, file URLs or absolute paths) to register before running. */
  readonly plugins: readonly string[];
  /** Options for the cell's policy given by the run (a config's `policyOptions`); the workload's own go on top, then the swept ones. */
  readonly policyOptions?: Readonly<Record<string, unknown>>;
  /** The scenario file of a scenario workload (`--scenarios`): the worker makes the workload from it. */
  readonly scenario?: ScenarioSource;
}

/** Ns per page of the grab and the release windows (wall-clock medians over samples, or simulated). */
export interface WallNsPerPage {
  /** Grab (pin or get) ns per page, or null when nothing was grabbed in a timed window. */
  readonly pin: number | null;
  /** Release (unpin or put) ns per page, or null when nothing was released in a timed window. */
  readonly release: number | null;
}

/** One timed series of a cell (gup-throughput has several; other workloads only `main`). */
export interface SeriesResult {
  /** Series id (`main`, `thp-fast-pin`, `bare-loop`...). */
  readonly id: string;
  /** Medians. */
  readonly wallNsPerPage: WallNsPerPage;
  /** Statistics of the grab windows' ns per page over samples. */
  readonly pin: SampleStats | null;
  /** Statistics of the release windows' ns per page over samples. */
  readonly release: SampleStats | null;
  /** Simulated ns per grabbed page of the grabs and releases inside the windows (cost model), or null. */
  readonly simNsPerPage: number | null;
  /** The same, split into the grab and the release part. */
  readonly simSplit: WallNsPerPage;
  /** Pages grabbed per sample in the windows. */
  readonly pages: number;
}

/** The per-cell metrics of issue 7. */
export interface CellMetrics {
  /** Hazards by class and outcome. */
  readonly hazards: HazardTally;
  /** Share of unpinned pages `maybeDmaPinned` called pinned, or null when none was asked. */
  readonly falsePositiveRate: number | null;
  /** Share of pinned pages `maybeDmaPinned` called unpinned, or null when none was asked. */
  readonly falseNegativeRate: number | null;
  /** The audit counts behind both rates. */
  readonly audit: AuditTally;
  /** Refused operations by errno (availability cost). */
  readonly refused: Readonly<Record<string, number>>;
  /** Refused operations by operation, then errno. */
  readonly refusedBy: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Peak `policy.accountingBytes()`: memory the policy keeps beyond the frame table. */
  readonly accountingBytes: number;
  /** That peak per frame of the machine it was seen on. */
  readonly accountingBytesPerFrame: number;
  /** Simulated ns per grabbed page of the main series' grabs and releases (cost model), or null. */
  readonly simNsPerPage: number | null;
  /** The same, split into the grab and the release part. */
  readonly simSplit: WallNsPerPage;
  /** Simulated totals of every grab and release of a sample (cost model). */
  readonly sim: SimTotals;
  /** Wall-clock ns per page of the main series. */
  readonly wallNsPerPage: WallNsPerPage;
}

/** What one run of a cell produced: a cell's own result, and each of its replicates with `--seeds N`. */
export interface RunOutcome {
  /** Seed it ran with. */
  readonly seed: number;
  /** Metrics. */
  readonly metrics: CellMetrics;
  /** Every timed series. */
  readonly series: readonly SeriesResult[];
  /** Measured curves. */
  readonly curves: readonly CurvePoint[];
  /** Workload counters. */
  readonly counters: Readonly<Record<string, number>>;
  /** False when samples disagreed on something that should not depend on timing. */
  readonly deterministic: boolean;
  /** Wall-clock ms the run took, warm-up included. */
  readonly durationMs: number;
  /** Set when the run failed: what went wrong. */
  readonly error?: string;
}

/** The result of one cell. */
export interface CellResult extends CellSpec, RunOutcome {
  /** Size it ran at. */
  readonly size: SizeName;
  /** Parameters it ran with (after the size and overrides). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Options its policy ran with. */
  readonly policyOptions: Readonly<Record<string, unknown>>;
  /**
   * With `--seeds N` (N > 1): each seed's own result, in replicate order (replicate 0 ran with
   * `seed`). The cell's metrics, series, curves and counters are then medians over these.
   */
  readonly replicates?: readonly Replicate[];
  /** With `--seeds N` (N > 1): the spread over seeds of each numeric metric, by metric path (`wallNsPerPage.pin`, `hazards.cow_divergence.undetected`...). */
  readonly spread?: Readonly<Record<string, Spread>>;
}

/** One seed's run of a cell (the cell's spec, size, parameters and options are the cell's). */
export type Replicate = RunOutcome;
