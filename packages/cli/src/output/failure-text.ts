/**
 * Text for what `pinlab run` shows about a run's outcome (issue 19, "failures show their cause"):
 * what a failed expectation got and why, and the hazards split by outcome in the summary line.
 * @module
 */
import type { ExpectationResult, HazardReport } from "@pinlab/core";
import { formatValue } from "./format-value.js";

/**
 * What a failed expectation got, with its cause: `got -14 (EFAULT): message` for a `result` on a
 * step that failed, `got false (-14 (EFAULT))` for `ok`, `got 0 cow_divergence undetected;
 * recorded: cow_divergence prevented x64` for a hazard matcher.
 */
export function describeGot(e: ExpectationResult): string {
  const m = e.expected;
  const count = (e.actual as { count?: unknown } | null)?.count;
  if (e.key === "hazards" && m !== null && typeof m === "object" && !Array.isArray(m) && typeof count === "number") {
    const { class: cls, outcome } = m as { class?: string; outcome?: string };
    const what = [cls ?? (count === 1 ? "hazard" : "hazards"), outcome].filter((x) => x !== undefined).join(" ");
    return `${count} ${what}${e.cause !== undefined ? `; ${e.cause}` : ""}`;
  }
  if (e.cause === undefined) return formatValue(e.actual);
  if (e.actual === null || e.actual === undefined) return e.cause;
  return e.key === "hazards" ? `${formatValue(e.actual)}; ${e.cause}` : `${formatValue(e.actual)} (${e.cause})`;
}

/** The order outcomes are counted in: what the policy stopped first, what got through last. */
const OUTCOMES = ["prevented", "detected", "undetected"] as const;

/**
 * The summary line's hazard count, split by outcome so that prevented hazards are not read as
 * failures: `no hazards`, `4 hazards prevented, 0 undetected`, `3 hazards: 1 prevented, 2 undetected`.
 * `undetected` is always shown; other outcomes when some were recorded.
 */
export function summarizeHazards(hazards: readonly Pick<HazardReport, "outcome">[]): string {
  if (hazards.length === 0) return "no hazards";
  const n = new Map<string, number>();
  for (const h of hazards) n.set(h.outcome, (n.get(h.outcome) ?? 0) + 1);
  const known: readonly string[] = OUTCOMES;
  const order = [...OUTCOMES, ...[...n.keys()].filter((o) => !known.includes(o))];
  const parts = order.filter((o) => o === "undetected" || (n.get(o) ?? 0) > 0).map((o) => `${n.get(o) ?? 0} ${o}`);
  const noun = `hazard${hazards.length === 1 ? "" : "s"}`;
  // One outcome covers them all: "4 hazards prevented, 0 undetected" / "2 hazards undetected".
  const first = order.find((o) => (n.get(o) ?? 0) > 0)!;
  if (n.get(first) === hazards.length) {
    return [`${hazards.length} ${noun} ${first}`, ...(first === "undetected" ? [] : ["0 undetected"])].join(", ");
  }
  return `${hazards.length} ${noun}: ${parts.join(", ")}`;
}
