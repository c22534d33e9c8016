/**
 * `pinlab host` for one scenario (issue 20): the model and the host in lockstep. For each step the
 * host's call is planned against the names bound so far, the model runs the step (core's
 * executeStep, under the report's policy at the era nearest the host), the host runs its call, and
 * every expectation that applies is checked on both: the model's value from core's
 * checkExpectations, the host's from {@link observeBlock}, paired key by key.
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import {
  Bindings, checkBlock, DEFAULT_POLICY, errnoName, executeStep, expectationBlocks, pluginView, resolvePolicies, setUpKernel,
  type Expectations, type ExpectationResult, type LoadedScenario, type RunContext, type Step,
} from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import { AgentRefusedError } from "./agent-client.js";
import type { HostFacts } from "./host-facts.js";
import type { HostOutcome } from "./host-outcome.js";
import { observeBlock, type Observation } from "./host-observe.js";
import type { HostExpectation, ScenarioHostReport, SkippedStep } from "./host-report.js";
import { HostSession, relevantCaveats, type Caveat } from "./host-session.js";
import { planStep } from "./host-steps.js";

/** Options of {@link hostScenario}. */
export interface HostRunOptions {
  /** Registered policies and devices. */
  readonly container: DependencyContainer;
  /** The policy the model runs under (default: the scenario's when it names one, else `pin-bias`). */
  readonly policy?: string;
  /** The model's era (the one nearest the host kernel). */
  readonly kernel: string;
  /** The host. */
  readonly facts: HostFacts;
  /** The built agent binary. */
  readonly agentPath: string;
  /** The working directory (a candidate place for ext4 files). */
  readonly cwd: string;
  /** Called after each step (progress). */
  readonly onStep?: (index: number, total: number) => void;
}

/**
 * The policy of a host run: the option, else the scenario's single policy, else the default policy
 * (`pin-bias`, the one v6.12 follows) when the scenario's list (or `all`) has it, else the list's first.
 */
export function hostPolicy(loaded: LoadedScenario, container: DependencyContainer, option?: string): string {
  if (option !== undefined) return resolvePolicies(loaded, pluginView(container), { policy: option })[0]!;
  const list = resolvePolicies(loaded, pluginView(container), { defaultPolicy: DEFAULT_POLICY });
  return list.includes(DEFAULT_POLICY) ? DEFAULT_POLICY : list[0]!;
}

/** The model's value in the form the host's is compared with (a `same_frame_as` as "the same frame or not"). */
export function modelValue(r: ExpectationResult): unknown {
  if (r.key === "page.same_frame_as") {
    const a = r.actual as { frame: unknown; other: unknown };
    return typeof a.frame === "number" && a.frame === a.other;
  }
  return r.actual;
}

function opName(step: { op: string; action?: unknown }): string {
  return step.op === "device" ? `device.${String(step.action)}` : step.op;
}

function outcomeText(o: { errno?: string | null | number; error?: string }): string {
  if (o.error !== undefined) return "error";
  return o.errno === undefined || o.errno === null ? "ok" : String(o.errno);
}

/** Run `loaded` on the host and in the model, side by side. Never throws for what the host does; the report says. */
export async function hostScenario(loaded: LoadedScenario, opts: HostRunOptions): Promise<ScenarioHostReport> {
  const policy = hostPolicy(loaded, opts.container, opts.policy);
  const inst = setUpKernel(loaded, policy, { container: opts.container, kernel: opts.kernel });
  const ctx: RunContext = { inst, bindings: new Bindings(), scenario: loaded, plugins: pluginView(opts.container), policy, kernel: inst.kernel.kernelEra.id, index: 0 };
  const session = new HostSession(loaded, opts.facts, opts.agentPath, opts.cwd);
  const skipped: SkippedStep[] = [];
  const approximate: SkippedStep[] = [];
  const outcomes: ScenarioHostReport["outcomes"][number][] = [];
  const expectations: HostExpectation[] = [];
  let hostSteps = 0;
  let error: string | undefined;
  try {
    await session.setUp();
    for (let i = 0; i < loaded.steps.length; i++) {
      ctx.index = i;
      const step = loaded.steps[i]!;
      const op = opName(step as { op: string; action?: unknown });
      const plan = planStep(session, ctx);
      const model = executeStep(ctx);
      let host: HostOutcome;
      try {
        host = "skip" in plan ? { ran: false, reason: plan.skip } : await plan.run(model);
      } catch (e) {
        // The agent did not understand a request: a translation bug, reported on the step; a dead agent stops the scenario.
        if (!(e instanceof AgentRefusedError)) throw e;
        host = { ran: false, reason: `the agent refused the request: ${(e as Error).message}` };
      }
      if (step.op === "mmap" && model.errno === undefined && model.error === undefined && typeof model.result === "number" && (!host.ran || host.errno !== null)) {
        const why = host.ran ? `its mmap (step ${i}) failed on the host with ${host.errno}` : `its mmap (step ${i}) did not run on the host`;
        session.dead.push({ start: model.result, end: model.result + Math.max(step.length, 1), why });
      }
      if (host.ran) {
        hostSteps++;
        if (host.approx !== undefined) {
          approximate.push({ step: i, op, reason: host.approx });
          session.caveats.push(caveat(`step ${i} (${op}) ran approximately: ${host.approx}`, i, stepProcs(step, session)));
        }
        const m = outcomeText({ ...(model.errno !== undefined ? { errno: model.errno } : {}), ...(model.error !== undefined ? { error: model.error } : {}) });
        const modelText = model.errno !== undefined ? (errnoName(model.errno) ?? m) : m;
        const hostText = host.errno ?? "ok";
        const why = relevantCaveats(session.caveats, i, stepProcs(step, session));
        if (modelText !== hostText) outcomes.push({ step: i, op, model: modelText, host: hostText, ...(why.length > 0 ? { after: why } : {}) });
      } else {
        skipped.push({ step: i, op, reason: host.reason });
        session.caveats.push(caveat(`step ${i} (${op}) did not run on the host: ${host.reason}`, i, stepProcs(step, session)));
      }
      for (const block of expectationBlocks(ctx)) {
        const modelResults = checkBlock(ctx, block, model);
        const blockProcs = expectationProcs(block.expect);
        const why = relevantCaveats(session.caveats, i, blockProcs.length > 0 ? blockProcs : stepProcs(step, session));
        const values = modelResults.map(modelValue);
        let seen: Observation[];
        try {
          seen = await observeBlock(session, ctx, block.expect, host, values);
        } catch (e) {
          seen = modelResults.map(() => ({ unobservable: `observing failed: ${(e as Error).message}` }));
        }
        if (seen.length !== modelResults.length) seen = modelResults.map(() => ({ unobservable: `the model could not check this block (${String(modelResults[0]?.actual)})` }));
        modelResults.forEach((r, j) => {
          const o = seen[j]!;
          const base = { step: i, key: r.key, expected: r.expected, model: values[j], modelPasses: r.pass };
          if ("unobservable" in o) {
            expectations.push({ ...base, host: null, observable: false, agree: null, why: o.unobservable });
            return;
          }
          const agree = isDeepStrictEqual(values[j], o.host);
          expectations.push({
            ...base, host: o.host, observable: true, agree, ...(o.why !== undefined ? { why: o.why } : {}),
            ...(!agree && why.length > 0 ? { after: why } : {}),
          });
        });
      }
      opts.onStep?.(i, loaded.steps.length);
    }
  } catch (e) {
    error = (e as Error).message;
  } finally {
    const problems = await session.close();
    if (problems.length > 0) error = [error, ...problems].filter((x) => x !== undefined).join("; ");
  }
  return {
    file: loaded.file, name: loaded.header.name, policy, kernel: ctx.kernel, steps: loaded.steps.length, hostSteps,
    skipped, approximate, outcomes, expectations, ...(error !== undefined ? { error } : {}),
  };
}

/** A caveat of step `step`; a step about no process (reclaim, khugepaged, compact) concerns them all. */
function caveat(text: string, step: number, procs: string[]): Caveat {
  return procs.length > 0 ? { text, step, procs } : { text, step };
}

/** The processes a step concerns: its `proc` and `child`, a device action's `proc`, the holder of a handle or region it names. */
function stepProcs(step: Step, session: HostSession): string[] {
  const f = step as unknown as Record<string, unknown>;
  const out = new Set<string>();
  for (const k of ["proc", "child"]) if (typeof f[k] === "string") out.add(f[k] as string);
  for (const k of ["handle", "region"]) {
    const h = typeof f[k] === "string" ? session.handles.get(f[k] as string) : undefined;
    if (h !== undefined) out.add(h.proc);
  }
  return [...out];
}

/** The processes an expectation block looks at (`page`, `data`, `same_frame_as`, `pinned_vm`); empty when none. */
function expectationProcs(e: Expectations): string[] {
  const out = new Set<string>();
  for (const p of e.page === undefined ? [] : Array.isArray(e.page) ? e.page : [e.page]) {
    out.add(p.proc);
    if (p.same_frame_as !== undefined && "proc" in p.same_frame_as) out.add(p.same_frame_as.proc);
  }
  for (const d of e.data === undefined ? [] : Array.isArray(e.data) ? e.data : [e.data]) out.add(d.proc);
  const pv = e.counters?.pinned_vm as { proc?: string } | undefined;
  if (pv?.proc !== undefined) out.add(pv.proc);
  return [...out];
}

