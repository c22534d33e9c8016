/**
 * What a scenario run produces: the `--format json` contract of docs/reference/scenario-format.md ("Running"),
 * plus a few added keys (a step's `error` and `note`, hazard `detail` and `pfn`, `events`).
 * @module
 */
import type { KernelEvent } from "../events/event-types.js";
import type { StateSnapshot } from "./state-snapshot.js";

/** One checked expectation. */
export interface ExpectationResult {
  /** The key checked, e.g. `errno`, `page.refcount`, `hazards`. */
  readonly key: string;
  /** What the scenario expected. */
  readonly expected: unknown;
  /** What the model had. */
  readonly actual: unknown;
  /** Whether they agree. */
  readonly pass: boolean;
  /** Set when the expectation came from `expect_by_policy`. */
  readonly byPolicy?: boolean;
  /**
   * (issue 19) Set on a failed expectation to say why the model had what it had: for `ok`, `errno`
   * and `result` on a step that failed, the step's outcome (`-14 (EFAULT): message`); for a
   * `hazards` matcher, the hazards recorded so far by class and outcome (`recorded: cow_divergence
   * prevented x64`, or `recorded: none`).
   */
  readonly cause?: string;
}

/** One step's outcome under one policy. */
export interface StepResult {
  /** Step index, from 0. */
  readonly index: number;
  /** The op. */
  readonly op: string;
  /** The step succeeded (no errno, no error). */
  readonly ok: boolean;
  /** The errno name, or null. */
  readonly errno: string | null;
  /** The step's result, or null. */
  readonly result: unknown;
  /** (issue 19) With `errno`: the kernel's or the device's message saying why, when there is one; on a `gup` step that took fewer pages than asked, where and why it stopped. */
  readonly message?: string;
  /** Every expectation checked on this step. */
  readonly expectations: readonly ExpectationResult[];
  /** A problem that is not a kernel errno (a misuse, an unresolvable value, an invariant violation). */
  readonly error?: string;
  /** The step's note, if any. */
  readonly note?: string;
  /** (issue 21) Set when the step ran inside another, at one of its preemption points (`LoadedScenario.nested`). */
  readonly inside?: { readonly step: number; readonly point: string };
  /** (issue 19) The state after the step: a `dump` step's, or any step's `--state` asked for. */
  readonly state?: StateSnapshot;
}

/** One hazard, as reported. */
export interface HazardReport {
  /** The class. */
  readonly class: string;
  /** The outcome. */
  readonly outcome: string;
  /** The step during which it was recorded. */
  readonly step: number;
  /** The device or handle. */
  readonly device: string;
  /** The frame (-1 when not about one frame). */
  readonly pfn: number;
  /** What happened. */
  readonly detail: string;
}

/** A scenario run under one policy. */
export interface PolicyResult {
  /** The policy id. */
  readonly policy: string;
  /** (2.0) The kernel era it ran on (`v5.3`...); absent when the kernel could not be built. */
  readonly kernel?: string;
  /** Every expectation held and no step reported an error. */
  readonly passed: boolean;
  /** Step results, in order. */
  readonly steps: readonly StepResult[];
  /** Hazards recorded by the oracle. */
  readonly hazards: readonly HazardReport[];
  /** Counters at the end: vmstat, `pinned_vm` per process, `locked_vm` per uid, notifier invalidations. */
  readonly counters: Readonly<Record<string, unknown>>;
  /** SHA-256 of the event stream. */
  readonly eventsHash: string;
  /** Events, when traced. */
  readonly events?: readonly KernelEvent[];
  /** Set when the kernel could not even be built for this policy, or (issue 21) when the run stopped because its order cannot happen (`blocked`). */
  readonly error?: string;
  /**
   * (issue 21) The run stopped: a step of a concurrent block scheduled at another step's
   * preemption point needs an mmap lock that step holds there; on a real machine it would wait,
   * so this order is not a possible execution. `step` is the step that would wait.
   */
  readonly blocked?: { readonly step: number; readonly point: string; readonly message: string };
}

/** A scenario run under each of its policies (the `--format json` object). */
export interface ScenarioReport {
  /** The scenario's name. */
  readonly scenario: string;
  /** The file it came from. */
  readonly file: string;
  /** One result per policy. */
  readonly results: readonly PolicyResult[];
}
