/**
 * The shape of `pinlab timeline --format json` (guide 5, "pinlab timeline"): one scenario run at
 * every kernel era, per policy, with the eras each hazard is recorded in, the steps whose outcome
 * changes between adjacent eras, the commits each change is cited to, and the `history` checks.
 * @module
 */

/** One rule change of the era table, as a timeline cites it. */
export interface Citation {
  /** The commit id (12 hex digits). */
  readonly commit: string;
  /** Its title. */
  readonly title: string;
  /** The rule it changes (`cowReuse`...). */
  readonly rule: string;
  /** The rule's value from then on. */
  readonly value: unknown;
  /** The era that brought it (the later era of the change). */
  readonly era: string;
  /** The release it first shipped in, when earlier than its era's. */
  readonly release?: string;
}

/** The commits cited for one change between two eras. */
export interface Cited {
  /** The changes whose single application to the earlier era's rules reproduces the later era's outcome; all of the later era's when none does alone. */
  readonly cite: readonly Citation[];
  /** True when `cite` is what single changes reproduced; false when it is every change of the era because none did alone. */
  readonly alone: boolean;
}

/** One era's run of the scenario under one policy. */
export interface EraRun {
  /** The era id. */
  readonly kernel: string;
  /** Every expectation held (expectations of other eras do not apply; see `expect_by_kernel`). */
  readonly passed: boolean;
  /** Expectations checked. */
  readonly expectations: number;
  /** Expectations failed, and steps with an error. */
  readonly failed: number;
  /** Hazards recorded, `class/outcome` to count. */
  readonly hazards: Readonly<Record<string, number>>;
  /** Set when the kernel could not be built. */
  readonly error?: string;
}

/** Where a hazard's record changes between two adjacent eras. */
export interface HazardChange extends Cited {
  /** The earlier era. */
  readonly from: string;
  /** The later era, where the change is seen. */
  readonly era: string;
  /** `appears`, `goes`, or `steps` (recorded in both eras, at other steps). */
  readonly kind: "appears" | "goes" | "steps";
  /** Steps it is recorded at in the earlier era (one entry per hazard). */
  readonly before: readonly number[];
  /** Steps it is recorded at in the later era. */
  readonly after: readonly number[];
}

/** One hazard (`class/outcome`) over the eras. */
export interface HazardWindow {
  /** `class/outcome`. */
  readonly hazard: string;
  /** The eras it is recorded in. */
  readonly eras: readonly string[];
  /** The steps it is recorded at, per era it is recorded in. */
  readonly steps: Readonly<Record<string, readonly number[]>>;
  /** Each change between adjacent eras. */
  readonly changes: readonly HazardChange[];
}

/** What a step did in one era: what `pinlab timeline` compares. */
export interface StepOutcome {
  /** The errno name, or null. */
  readonly errno: string | null;
  /** The result, or null. */
  readonly result: unknown;
  /** A non-errno error, if any. */
  readonly error?: string;
  /** Hazards recorded during the step, `class/outcome`, sorted. */
  readonly hazards: readonly string[];
}

/** A step whose outcome differs between two adjacent eras. */
export interface StepChange extends Cited {
  /** Step index. */
  readonly step: number;
  /** Its op. */
  readonly op: string;
  /** The earlier era. */
  readonly from: string;
  /** The later era. */
  readonly era: string;
  /** The outcome in the earlier era. */
  readonly before: StepOutcome;
  /** The outcome in the later era. */
  readonly after: StepOutcome;
}

/** One `history` entry checked under one policy. */
export interface HistoryCheck {
  /** Index in the scenario's `history`. */
  readonly index: number;
  /** The entry's hazard (`class` or `class/outcome`). */
  readonly hazard: string;
  /** The policy checked. */
  readonly policy: string;
  /** The entry's `from`. */
  readonly from: string;
  /** The entry's `to`, if any. */
  readonly to?: string;
  /** Every condition held. */
  readonly pass: boolean;
  /** What did not hold (empty when `pass`). */
  readonly problems: readonly string[];
  /** Commits the timeline cites for the change at `from` and at `to`. */
  readonly cited: readonly string[];
}

/** The timeline of one policy. */
export interface PolicyTimeline {
  /** The policy id. */
  readonly policy: string;
  /** One run per era, in era order. */
  readonly runs: readonly EraRun[];
  /** Every hazard recorded in some era. */
  readonly hazards: readonly HazardWindow[];
  /** Steps whose outcome changes between adjacent eras. */
  readonly steps: readonly StepChange[];
  /** The `history` entries that apply to this policy, checked (empty when the timeline skips eras). */
  readonly history: readonly HistoryCheck[];
  /** Runs of single rule changes made to cite the changes. */
  readonly bisectRuns: number;
}

/** The whole timeline (the JSON output). */
export interface Timeline {
  /** The scenario's name. */
  readonly scenario: string;
  /** Its file. */
  readonly file: string;
  /** The eras run, oldest first. */
  readonly kernels: readonly { readonly id: string; readonly release: string; readonly date: string }[];
  /** Entries in the scenario's `history`. */
  readonly historyEntries: number;
  /** True when `history` was checked (the timeline covers every era and the scenario has entries). */
  readonly historyChecked: boolean;
  /** One timeline per policy. */
  readonly policies: readonly PolicyTimeline[];
}
