/**
 * One fuzz case, start to end: generate the scenario of a seed, run it under every policy twice,
 * classify, shrink each finding, and count steps and coverage. What a worker process does per
 * case, and what the in-process fuzz (tests) calls directly.
 * @module
 */
import { withCleanupTail } from "./cleanup-tail.js";
import { classifyCase, flatRawSteps, type Finding } from "./classify.js";
import { generateScenario } from "./generate.js";
import type { RawScenario } from "./gen-state.js";
import { runCase, type CaseEnv, type CaseRun } from "./run-case.js";
import { findingSignature, shrinkCase } from "./shrink.js";

/** Per op (`device:KIND.ACTION` for device steps), how often each outcome came: `ok`, an errno, or `error` (a step error). */
export type Coverage = Record<string, Record<string, number>>;

/** A finding with the scenario that shows it. */
export interface CaseFinding {
  /** The finding (as the shrunk scenario shows it, when shrunk). */
  readonly finding: Finding;
  /** Its shrink signature (findings with the same one are the same defect). */
  readonly signature: string;
  /** The scenario, shrunk when asked (its tail rebuilt). */
  readonly scenario: RawScenario;
  /** Steps before and after shrinking, and candidates run. */
  readonly shrink?: { readonly from: number; readonly to: number; readonly runs: number };
}

/** What one case gave. */
export interface CaseReport {
  /** The case's seed. */
  readonly seed: number;
  /** Steps run per policy (tail included; each policy's second run not counted). */
  readonly steps: Record<string, number>;
  /** Outcomes per op, under every policy. */
  readonly coverage: Coverage;
  /** Findings, one per signature. */
  readonly findings: readonly CaseFinding[];
}

/** Options of a case. */
export interface CaseOptions {
  /** The policies to run under. */
  readonly policies: readonly string[];
  /** Most body steps of a generated scenario. */
  readonly maxSteps?: number;
  /** Kernel era of generated scenarios (their `machine.kernel`). */
  readonly kernel?: string;
  /** Shrink findings (default true). */
  readonly shrink?: boolean;
  /** Most candidate runs per shrink. */
  readonly shrinkRuns?: number;
  /** Signatures already shrunk by this process: a finding with one is reported as run (a worker shrinks each defect once). */
  readonly shrunk?: Set<string>;
}

/** Count the outcomes of `run` into `cov`. */
export function addCoverage(cov: Coverage, run: CaseRun): void {
  const devices = new Map(run.scenario.devices.map((d) => [String(d.name), String(d.kind)]));
  const flat = flatRawSteps(run);
  for (const [, [first]] of run.runs) {
    if (!("steps" in first.result)) continue;
    for (const s of first.result.steps) {
      const raw = flat[s.index] ?? {};
      const op = s.op === "device" ? `device:${devices.get(String(raw.device)) ?? "?"}.${String(raw.action)}` : s.op;
      const outcome = s.error !== undefined ? "error" : (s.errno ?? "ok");
      const row = (cov[op] ??= {});
      row[outcome] = (row[outcome] ?? 0) + 1;
    }
  }
}

/** Classify and (optionally) shrink a given scenario: a replay, or one generated case. */
export function checkScenario(raw: RawScenario, seed: number, env: CaseEnv, opts: CaseOptions): CaseReport {
  const run = runCase(raw, opts.policies, env);
  const steps: Record<string, number> = {};
  for (const p of run.runs.keys()) steps[p] = run.scenario.steps.length;
  const coverage: Coverage = {};
  addCoverage(coverage, run);
  const findings: CaseFinding[] = [];
  const seen = new Set<string>();
  for (const f of classifyCase(run)) {
    const signature = findingSignature(f);
    if (seen.has(signature)) continue;
    seen.add(signature);
    if (opts.shrink === false || f.class === "generator" || opts.shrunk?.has(signature) === true) {
      findings.push({ finding: f, signature, scenario: run.scenario });
      continue;
    }
    opts.shrunk?.add(signature);
    const s = shrinkCase(raw, f, env, opts.policies, opts.shrinkRuns !== undefined ? { maxRuns: opts.shrinkRuns } : {});
    const scenario = withCleanupTail(s.scenario, env.targets);
    findings.push({ finding: s.finding, signature, scenario, shrink: { from: run.scenario.steps.length, to: scenario.steps.length, runs: s.runs } });
  }
  return { seed, steps, coverage, findings };
}

/** Generate the scenario of `seed` and check it. */
export function fuzzCase(seed: number, env: CaseEnv, opts: CaseOptions): CaseReport {
  return checkScenario(generateScenario(seed, env.targets, {
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}), ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}),
  }), seed, env, opts);
}
