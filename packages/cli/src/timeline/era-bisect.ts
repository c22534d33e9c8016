/**
 * Citing the commit behind a change between two eras: run the earlier era's rules with each
 * single rule change of the later era applied, and cite the changes whose single application
 * reproduces the later era's outcome (all of them when none does alone).
 * @module
 */
import { KERNEL_ERAS, eraIndex, type EraChange, type KernelEra, type PolicyResult } from "@pinlab/core";
import type { Citation, Cited } from "./timeline-types.js";

/** One rule change between two eras, with the era that brought it. */
export interface EraStepChange {
  /** The change. */
  readonly change: EraChange;
  /** The era whose `changes` list it. */
  readonly era: KernelEra;
}

/** Every change after era `a` up to and including era `b` (`b` later than `a`), in era order. */
export function changesBetween(a: KernelEra, b: KernelEra): EraStepChange[] {
  const lo = eraIndex(a.id);
  const hi = eraIndex(b.id);
  return KERNEL_ERAS.slice(lo + 1, hi + 1).flatMap((era) => era.changes.map((change) => ({ change, era })));
}

/**
 * Era `a` with the one change `c` applied: `a`'s id (so `expect_by_kernel` keys still match
 * `a`), its rules but `c.rule`, and `c` as its only change.
 */
export function singleChangeEra(a: KernelEra, c: EraChange): KernelEra {
  return {
    id: a.id, release: a.release, date: a.date, summary: `${a.id} with ${c.commit} applied alone`,
    rules: { ...a.rules, [c.rule]: c.value }, changes: [c],
  };
}

/** The citation of one change. */
export function citationOf(s: EraStepChange): Citation {
  return {
    commit: s.change.commit, title: s.change.title, rule: s.change.rule, value: s.change.value, era: s.era.id,
    ...(s.change.release !== undefined ? { release: s.change.release } : {}),
  };
}

/** Runs the single-change bisects of one policy, each pair of eras once (cached). */
export class Bisector {
  private readonly cache = new Map<string, { step: EraStepChange; result: PolicyResult }[]>();
  /** Runs made so far. */
  runs = 0;

  /** `run` runs the scenario under the policy with custom era rules. */
  constructor(private readonly run: (era: KernelEra) => PolicyResult) {}

  /** The runs of `a` with each change up to `b` applied alone. */
  private trials(a: KernelEra, b: KernelEra): { step: EraStepChange; result: PolicyResult }[] {
    const key = `${a.id}>${b.id}`;
    let out = this.cache.get(key);
    if (out === undefined) {
      out = changesBetween(a, b).map((step) => {
        this.runs++;
        return { step, result: this.run(singleChangeEra(a, step.change)) };
      });
      this.cache.set(key, out);
    }
    return out;
  }

  /**
   * Cite the change from `a` to `b` of what `sig` reads from a result: the changes whose run gives
   * `sig(later)`; every change between the eras when none does.
   */
  cite(a: KernelEra, b: KernelEra, later: PolicyResult, sig: (r: PolicyResult) => string): Cited {
    const want = sig(later);
    const trials = this.trials(a, b);
    const hits = trials.filter((t) => t.result.error === undefined && sig(t.result) === want);
    return hits.length > 0
      ? { cite: hits.map((t) => citationOf(t.step)), alone: true }
      : { cite: trials.map((t) => citationOf(t.step)), alone: false };
  }
}
