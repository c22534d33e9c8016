/**
 * The model micro-benchmarks (speed and memory goals other issues set, measured by the bench and
 * not by timed unit tests). Each runs in a fresh child process with `--expose-gc`, so memory is
 * measured after garbage collection, in a process that did nothing else.
 * @module
 */

/**
 * The micro-benchmarks, in the order they run: issue 18's table (order-0 pin and unpin against a
 * warmed bare loop, huge folios per subpage, one call of one page, 100k-step scenarios, memory
 * per page), then the earlier goals (machine creation, touch scaling, a 10,000-step scenario,
 * bulk event counts).
 */
export const MODEL_CHECKS = ["pin-order0", "unpin-order0", "huge", "call", "scenario-100k", "scenario-100k-invariants", "footprint", "create", "touch", "scenario", "events"] as const;

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

/** Timing samples taken in one child: nanoseconds per unit (page, subpage, call), one entry per sample. */
export type NsSamples = readonly number[];

/** A timed GUP loop and the bare typed-array loop over the same frames, sampled alternately in one child. */
export interface LoopSamples {
  /** ns/page of the GUP call, per sample. */
  readonly gup: NsSamples;
  /** ns/page of the bare loop, per sample. */
  readonly bare: NsSamples;
}

/** Pin and unpin per 4 KiB subpage of one kind of huge folio. */
export interface HugeSamples {
  /** `thp` (MADV_HUGEPAGE, PMD-mapped) or `hugetlb` (MAP_HUGETLB). */
  readonly kind: "thp" | "hugetlb";
  /** 4 KiB subpages pinned per sample. */
  readonly subpages: number;
  /** Order of the folio the first subpage belongs to (9 for a 2 MiB folio; 0 means the region was not huge). */
  readonly order: number;
  /** ns per subpage of `pin_user_pages_fast`, per sample. */
  readonly pin: NsSamples;
  /** ns per subpage of `unpin_user_pages`, per sample. */
  readonly unpin: NsSamples;
}

/** What each child reports (one of these, by check). */
export type ModelChildResult =
  | { readonly check: "footprint"; readonly policy: string; readonly machineBytes: number; readonly faultedBytes: number; readonly pages: number; readonly before: MemorySnapshot; readonly machine: MemorySnapshot; readonly faulted: MemorySnapshot }
  | { readonly check: "create"; readonly policy: string; readonly machineBytes: number; readonly ms: readonly number[] }
  | { readonly check: "touch"; readonly policy: string; readonly small: { readonly bytes: number; readonly nsPerPage: readonly number[] }; readonly large: { readonly bytes: number; readonly nsPerPage: readonly number[] } }
  | { readonly check: "scenario"; readonly policy: string; readonly steps: number; readonly loadMs: number; readonly runMs: readonly number[]; readonly failedSteps: number }
  | { readonly check: "pin-order0" | "unpin-order0"; readonly policy: string; readonly bytes: number; readonly batch: number; readonly flags: string; readonly warmup: number; readonly samples: LoopSamples }
  | { readonly check: "huge"; readonly policy: string; readonly bytes: number; readonly batch: number; readonly flags: string; readonly warmup: number; readonly kinds: readonly HugeSamples[] }
  | { readonly check: "call"; readonly policy: string; readonly calls: number; readonly flags: string; readonly warmup: number; readonly pin: NsSamples; readonly unpin: NsSamples }
  | { readonly check: "scenario-100k" | "scenario-100k-invariants"; readonly policy: string; readonly steps: number; readonly parseMs: readonly number[]; readonly runMs: readonly number[]; readonly failedSteps: number }
  | { readonly check: "events"; readonly policy: string; readonly calls: readonly { readonly op: string; readonly pages: number; readonly ownType: string; readonly ownEvents: number; readonly allEvents: number }[] };
