/**
 * Checking a scenario's `history` entries against the eras a timeline computed: the hazard is
 * recorded in every era from `from` up to `to`, not in the era before `from` (unless `from` is
 * the oldest), not at `to`, and every commit the entry cites is among those the timeline cites
 * for the change at `from` and at `to`.
 * @module
 */
import type { KernelEra, PolicyResult } from "@pinlab/core";
import type { Bisector } from "./era-bisect.js";
import { hazardSteps } from "./era-outcomes.js";
import type { HistoryCheck } from "./timeline-types.js";

/** One `history` entry of a scenario (its validated form). */
export interface HistoryEntry {
  /** `class` or `class/outcome`. */
  readonly hazard: string;
  /** The only policy it applies to, if any. */
  readonly policy?: string;
  /** First era it is recorded in. */
  readonly from: string;
  /** First later era without it. */
  readonly to?: string;
  /** Commit ids the timeline must cite. */
  readonly cite: readonly string[];
}

/** The runs of one policy at every era, and its bisector. */
export interface EraResults {
  /** Every era, oldest first. */
  readonly eras: readonly KernelEra[];
  /** The run at each era (same order). */
  readonly results: readonly PolicyResult[];
  /** Cites changes between eras. */
  readonly bisector: Bisector;
}

/** Check the entries of `history` that apply to `policy` (those naming no policy, or it). */
export function checkHistory(history: readonly HistoryEntry[], policy: string, r: EraResults): HistoryCheck[] {
  const out: HistoryCheck[] = [];
  history.forEach((e, index) => {
    if (e.policy !== undefined && e.policy !== policy) return;
    const at = (id: string) => r.eras.findIndex((x) => x.id === id);
    const present = (i: number) => hazardSteps(r.results[i], e.hazard).length > 0;
    const sig = (res: PolicyResult) => (hazardSteps(res, e.hazard).length > 0 ? "recorded" : "absent");
    const from = at(e.from);
    const to = e.to !== undefined ? at(e.to) : r.eras.length;
    const problems: string[] = [];
    const missing = r.eras.slice(from, to).filter((_, k) => !present(from + k)).map((x) => x.id);
    if (missing.length > 0) problems.push(`not recorded at ${missing.join(", ")}`);
    if (from > 0 && present(from - 1)) problems.push(`already recorded at ${r.eras[from - 1].id}, the era before from`);
    if (e.to !== undefined && present(to)) problems.push(`still recorded at ${e.to} (to)`);
    const cited = new Set<string>();
    for (const i of [from, ...(e.to !== undefined ? [to] : [])]) {
      if (i === 0) continue;
      for (const c of r.bisector.cite(r.eras[i - 1], r.eras[i], r.results[i], sig).cite) cited.add(c.commit);
    }
    const uncited = e.cite.filter((c) => !cited.has(c));
    if (uncited.length > 0) problems.push(`cites ${uncited.join(", ")}, but the timeline cites ${cited.size > 0 ? [...cited].join(", ") : "nothing"} for the change at ${[e.from, e.to].filter((x) => x !== undefined).join(" and ")}`);
    out.push({ index, hazard: e.hazard, policy, from: e.from, ...(e.to !== undefined ? { to: e.to } : {}), pass: problems.length === 0, problems, cited: [...cited] });
  });
  return out;
}
