/**
 * Why a failed expectation saw what it saw (issue 19, "failures show their cause"): the step's
 * outcome in words, and the hazards recorded so far by class and outcome.
 * @module
 */
import { errnoName } from "../errno.js";
import type { RunContext, StepOutcome } from "./run-context.js";

/**
 * A step's outcome as a failed expectation shows it: `-14 (EFAULT): message` for an errno (the
 * value the kernel returns, its name and the kernel's or device's message when there is one), the
 * error's text for a step error, or undefined for a step that succeeded.
 */
export function describeOutcome(outcome: StepOutcome): string | undefined {
  if (outcome.errno !== undefined) {
    const name = errnoName(outcome.errno) ?? `errno ${outcome.errno}`;
    return `-${Math.abs(outcome.errno)} (${name})${outcome.message !== undefined ? `: ${outcome.message}` : ""}`;
  }
  return outcome.error ?? outcome.message; // a partial gup: where and why it stopped
}

/** The hazards a run recorded, by class and outcome in the order first seen: `recorded: cow_divergence prevented x64, ...`, or `recorded: none`. */
export function describeRecordedHazards(hazards: readonly { readonly class: string; readonly outcome: string }[]): string {
  const counts = new Map<string, number>();
  for (const h of hazards) counts.set(`${h.class} ${h.outcome}`, (counts.get(`${h.class} ${h.outcome}`) ?? 0) + 1);
  if (counts.size === 0) return "recorded: none";
  return `recorded: ${[...counts].map(([k, n]) => `${k} x${n}`).join(", ")}`;
}

/** The hazards recorded so far in this run, described as {@link describeRecordedHazards} does. */
export function recordedHazardsCause(ctx: RunContext): string {
  return describeRecordedHazards(ctx.inst.oracle.hazards);
}
