/**
 * (issue 21) Where an explore finding shows in the recorded columns: the column that runs the
 * finding's policy at its kernel era (else one that runs its policy at another era), and the
 * step where its hazard (class and outcome) is first recorded, or where its expectation fails.
 */
import type { FindingHeader } from "./finding-header.js";
import type { Recording } from "./recording.js";

/** Where a finding shows. */
export interface FindingTarget {
  /** The column's key. */
  readonly key: string;
  /** The column's label (`legacy-get @ v5.3`). */
  readonly label: string;
  /** The column runs the finding's kernel era (false: its policy at another era). */
  readonly sameEra: boolean;
  /** The step where the finding shows, or undefined when it does not show in this column (yet). */
  readonly step: number | undefined;
}

/** The step of `rec` where `f` shows: its hazard's first, or its failed expectation's step. */
export function findingStep(f: FindingHeader, rec: Recording): number | undefined {
  if (f.class !== "expectation") return rec.hazards.find((hz) => hz.class === f.class && hz.outcome === f.outcome)?.step;
  const failed = (i: number) => rec.steps[i]?.expectations.some((e) => !e.pass) === true;
  if (f.step !== undefined && failed(f.step)) return f.step;
  const i = rec.steps.findIndex((s) => s.expectations.some((e) => !e.pass));
  return i < 0 ? undefined : i;
}

/** Where `f` shows among `recs` (undefined when no column runs its policy). */
export function findingTarget(f: FindingHeader, recs: readonly Recording[]): FindingTarget | undefined {
  const rec = recs.find((r) => r.policy === f.policy && r.era.id === f.kernel) ?? recs.find((r) => r.policy === f.policy);
  if (rec === undefined) return undefined;
  return { key: rec.key, label: rec.label, sameEra: rec.era.id === f.kernel, step: findingStep(f, rec) };
}
