/**
 * `pinlab timeline`'s computation: a scenario run under each policy at each era, the windows of
 * every hazard, the steps whose outcome changes between adjacent eras, each change cited to its
 * commits by single-change runs (only at change points), and the scenario's `history` checked.
 * @module
 */
import { KERNEL_ERAS, runUnderPolicy, type KernelEra, type LoadedScenario, type PolicyResult, type RunOptions } from "@pinlab/core";
import { Bisector } from "./era-bisect.js";
import { hazardKey, hazardSteps, outcomeSig, stepOutcome } from "./era-outcomes.js";
import { checkHistory, type HistoryEntry } from "./history-check.js";
import type { EraRun, HazardWindow, PolicyTimeline, StepChange, Timeline } from "./timeline-types.js";

/** The summary of one era's run. */
function eraRun(r: PolicyResult, era: KernelEra): EraRun {
  const hazards: Record<string, number> = {};
  for (const h of r.hazards) hazards[hazardKey(h)] = (hazards[hazardKey(h)] ?? 0) + 1;
  return {
    kernel: era.id, passed: r.passed,
    expectations: r.steps.reduce((n, s) => n + s.expectations.length, 0),
    failed: r.steps.reduce((n, s) => n + s.expectations.filter((x) => !x.pass).length + (s.error !== undefined ? 1 : 0), 0),
    hazards, ...(r.error !== undefined ? { error: r.error } : {}),
  };
}

function hazardWindows(eras: readonly KernelEra[], results: readonly PolicyResult[], b: Bisector): HazardWindow[] {
  const keys = [...new Set(results.flatMap((r) => r.hazards.map(hazardKey)))].sort();
  return keys.map((hazard) => {
    const steps = results.map((r) => hazardSteps(r, hazard));
    const changes: HazardWindow["changes"][number][] = [];
    for (let i = 1; i < eras.length; i++) {
      const [before, after] = [steps[i - 1], steps[i]];
      if (JSON.stringify(before) === JSON.stringify(after)) continue;
      const kind = before.length === 0 ? "appears" : after.length === 0 ? "goes" : "steps";
      const sig = kind === "steps" ? (r: PolicyResult) => JSON.stringify(hazardSteps(r, hazard)) : (r: PolicyResult) => String(hazardSteps(r, hazard).length > 0);
      changes.push({ from: eras[i - 1].id, era: eras[i].id, kind, before, after, ...b.cite(eras[i - 1], eras[i], results[i], sig) });
    }
    const on = eras.map((e, i) => [e.id, steps[i]] as const).filter(([, s]) => s.length > 0);
    return { hazard, eras: on.map(([id]) => id), steps: Object.fromEntries(on), changes };
  });
}

function stepChanges(eras: readonly KernelEra[], results: readonly PolicyResult[], loaded: LoadedScenario, b: Bisector): StepChange[] {
  const out: StepChange[] = [];
  for (let step = 0; step < loaded.steps.length; step++) {
    for (let i = 1; i < eras.length; i++) {
      const before = stepOutcome(results[i - 1], step);
      const after = stepOutcome(results[i], step);
      if (outcomeSig(before) === outcomeSig(after)) continue;
      const cited = b.cite(eras[i - 1], eras[i], results[i], (r) => outcomeSig(stepOutcome(r, step)));
      out.push({ step, op: loaded.steps[step].op, from: eras[i - 1].id, era: eras[i].id, before, after, ...cited });
    }
  }
  return out;
}

/** The timeline of `loaded` under `policy` at `eras` (oldest first); `base` is every run's options. */
export function policyTimeline(loaded: LoadedScenario, policy: string, eras: readonly KernelEra[], base: RunOptions, checkEntries: boolean): PolicyTimeline {
  const results = eras.map((e) => runUnderPolicy(loaded, policy, { ...base, kernel: e.id }));
  const bisector = new Bisector((kernelEra) => runUnderPolicy(loaded, policy, { ...base, kernelEra }));
  const history = checkEntries ? checkHistory((loaded.header.history ?? []) as readonly HistoryEntry[], policy, { eras, results, bisector }) : [];
  return {
    policy,
    runs: results.map((r, i) => eraRun(r, eras[i])),
    hazards: hazardWindows(eras, results, bisector),
    steps: stepChanges(eras, results, loaded, bisector),
    history,
    bisectRuns: bisector.runs,
  };
}

/** Options of {@link computeTimeline}. */
export interface TimelineOptions {
  /** Every run's options (container, seed, policy options); its `kernel` and `kernelEra` are replaced per run. */
  readonly base: RunOptions;
  /** The policies, resolved. */
  readonly policies: readonly string[];
  /** The eras, oldest first (default every era). */
  readonly eras?: readonly KernelEra[];
}

/** Run the timeline of a loaded scenario. `history` is checked only when it covers every era. */
export function computeTimeline(loaded: LoadedScenario, opts: TimelineOptions): Timeline {
  const eras = opts.eras ?? KERNEL_ERAS;
  const every = eras.length === KERNEL_ERAS.length;
  const checked = every && (loaded.header.history ?? []).length > 0;
  return {
    scenario: loaded.header.name, file: loaded.file,
    kernels: eras.map((e) => ({ id: e.id, release: e.release, date: e.date })),
    historyEntries: (loaded.header.history ?? []).length,
    historyChecked: checked,
    policies: opts.policies.map((p) => policyTimeline(loaded, p, eras, opts.base, checked)),
  };
}
