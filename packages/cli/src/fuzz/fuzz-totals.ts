/**
 * What a fuzz run adds up to: cases and steps per policy, outcomes per op, findings per class
 * (every occurrence counted, each defect kept once by its signature, with the first scenario
 * that showed it).
 * @module
 */
import { FINDING_CLASSES, type FindingClass } from "./classify.js";
import type { CaseFinding, CaseReport, Coverage } from "./fuzz-case.js";

/** The running totals of a fuzz run. */
export class FuzzTotals {
  /** Cases finished. */
  cases = 0;
  /** Steps run per policy. */
  readonly steps: Record<string, number> = {};
  /** Outcomes per op. */
  readonly coverage: Coverage = {};
  /** Cases with a finding of each class. */
  readonly classCounts = Object.fromEntries(FINDING_CLASSES.map((c) => [c, 0])) as Record<FindingClass, number>;
  /** One finding per signature, first seen first, with the seed of its case. */
  readonly unique: { readonly seed: number; readonly finding: CaseFinding; count: number }[] = [];
  private readonly bySignature = new Map<string, { count: number }>();

  /** Steps over all policies. */
  get totalSteps(): number {
    return Object.values(this.steps).reduce((a, b) => a + b, 0);
  }

  /** Add one finished case. */
  add(r: CaseReport): void {
    this.cases++;
    for (const [p, n] of Object.entries(r.steps)) this.steps[p] = (this.steps[p] ?? 0) + n;
    for (const [op, row] of Object.entries(r.coverage)) {
      const mine = (this.coverage[op] ??= {});
      for (const [o, n] of Object.entries(row)) mine[o] = (mine[o] ?? 0) + n;
    }
    for (const f of r.findings) this.addFinding(r.seed, f);
  }

  /** Add a finding (from a case, or a hang the pool saw). */
  addFinding(seed: number, f: CaseFinding): void {
    this.classCounts[f.finding.class]++;
    const seen = this.bySignature.get(f.signature);
    if (seen !== undefined) {
      seen.count++;
      return;
    }
    const entry = { seed, finding: f, count: 1 };
    this.bySignature.set(f.signature, entry);
    this.unique.push(entry);
  }
}
