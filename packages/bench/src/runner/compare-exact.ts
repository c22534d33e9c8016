/**
 * The exact part of `bench compare`: what a cell's kernels did does not depend on timing (a seed
 * gives the same hazards, refusals and audit answers on every run), so any difference between
 * two runs is a change of behaviour, reported with its counts before and after.
 * @module
 */
import type { CellResult } from "./cell.js";

/** What kind of exact result changed. */
export type ExactKind = "hazards" | "refusals" | "false-positives" | "other";

/** One exact figure of one cell that differs between the runs. */
export interface ExactChange {
  /** Cell id. */
  readonly cell: string;
  /** Which kind of result it is (what `--fail-on` names). */
  readonly kind: ExactKind;
  /**
   * Which figure: `cow_divergence.undetected` (hazards, class then outcome), `EFAULT` (refusals,
   * by errno), `falsePositives` (the audit's count of unpinned pages called pinned), or for
   * `other` the metric (`falseNegatives`, `accountingBytes`, `simNsPerPage`, `error`, and a
   * scenario workload's `expectationsFailed`).
   */
  readonly what: string;
  /** The baseline's value (0 for a class, outcome or errno it did not see; null for none). */
  readonly base: number | string | null;
  /** The new run's value. */
  readonly current: number | string | null;
}

type Flat = Map<string, number | string | null>;

function hazardCounts(c: CellResult): Flat {
  const out: Flat = new Map();
  for (const [cls, outcomes] of Object.entries(c.metrics.hazards)) {
    for (const [o, n] of Object.entries(outcomes ?? {})) out.set(`${cls}.${o}`, n);
  }
  return out;
}

function flat(entries: Readonly<Record<string, number | string | null>>): Flat {
  return new Map(Object.entries(entries));
}

/** Each kind's figures of a cell. */
function figures(c: CellResult): Record<ExactKind, Flat> {
  const m = c.metrics;
  return {
    hazards: hazardCounts(c),
    refusals: flat(m.refused),
    "false-positives": flat({ falsePositives: m.audit.falsePositives }),
    other: flat({
      falseNegatives: m.audit.falseNegatives, accountingBytes: m.accountingBytes, simNsPerPage: m.simNsPerPage, error: c.error ?? null,
      // A scenario workload's verdict (pinlab run's): expectations that failed in it.
      ...(typeof c.counters.expectationsFailed === "number" ? { expectationsFailed: c.counters.expectationsFailed } : {}),
    }),
  };
}

/** What a missing figure counts as: 0 for a count (a class or errno the run did not see), else null. */
function missing(kind: ExactKind): number | null {
  return kind === "other" ? null : 0;
}

/** Every exact figure of `current` that differs from `base` (same cell), in kind order, then key order of first appearance. */
export function exactChanges(base: CellResult, current: CellResult): ExactChange[] {
  const b = figures(base);
  const n = figures(current);
  const out: ExactChange[] = [];
  for (const kind of ["hazards", "refusals", "false-positives", "other"] as const) {
    for (const what of new Set([...b[kind].keys(), ...n[kind].keys()])) {
      const before = b[kind].get(what) ?? missing(kind);
      const after = n[kind].get(what) ?? missing(kind);
      if (before !== after) out.push({ cell: current.id, kind, what, base: before, current: after });
    }
  }
  return out;
}
