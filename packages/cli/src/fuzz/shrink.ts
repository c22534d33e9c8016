/**
 * Shrinking a failing case to what it needs: delta debugging over the body's steps (Zeller's
 * ddmin: drop chunks while the finding stays, halving the chunk until single steps), then over
 * the declarations (files, devices, processes, machine options) and the fields of each step
 * (optional fields, list elements). A candidate keeps the finding when its run has a finding of
 * the same {@link findingSignature}; the cleanup tail is rebuilt for every candidate.
 * @module
 */
import { bodyOf } from "./cleanup-tail.js";
import { classifyCase, DIFFERENTIAL_PAIR, type Finding } from "./classify.js";
import type { RawScenario, RawStep } from "./gen-state.js";
import { runCase, type CaseEnv } from "./run-case.js";

/** What makes two findings the same for shrinking: class, policy and the message with numbers and generated names blanked. */
export function findingSignature(f: Finding): string {
  return `${f.class}|${f.policy}|${f.message.replace(/\b[a-z]+\d+(_\d+)?\b/g, "N").replace(/\d+/g, "N").replace(/"[^"]*"/g, "S").slice(0, 80)}`;
}

/** The policies a finding needs to show. */
export function policiesOf(f: Finding, all: readonly string[]): string[] {
  if (f.class === "differential") return [...DIFFERENTIAL_PAIR];
  return all.includes(f.policy) ? [f.policy] : [...all];
}

/** Options of {@link shrinkCase}. */
export interface ShrinkOptions {
  /** Most candidate runs (default 1500). */
  readonly maxRuns?: number;
}

/** A shrunk case. */
export interface Shrunk {
  /** The smallest scenario found that keeps the finding (body only: the tail is rebuilt when run). */
  readonly scenario: RawScenario;
  /** The finding as the shrunk scenario shows it. */
  readonly finding: Finding;
  /** Candidates run. */
  readonly runs: number;
}

/** Shrink `raw`, whose run showed `finding`, in `env` over `allPolicies`. */
export function shrinkCase(raw: RawScenario, finding: Finding, env: CaseEnv, allPolicies: readonly string[], opts: ShrinkOptions = {}): Shrunk {
  const sig = findingSignature(finding);
  const policies = policiesOf(finding, allPolicies);
  const maxRuns = opts.maxRuns ?? 1500;
  let runs = 0;
  let best = { ...raw, steps: bodyOf(raw.steps) };
  let bestFinding = finding;
  const keeps = (sc: RawScenario): boolean => {
    if (runs >= maxRuns) return false;
    runs++;
    const f = classifyCase(runCase(sc, policies, env)).find((x) => findingSignature(x) === sig);
    if (f === undefined) return false;
    bestFinding = f;
    return true;
  };
  const trySet = (sc: RawScenario) => {
    if (!keeps(sc)) return false;
    best = sc;
    return true;
  };
  // ddmin over the steps.
  let n = 2;
  while (best.steps.length >= 2 && runs < maxRuns) {
    const steps = best.steps;
    const size = Math.ceil(steps.length / n);
    let reduced = false;
    for (let start = 0; start < steps.length; start += size) {
      if (trySet({ ...best, steps: [...steps.slice(0, start), ...steps.slice(start + size)] })) {
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size <= 1) break;
      n = Math.min(n * 2, steps.length);
    }
  }
  // Declarations: each file, device and process; each optional machine field but the kernel era (a finding replays at its era).
  for (const key of ["files", "devices", "processes"] as const) {
    for (let i = best[key].length - 1; i >= 0; i--) trySet({ ...best, [key]: best[key].filter((_, j) => j !== i) });
  }
  for (const k of Object.keys(best.machine)) if (k !== "memory" && k !== "kernel") trySet({ ...best, machine: Object.fromEntries(Object.entries(best.machine).filter(([x]) => x !== k)) });
  // Fields of each step: optional fields, then list elements.
  for (let i = 0; i < best.steps.length; i++) {
    for (const k of Object.keys(best.steps[i])) {
      if (k === "op" || k === "as" || !(k in best.steps[i])) continue;
      const v = best.steps[i][k];
      if (Array.isArray(v)) {
        for (let j = v.length - 1; j >= 0; j--) trySet(withStep(best, i, { ...best.steps[i], [k]: (best.steps[i][k] as unknown[]).filter((_, x) => x !== j) }));
      }
      const { [k]: _drop, ...rest } = best.steps[i];
      trySet(withStep(best, i, rest));
    }
  }
  return { scenario: best, finding: bestFinding, runs };
}

function withStep(sc: RawScenario, i: number, step: RawStep): RawScenario {
  return { ...sc, steps: sc.steps.map((s, j) => (j === i ? step : s)) };
}
