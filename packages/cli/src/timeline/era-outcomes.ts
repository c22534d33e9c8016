/**
 * What `pinlab timeline` compares between eras: a step's outcome (errno, result, error, the
 * hazards recorded during it) and where a hazard is recorded.
 * @module
 */
import type { PolicyResult } from "@pinlab/core";
import type { StepOutcome } from "./timeline-types.js";

/** `class/outcome` of a hazard. */
export function hazardKey(h: { readonly class: string; readonly outcome: string }): string {
  return `${h.class}/${h.outcome}`;
}

/**
 * Does a hazard match `pattern`, a `history` entry's hazard: a class (`cow_leak`) or
 * `class/outcome` (`cow_leak/undetected`)?
 */
export function hazardMatches(h: { readonly class: string; readonly outcome: string }, pattern: string): boolean {
  return pattern.includes("/") ? hazardKey(h) === pattern : h.class === pattern;
}

/** The steps at which hazards matching `pattern` are recorded, ascending, one entry per hazard. */
export function hazardSteps(r: PolicyResult, pattern: string): number[] {
  return r.hazards.filter((h) => hazardMatches(h, pattern)).map((h) => h.step).sort((a, b) => a - b);
}

/** The outcome of step `i` (a step the run never reached: an error saying so). */
export function stepOutcome(r: PolicyResult, i: number): StepOutcome {
  const s = r.steps[i];
  const hazards = r.hazards.filter((h) => h.step === i).map(hazardKey).sort();
  if (s === undefined) return { errno: null, result: null, error: r.error ?? "not run", hazards };
  return { errno: s.errno, result: s.result, ...(s.error !== undefined ? { error: s.error } : {}), hazards };
}

/** A comparable string of a step's outcome. */
export function outcomeSig(o: StepOutcome): string {
  return JSON.stringify([o.errno, o.result, o.error ?? null, o.hazards]);
}
