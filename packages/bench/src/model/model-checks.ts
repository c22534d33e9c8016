/**
 * The model micro-benchmarks (speed and memory goals other issues set, measured by the bench and
 * not by timed unit tests). Each runs in a fresh child process with `--expose-gc`, so memory is
 * measured after garbage collection, in a process that did nothing else.
 * @module
 */

/** The micro-benchmarks, in the order they run. */
export const MODEL_CHECKS = ["footprint", "create", "touch", "scenario", "events"] as const;

/** A micro-benchmark name. */
export type ModelCheck = (typeof MODEL_CHECKS)[number];

/** Arguments a child receives. */
export interface ModelChildArgs {
  /** Plugin module specifiers. */
  readonly plugins: readonly string[];
  /** The policy kernels are built with. */
  readonly policy?: string;
  /** Scale factor for tests: 1 = the goals' sizes; smaller shrinks every size by it (results are then not goal verdicts). */
  readonly scale?: number;
}

/** `process.memoryUsage()` figures the footprint check reads. */
export interface MemorySnapshot {
  /** Resident set size, bytes. */
  readonly rss: number;
  /** Bytes of ArrayBuffers (typed arrays) allocated. */
  readonly arrayBuffers: number;
  /** V8 heap used, bytes. */
  readonly heapUsed: number;
}

/** What each child reports (one of these, by check). */
export type ModelChildResult =
  | { readonly check: "footprint"; readonly policy: string; readonly machineBytes: number; readonly faultedBytes: number; readonly pages: number; readonly before: MemorySnapshot; readonly machine: MemorySnapshot; readonly faulted: MemorySnapshot }
  | { readonly check: "create"; readonly policy: string; readonly machineBytes: number; readonly ms: readonly number[] }
  | { readonly check: "touch"; readonly policy: string; readonly small: { readonly bytes: number; readonly nsPerPage: readonly number[] }; readonly large: { readonly bytes: number; readonly nsPerPage: readonly number[] } }
  | { readonly check: "scenario"; readonly policy: string; readonly steps: number; readonly loadMs: number; readonly runMs: readonly number[]; readonly failedSteps: number }
  | { readonly check: "events"; readonly policy: string; readonly calls: readonly { readonly op: string; readonly pages: number; readonly ownType: string; readonly ownEvents: number; readonly allEvents: number }[] };
