/**
 * The fault sweep: a scenario run again and again with one failure injected at each call of a
 * fault point in turn (the first allocation, then the second, ...), as the kernel's fail-nth
 * does, each run under the fuzzer's checks: invariants after every step, the cleanup tail and
 * the leak audit. The error paths are exercised on purpose, one by one, not by filling memory.
 * The scenario's own expectations do not count (an injected failure changes what they see).
 * @module
 */
import { FAULT_POINTS, type FaultPoint } from "@pinlab/core";
import { classifyCase, type Finding } from "./classify.js";
import type { RawScenario } from "./gen-state.js";
import { runCase, type CaseEnv } from "./run-case.js";

/** Options of a sweep. */
export interface SweepOptions {
  /** Points to sweep (default: all). */
  readonly points?: readonly FaultPoint[];
  /** Most call indices swept per point and policy: the first ones (default 16). */
  readonly maxIndices?: number;
}

/** A finding of a sweep, with where the failure was injected. */
export interface SweepFinding {
  /** The point. */
  readonly point: FaultPoint;
  /** The call that failed (1-based). */
  readonly call: number;
  /** What went wrong. */
  readonly finding: Finding;
}

/** What a sweep did and found. */
export interface SweepResult {
  /** Calls each point saw in the run without injected faults, per policy. */
  readonly calls: Record<string, Record<FaultPoint, number>>;
  /** Runs made (each a policy run twice). */
  readonly runs: number;
  /** Findings. */
  readonly findings: readonly SweepFinding[];
}

/** `raw` with exactly one failure, at call `call` of `point` (any `faults:` it had replaced). */
export function withOneFault(raw: RawScenario, point: FaultPoint, call: number): RawScenario {
  return { ...raw, machine: { ...raw.machine, faults: { [point]: { at: [call] } } } };
}

/** Sweep `raw` under `policies`. */
export function faultSweep(raw: RawScenario, policies: readonly string[], env: CaseEnv, opts: SweepOptions = {}): SweepResult {
  const points = opts.points ?? FAULT_POINTS;
  const max = opts.maxIndices ?? 16;
  const { faults: _own, ...machine } = raw.machine;
  const plain = { ...raw, machine };
  const calls: SweepResult["calls"] = {};
  const findings: SweepFinding[] = [];
  let runs = 0;
  const base = runCase(plain, policies, env);
  for (const [policy, [first]] of base.runs) {
    const stats = first.inst?.faults.stats();
    calls[policy] = Object.fromEntries(points.map((p) => [p, stats?.[p].calls ?? 0])) as Record<FaultPoint, number>;
  }
  for (const policy of policies) {
    for (const point of points) {
      for (let call = 1; call <= Math.min(calls[policy]?.[point] ?? 0, max); call++) {
        runs++;
        for (const finding of classifyCase(runCase(withOneFault(plain, point, call), [policy], env))) findings.push({ point, call, finding });
      }
    }
  }
  return { calls, runs, findings };
}
