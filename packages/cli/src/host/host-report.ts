/**
 * What `pinlab host` reports (issue 20), in the JSON shape the issue fixes so other tools can read
 * it: the host, then per scenario the steps run on the host, the steps not (with why), and every
 * expectation as expected / model / host, where `agree` compares the model with the host.
 * @module
 */
import type { HostFacts } from "./host-facts.js";

/** A step the host did not run, and why. */
export interface SkippedStep {
  /** The step index (from 0). */
  readonly step: number;
  /** The op (`device.reg_mr` for a device action). */
  readonly op: string;
  /** Why it has no host equivalent here. */
  readonly reason: string;
}

/** One expectation compared three ways. */
export interface HostExpectation {
  /** The step index (from 0). */
  readonly step: number;
  /** The expectation key, as `pinlab run` names it (`page.present`, `data`, `counters.nr_foll_pin_acquired`). */
  readonly key: string;
  /** What the scenario expects. */
  readonly expected: unknown;
  /** What the model has (under the report's policy and era). */
  readonly model: unknown;
  /** What the host shows (null when not observable). */
  readonly host: unknown;
  /** True when the host can show it; false with `why`. */
  readonly observable: boolean;
  /** Model and host agree (null when not observable). */
  readonly agree: boolean | null;
  /** The model meets what the scenario expects (false: `pinlab run` fails this expectation too). */
  readonly modelPasses: boolean;
  /** Why it is not observable, or (when observed) what the host value means beyond the model's (an approximation). */
  readonly why?: string;
  /** For a disagreement: the steps before it that the host did not run or ran only approximately, which may explain it. */
  readonly after?: readonly string[];
}

/** One scenario on the host. */
export interface ScenarioHostReport {
  /** The scenario file. */
  readonly file: string;
  /** The scenario's name. */
  readonly name: string;
  /** The policy the model ran under. */
  readonly policy: string;
  /** The era the model ran at. */
  readonly kernel: string;
  /** Steps in the scenario. */
  readonly steps: number;
  /** Steps run on the host. */
  readonly hostSteps: number;
  /** Steps not run, with why. */
  readonly skipped: readonly SkippedStep[];
  /** Steps run, but only approximately (what differs from the model's call). */
  readonly approximate: readonly SkippedStep[];
  /** Steps whose outcome (ok, errno) differs between model and host, even without an expectation. */
  readonly outcomes: readonly { readonly step: number; readonly op: string; readonly model: string; readonly host: string; readonly after?: readonly string[] }[];
  /** Every expectation, three ways. */
  readonly expectations: readonly HostExpectation[];
  /** Why the scenario stopped early on the host (the agent died, a setup step failed), if it did. */
  readonly error?: string;
}

/** The whole report. */
export interface HostReport {
  /** The machine. */
  readonly host: HostFacts;
  /** Per scenario. */
  readonly scenarios: readonly ScenarioHostReport[];
  /** Totals: steps, host steps, expectations observed, agreeing and disagreeing. */
  readonly summary: {
    readonly steps: number; readonly hostSteps: number; readonly observed: number; readonly agree: number; readonly disagree: number;
    /** Steps whose outcome (ok or errno) differs between model and host. */
    readonly outcomesDiffer: number;
    /** Scenarios that stopped early on the host. */
    readonly stopped: number;
  };
}

/** The summary of scenario reports. */
export function summarize(scenarios: readonly ScenarioHostReport[]): HostReport["summary"] {
  let steps = 0, hostSteps = 0, observed = 0, agree = 0, disagree = 0, outcomesDiffer = 0, stopped = 0;
  for (const s of scenarios) {
    steps += s.steps;
    hostSteps += s.hostSteps;
    outcomesDiffer += s.outcomes.length;
    if (s.error !== undefined) stopped++;
    for (const e of s.expectations) {
      if (!e.observable) continue;
      observed++;
      if (e.agree === true) agree++;
      else disagree++;
    }
  }
  return { steps, hostSteps, observed, agree, disagree, outcomesDiffer, stopped };
}
