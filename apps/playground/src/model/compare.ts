/**
 * Side by side: what each step did in each column (a policy, or a policy at a kernel era),
 * whether the columns disagree on it, and which hazards of one column have no counterpart in
 * another. Columns are keyed by their recording's `key`.
 */
import { quoteText, type Hazard, type StepResult } from "@pinlab/core";
import type { Recording } from "./recording.js";

/** What one step did under one policy, reduced to what a comparison looks at. */
export interface StepOutcome {
  /** The step succeeded. */
  readonly ok: boolean;
  /** Errno name, or null. */
  readonly errno: string | null;
  /** A problem that is not an errno. */
  readonly error: string | undefined;
  /** The result, as JSON (exact: a NUL is `\u0000`), what a comparison looks at. */
  readonly result: string;
  /** The result for a person to read ({@link resultText}), or undefined when the step has none. */
  readonly shown: string | undefined;
  /** Hazards recorded during the step, as `class:outcome`, sorted. */
  readonly hazards: readonly string[];
  /** Every expectation of the step held. */
  readonly passed: boolean;
}

/** One step across the compared policies. */
export interface StepComparison {
  /** Step index. */
  readonly index: number;
  /** The op. */
  readonly op: string;
  /** Outcome per column key (absent while a column has not run the step yet). */
  readonly outcomes: ReadonlyMap<string, StepOutcome>;
  /** The columns disagree on the outcome (errno, result, error or hazards). */
  readonly differs: boolean;
}

/** The outcome of step `i` of `rec`, or undefined when it has not run. */
export function stepOutcome(rec: Recording, i: number): StepOutcome | undefined {
  const s: StepResult | undefined = rec.steps[i];
  if (s === undefined) return undefined;
  return {
    ok: s.ok, errno: s.errno, error: s.error, result: JSON.stringify(s.result ?? null), shown: resultText(s.result),
    hazards: rec.hazards.filter((h) => h.step === i).map((h) => `${h.class}:${h.outcome}`).sort(),
    passed: s.expectations.every((e) => e.pass),
  };
}

/**
 * A step's result for a person: bytes read (`read`, `peek`, `dma_read`) quoted with NULs and
 * other control bytes escaped (`"\0\0ab"`, core's `quoteText`), an address in hex, anything
 * else as JSON; cut to 80 characters. Undefined for no result.
 */
export function resultText(result: unknown): string | undefined {
  if (result === undefined || result === null) return undefined;
  const text = typeof result === "string" ? quoteText(result)
    : typeof result === "number" && Number.isInteger(result) && result >= 0x10000 ? `0x${result.toString(16)}`
      : JSON.stringify(result);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function signature(o: StepOutcome): string {
  return JSON.stringify([o.ok, o.errno, o.error ?? null, o.result, o.hazards]);
}

/** Compare every step across `recs` (one per column). */
export function compareSteps(recs: readonly Recording[]): StepComparison[] {
  const first = recs[0];
  if (first === undefined) return [];
  return first.scenario.steps.map((step, index) => {
    const outcomes = new Map<string, StepOutcome>();
    for (const r of recs) {
      const o = stepOutcome(r, index);
      if (o !== undefined) outcomes.set(r.key, o);
    }
    const sigs = new Set([...outcomes.values()].map(signature));
    return { index, op: step.op, outcomes, differs: outcomes.size === recs.length && sigs.size > 1 };
  });
}

/** A short label of an outcome for a table cell: `ok`, an errno, `error`, plus hazard marks. */
export function outcomeLabel(o: StepOutcome): string {
  const head = o.error !== undefined ? "error" : o.errno ?? "ok";
  if (o.hazards.length === 0) return head;
  const counts = new Map<string, number>();
  for (const h of o.hazards) counts.set(h, (counts.get(h) ?? 0) + 1);
  return `${head} · ${[...counts].map(([h, n]) => `${n > 1 ? `${n}× ` : ""}${h.replace(":", " ")}`).join(", ")}`;
}

function hazardKey(h: Hazard): string {
  return `${h.class}|${h.outcome}|${h.step}`;
}

/**
 * For each column key, the indexes (into its `hazards`) of hazards that some other compared column
 * does not have (same class, outcome and step, counted with multiplicity).
 */
export function distinctHazards(recs: readonly Recording[]): Map<string, Set<number>> {
  const counts = new Map<string, Map<string, number>>();
  for (const r of recs) {
    const c = new Map<string, number>();
    for (const h of r.hazards) c.set(hazardKey(h), (c.get(hazardKey(h)) ?? 0) + 1);
    counts.set(r.key, c);
  }
  const out = new Map<string, Set<number>>();
  for (const r of recs) {
    const mine = new Set<number>();
    const seen = new Map<string, number>();
    r.hazards.forEach((h, i) => {
      const key = hazardKey(h);
      const nth = (seen.get(key) ?? 0) + 1;
      seen.set(key, nth);
      if (recs.some((o) => o !== r && (counts.get(o.key)?.get(key) ?? 0) < nth)) mine.add(i);
    });
    out.set(r.key, mine);
  }
  return out;
}

/** The first step at which the compared columns disagree, or -1. */
export function firstDivergence(rows: readonly StepComparison[]): number {
  return rows.find((r) => r.differs)?.index ?? -1;
}
