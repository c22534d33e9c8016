/**
 * What is wrong with a case run ({@link CaseRun}), by class: a crash (an internal error, a
 * device plugin's bug, anything thrown out of the runner), an invariant violated after a step,
 * nondeterminism (the two runs of one policy differ in any step or in their event hash), a leak
 * after the cleanup tail, a wrong result (a write read straight back differs), and the
 * differential between `pin-bias` and `exact-pincount`, which apply the same v6.12 rules: every
 * step's ok, errno and result must match. `hang` is found by the worker pool (a case that does
 * not finish in time); `generator` is a generated scenario the loader refused (a fuzzer bug).
 * @module
 */
import { textToBytes, type StepResult } from "@pinlab/core";
import { auditLeaks } from "./leak-audit.js";
import type { CaseRun, PolicyRun } from "./run-case.js";
import type { RawStep } from "./gen-state.js";

/** Classes of findings. */
export const FINDING_CLASSES = ["crash", "invariant", "nondeterminism", "hang", "leak", "wrong-result", "differential", "generator"] as const;

/** A class of finding. */
export type FindingClass = (typeof FINDING_CLASSES)[number];

/** The two policies the differential compares. */
export const DIFFERENTIAL_PAIR = ["pin-bias", "exact-pincount"] as const;

/** One finding. */
export interface Finding {
  /** Its class. */
  readonly class: FindingClass;
  /** The policy it was found under (`pin-bias/exact-pincount` for the differential, `*` when before any policy). */
  readonly policy: string;
  /** The step it concerns (index into the scenario's steps, tail included), if one. */
  readonly step?: number;
  /** What is wrong, in a sentence. */
  readonly message: string;
}

const INTERNAL = /internal error|unexpected exception|a bug in the device plugin|a bug in the code it was thrown from/;

const sameStep = (a: StepResult, b: StepResult) =>
  a.ok === b.ok && a.errno === b.errno && a.error === b.error && JSON.stringify(a.result) === JSON.stringify(b.result);

function showStep(s: StepResult): string {
  if (s.error !== undefined) return `error "${s.error.slice(0, 160)}"`;
  if (s.errno !== null) return s.errno;
  return `ok ${JSON.stringify(s.result)?.slice(0, 120) ?? ""}`;
}

function stepsOf(run: PolicyRun): readonly StepResult[] {
  return "steps" in run.result ? run.result.steps : [];
}

function perPolicy(c: CaseRun, policy: string, [a, b]: readonly [PolicyRun, PolicyRun]): Finding[] {
  const out: Finding[] = [];
  const f = (cls: FindingClass, message: string, step?: number) => out.push({ class: cls, policy, message, ...(step !== undefined ? { step } : {}) });
  if ("thrown" in a.result) return [{ class: "crash", policy, message: `the runner threw ${a.result.thrown}` }];
  if (a.result.error !== undefined) return [{ class: "crash", policy, message: `setting the scenario up failed: ${a.result.error}` }];
  const steps = a.result.steps;
  for (const s of steps) {
    if (s.error === undefined) continue;
    if (INTERNAL.test(s.error)) f("crash", `step ${s.index} (${s.op}): ${s.error}`, s.index);
    else if (s.error.startsWith("invariant violated")) f("invariant", `step ${s.index} (${s.op}): ${s.error}`, s.index);
    if (out.length > 0) return out;
  }
  const sb = stepsOf(b);
  if ("thrown" in b.result || sb.length !== steps.length) f("nondeterminism", `the second run ${"thrown" in b.result ? `threw ${b.result.thrown}` : `ran ${sb.length} steps, the first ${steps.length}`}`);
  else {
    const i = steps.findIndex((s, j) => !sameStep(s, sb[j]));
    if (i >= 0) f("nondeterminism", `step ${i} (${steps[i].op}) gave ${showStep(steps[i])}, then ${showStep(sb[i])}`, i);
    else if (a.result.eventsHash !== b.result.eventsHash) f("nondeterminism", `the event hashes differ: ${a.result.eventsHash.slice(0, 12)} then ${b.result.eventsHash.slice(0, 12)}`);
  }
  const raw = flatRawSteps(c);
  for (let i = 0; i + 1 < steps.length; i++) {
    const w = raw[i];
    if (w.op !== "write") continue;
    // The read right after the write, or after the writer's MADV_PAGEOUT and forks, which change
    // nothing it reads: bytes survive swap and a shared swap entry.
    let j = i + 1;
    while (j < steps.length && raw[j].proc === w.proc && ((raw[j].op === "madvise" && raw[j].advice === "pageout") || raw[j].op === "fork")) j++;
    const r = raw[j];
    if (j >= steps.length || r.op !== "read" || w.proc !== r.proc || w.addr !== r.addr || r.length !== textToBytes(String(w.data)).length) continue;
    if (steps[i].ok && steps[j].ok && steps[j].result !== w.data) {
      f("wrong-result", `step ${j} read back ${JSON.stringify(steps[j].result)} where step ${i} wrote ${JSON.stringify(w.data)}${j > i + 1 ? " (paged out or forked in between)" : ""}`, j);
    }
  }
  if (a.inst !== undefined && out.length === 0) for (const leak of auditLeaks({ inst: a.inst, pinnedVm: a.pinnedVm })) f("leak", leak);
  return out;
}

function differential(runs: CaseRun["runs"]): Finding[] {
  const [x, y] = DIFFERENTIAL_PAIR.map((p) => runs.get(p)?.[0]);
  if (x === undefined || y === undefined) return [];
  const sx = stepsOf(x);
  const sy = stepsOf(y);
  const n = Math.min(sx.length, sy.length);
  for (let i = 0; i < n; i++) {
    const a = sx[i];
    const b = sy[i];
    if (a.ok !== b.ok || a.errno !== b.errno || JSON.stringify(a.result) !== JSON.stringify(b.result)) {
      return [{ class: "differential", policy: DIFFERENTIAL_PAIR.join("/"), step: i, message: `step ${i} (${a.op}): ${DIFFERENTIAL_PAIR[0]} gave ${showStep(a)}, ${DIFFERENTIAL_PAIR[1]} ${showStep(b)}` }];
    }
  }
  return [];
}

/**
 * (issue 21) The scenario's raw steps in the order they ran: a concurrent block's steps where it
 * stands, in its order (the loaded scenario's source path of each step), so index i is step i.
 */
export function flatRawSteps(c: CaseRun): readonly RawStep[] {
  const paths = "steps" in c.loaded ? c.loaded.paths : undefined;
  if (paths === undefined) return c.scenario.steps;
  return paths.map((path) => {
    let v: unknown = c.scenario;
    for (const k of path) v = v === null || typeof v !== "object" ? undefined : (v as Record<PropertyKey, unknown>)[k];
    return (v ?? {}) as RawStep;
  });
}

/** Every finding of a case run. */
export function classifyCase(c: CaseRun): Finding[] {
  if ("refused" in c.loaded) return [{ class: "generator", policy: "*", message: `the loader refused a generated scenario: ${c.loaded.refused}` }];
  if ("thrown" in c.loaded) return [{ class: "crash", policy: "*", message: `loading threw ${c.loaded.thrown}` }];
  const out: Finding[] = [];
  for (const [p, pair] of c.runs) out.push(...perPolicy(c, p, pair));
  out.push(...differential(c.runs));
  return out;
}
