/**
 * Running a loaded scenario: a fresh kernel per policy (its own DI child container), files,
 * devices and processes set up, then every step executed and its expectations checked.
 * @module
 */
import type { KernelEra } from "../era/era-rules.js";
import { eraMatches } from "../era/era-lookup.js";
import { describeThrown } from "./describe-thrown.js";
import type { DependencyContainer } from "tsyringe";
import { attachDevice } from "../instance/attach.js";
import { KernelError, ModelError, errnoName } from "../errno.js";
import { createKernel, type KernelInstance } from "../instance/create-kernel.js";
import { DEFAULT_POLICY } from "../config/kernel-config.js";
import { Bindings, StepInputError } from "./bindings.js";
import { checkExpectations } from "./expect.js";
import { DEFAULT_FULL_AUDIT_EVERY, InvariantAudit } from "../invariants/incremental-audit.js";
import { stepPath, type LoadedScenario } from "./load-scenario.js";
import { fieldIn } from "./concurrent-block.js";
import type { Expectations } from "./schema/expectations.js";
import { machineConfig } from "./machine-config.js";
import { execute } from "./ops/index.js";
import { pluginView, type PluginView } from "./registry-view.js";
import type { ExpectationResult, PolicyResult, ScenarioReport, StepResult } from "./report.js";
import type { RunContext, StepOutcome } from "./run-context.js";
import { ScenarioError, formatProblem } from "./scenario-error.js";
import { stateSnapshot } from "./state-snapshot.js";
import { StepScheduler } from "./step-scheduler.js";
import { WouldBlockError } from "../sim/preemption.js";

/** Options of a run. */
export interface RunOptions {
  /** The container with registered policies and devices. */
  readonly container: DependencyContainer;
  /** Policies to run under, overriding the scenario's `policy` (a name, names, or `all`). */
  readonly policy?: string | readonly string[];
  /** Seed, overriding the scenario's. */
  readonly seed?: number;
  /** Keep the event log in each result. */
  readonly trace?: boolean;
  /**
   * Audit the model after every step (also turned on by the scenario's `check_invariants`):
   * incrementally (the frames the step touched and the ones in use), with a full audit every
   * `fullAuditEvery` audits and at the end of the run.
   */
  readonly checkInvariants?: boolean;
  /** With audits on: audits from one full audit to the next (default {@link DEFAULT_FULL_AUDIT_EVERY}; 1: every audit is full). */
  readonly fullAuditEvery?: number;
  /** The policy used when neither the scenario nor the caller names one (default `pin-bias`). */
  readonly defaultPolicy?: string | readonly string[];
  /** (2.0) The kernel era to run on, overriding the scenario's `machine.kernel` (`--kernel`). */
  readonly kernel?: string;
  /** (2.0) Custom era rules to run instead of any era id (see `CreateKernelOptions.kernelEra`). */
  readonly kernelEra?: KernelEra;
  /** (2.0) The era when neither the caller nor the scenario names one (a config's `kernel`); absent: each policy's default era. */
  readonly defaultKernel?: string;
  /** Policy options per policy id, under the scenario's own `policy_options` (which win). */
  readonly policyOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** (issue 19) Steps after which to take the state (`pinlab run --state`): their results carry `state`. Taking it changes no event. */
  readonly stateAt?: ReadonlySet<number>;
  /** Called after each step (for progress and the playground). */
  readonly onStep?: (policy: string, step: StepResult, inst: KernelInstance) => void;
}

/** The policies a run covers, in registration order for `all`. Throws ScenarioError for unknown names. */
export function resolvePolicies(loaded: LoadedScenario, plugins: PluginView, opts: Pick<RunOptions, "policy" | "defaultPolicy">): string[] {
  const requested = opts.policy ?? loaded.header.policy ?? opts.defaultPolicy ?? DEFAULT_POLICY;
  const list = typeof requested === "string" ? [requested] : [...requested];
  const known = [...plugins.policies.keys()];
  const out: string[] = [];
  for (const p of list) {
    if (p === "all") out.push(...known);
    else if (plugins.policies.has(p)) out.push(p);
    else throw new ScenarioError([{ file: loaded.file, message: `unknown policy "${p}"; registered policies: ${known.join(", ")} (or all)` }]);
  }
  return [...new Set(out)];
}

/** The `kernel` a run's config gets: `--kernel`, else the scenario's `machine.kernel`, else the config's; none: the policy's default era. */
function kernelOf(h: LoadedScenario["header"], opts: RunOptions): { kernel?: string } {
  const id = opts.kernel ?? h.machine.kernel ?? opts.defaultKernel;
  return id === undefined ? {} : { kernel: id };
}

/** Build a kernel for `policy` and set up the scenario's files, devices and processes. */
export function setUpKernel(loaded: LoadedScenario, policy: string, opts: RunOptions): KernelInstance {
  const h = loaded.header;
  const inst = createKernel(
    {
      machine: machineConfig(h.machine),
      seed: opts.seed ?? h.seed,
      policy,
      policyOptions: { ...opts.policyOptions?.[policy], ...h.policy_options?.[policy] },
      ...kernelOf(h, opts),
      ...(h.machine.writeback_latency !== undefined ? { writebackLatency: h.machine.writeback_latency } : {}),
      ...(h.machine.pinned_writeback !== undefined ? { pinnedWriteback: h.machine.pinned_writeback } : {}),
      ...(h.machine.faults !== undefined ? { faults: h.machine.faults } : {}),
      keepEventLog: opts.trace === true,
    },
    { container: opts.container, ...(opts.kernelEra !== undefined ? { kernelEra: opts.kernelEra } : {}) },
  );
  const k = inst.kernel;
  for (const f of h.files) {
    const inode = k.createFile(f.name, f.fs, f.size);
    if (f.pinned_writeback !== undefined) inode.pinnedWriteback = f.pinned_writeback;
  }
  for (const d of h.devices) attachDevice(inst, { name: d.name, kind: d.kind, options: d.options });
  for (const p of h.processes) {
    if (typeof p === "string") k.spawn(p);
    else k.spawn(p.name, { ...(p.memlock !== undefined ? { memlock: p.memlock } : {}), ...(p.uid !== undefined ? { uid: p.uid } : {}) });
  }
  return inst;
}

/**
 * (issue 20) Execute step `ctx.index` of the scenario and bind its `as:` name: the step's outcome,
 * before any expectation is checked. An exception becomes the outcome's errno or error, as
 * {@link runStep} reports it.
 */
export function executeStep(ctx: RunContext): StepOutcome {
  const step = ctx.scenario.steps[ctx.index];
  ctx.inst.kernel.events.emit("step", { index: ctx.index, op: step.op });
  let outcome: StepOutcome;
  try {
    outcome = execute(ctx, step);
  } catch (e) {
    if (e instanceof WouldBlockError) throw e; // the order cannot happen: the whole run stops (runUnderPolicy)
    if (e instanceof KernelError) outcome = { errno: e.errno, message: kernelErrorMessage(e) };
    else if (e instanceof ModelError) outcome = { error: e.message };
    else if (e instanceof StepInputError) {
      const path = stepPath(ctx.scenario, ctx.index);
      outcome = { error: formatProblem({ file: ctx.scenario.file, pos: ctx.scenario.map.pos([...path, e.field.split(".")[0]]), step: ctx.index, op: step.op, field: fieldIn(path, e.field), message: e.message }) };
    } else outcome = { error: `unexpected exception: ${describeThrown(e)}; a bug in the code it was thrown from (a plugin's, or pinlab's)` };
  }
  // A step that failed binds a marker saying so, whatever its op: a later step naming it is told
  // which step failed and why, not that the name is undefined.
  if (step.as !== undefined && (outcome.errno !== undefined || outcome.error !== undefined)) {
    ctx.bindings.set(step.as, { kind: "failed", step: ctx.index, why: outcome.error ?? errnoName(outcome.errno ?? 0) ?? "error" });
  } else if (step.as !== undefined && (step.op === "mmap" || step.op === "mremap")) {
    ctx.bindings.set(step.as, { kind: "address", value: outcome.result as number, ...(outcome.end !== undefined ? { end: outcome.end } : {}) });
  } else if (step.as !== undefined && step.op !== "gup" && step.op !== "device") {
    ctx.bindings.set(step.as, { kind: "value", value: outcome.result });
  }
  return outcome;
}

/** One `expect` block of a step that applies to this run, and whether it came from `expect_by_policy` / `expect_by_kernel`. */
export interface ExpectationBlock {
  /** The block. */
  readonly expect: Expectations;
  /** True for a block of `expect_by_policy` or `expect_by_kernel`. */
  readonly byPolicy: boolean;
}

/**
 * (issue 20) The `expect` blocks of step `ctx.index` that apply to this run, in the order they are
 * checked: `expect`, then the policy's `expect_by_policy`, then each matching `expect_by_kernel`.
 */
export function expectationBlocks(ctx: RunContext): ExpectationBlock[] {
  const step = ctx.scenario.steps[ctx.index];
  const out: ExpectationBlock[] = [];
  if (step.expect !== undefined) out.push({ expect: step.expect, byPolicy: false });
  const mine = step.expect_by_policy?.[ctx.policy];
  if (mine !== undefined) out.push({ expect: mine, byPolicy: true });
  if (step.expect_by_kernel !== undefined) {
    for (const [key, e] of Object.entries(step.expect_by_kernel)) if (eraMatches(key, ctx.kernel) === true) out.push({ expect: e, byPolicy: true });
  }
  return out;
}

/**
 * Check one expectation block after a step ran; an exception while checking becomes one failed
 * `expect` result saying what went wrong.
 */
export function checkBlock(ctx: RunContext, block: ExpectationBlock, outcome: StepOutcome): ExpectationResult[] {
  try {
    return checkExpectations(ctx, block.expect, outcome, block.byPolicy);
  } catch (err) {
    const msg = err instanceof KernelError || err instanceof StepInputError ? err.message : `unexpected exception: ${describeThrown(err)}; a bug in the code it was thrown from (a plugin's, or pinlab's)`;
    return [{ key: "expect", expected: block.expect, actual: msg, pass: false, byPolicy: block.byPolicy }];
  }
}

/**
 * Run one step and check its expectations; then, unless it failed, audit the model: `true` runs
 * the full audit, an {@link InvariantAudit} its next (usually incremental) audit.
 */
export function runStep(ctx: RunContext, checkInvariants: boolean | InvariantAudit): StepResult {
  const step = ctx.scenario.steps[ctx.index];
  const outcome = executeStep(ctx);
  const expectations: ExpectationResult[] = [];
  for (const block of expectationBlocks(ctx)) expectations.push(...checkBlock(ctx, block, outcome));
  let error = outcome.error;
  if (checkInvariants !== false && error === undefined) {
    const v = checkInvariants === true ? ctx.inst.check() : checkInvariants.check();
    if (v.length > 0) error = `invariant violated after this step: ${v.join("; ")}`;
  }
  return {
    index: ctx.index, op: step.op, ok: outcome.errno === undefined && error === undefined,
    errno: outcome.errno !== undefined ? (errnoName(outcome.errno) ?? String(outcome.errno)) : null,
    result: outcome.result === undefined ? null : outcome.result, expectations,
    ...(outcome.message !== undefined ? { message: outcome.message } : {}),
    ...(error !== undefined ? { error } : {}), ...(step.note !== undefined ? { note: step.note } : {}),
    ...(outcome.state !== undefined ? { state: outcome.state } : {}),
  };
}

/** A KernelError's message without the `EFAULT: ` its constructor puts first (the errno is shown beside it). */
function kernelErrorMessage(e: KernelError): string {
  const prefix = `${e.errnoName ?? `errno ${e.errno}`}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/** Run a scenario under one policy. */
export function runUnderPolicy(loaded: LoadedScenario, policy: string, opts: RunOptions, plugins = pluginView(opts.container)): PolicyResult {
  let inst: KernelInstance;
  try {
    inst = setUpKernel(loaded, policy, opts);
  } catch (e) {
    return { policy, passed: false, steps: [], hazards: [], counters: {}, eventsHash: "", error: (e as Error).message };
  }
  const bindings = new Bindings();
  const kernel = inst.kernel.kernelEra.id;
  const ctx: RunContext = { inst, bindings, scenario: loaded, plugins, policy, kernel, index: 0 };
  // A scenario may switch the per-step audit off (very long stories); it then checks `invariants: true` where it matters.
  const audit = (loaded.header.check_invariants ?? opts.checkInvariants === true)
    ? new InvariantAudit(inst.kernel, inst.gup, opts.fullAuditEvery ?? DEFAULT_FULL_AUDIT_EVERY) : false;
  const steps: StepResult[] = [];
  // (issue 21) Steps a concurrent block's order puts at another step's preemption point run inside it.
  const scheduler = loaded.nested !== undefined ? new StepScheduler(loaded, inst, (i) => runOne(i, false), (i) => { ctx.index = i; }) : undefined;
  let lastTop = loaded.steps.length - 1;
  while (lastTop > 0 && scheduler?.isNested(lastTop) === true) lastTop--;
  const runOne = (i: number, top: boolean) => {
    ctx.index = i;
    // The last step's audit is a full one: what the incremental audits since the last full one could not see.
    if (audit !== false && i === lastTop) audit.fullNext();
    // A step run inside another is not audited: the model is mid-operation there.
    let r = runStep(ctx, top ? audit : false);
    if (opts.stateAt?.has(i) === true && r.state === undefined) r = { ...r, state: stateSnapshot(inst) };
    const inside = loaded.nested?.[i];
    if (inside !== undefined) r = { ...r, inside };
    steps.push(r);
    opts.onStep?.(policy, r, inst);
  };
  let blocked: PolicyResult["blocked"];
  if (scheduler !== undefined) inst.kernel.preempt.handler = scheduler;
  try {
    for (let i = 0; i < loaded.steps.length; i++) {
      if (scheduler === undefined) runOne(i, true);
      else if (!scheduler.isNested(i)) {
        // runOne of a top step runs its nested steps: its own result comes after theirs.
        scheduler.run(i);
      }
    }
  } catch (e) {
    if (!(e instanceof WouldBlockError)) throw e;
    blocked = { step: scheduler?.blockedStep ?? ctx.index, point: e.point, message: e.message };
  } finally {
    inst.kernel.preempt.handler = null;
  }
  steps.sort((a, b) => a.index - b.index);

  const k = inst.kernel;
  const pinnedVm: Record<string, number> = {};
  for (const p of k.processes.values()) pinnedVm[p.name] = p.mm?.pinnedVm ?? 0;
  const lockedVm: Record<string, number> = {};
  for (const u of k.users.values()) lockedVm[u.uid] = u.lockedVm;
  const passed = blocked === undefined && steps.every((s) => s.error === undefined && s.expectations.every((x) => x.pass));
  return {
    policy, kernel, passed, steps,
    ...(blocked !== undefined ? { blocked, error: blocked.message } : {}),
    hazards: inst.oracle.hazards.map((h) => ({ class: h.class, outcome: h.outcome, step: h.step, device: h.device, pfn: h.pfn, detail: h.detail })),
    counters: { ...k.vmstat.snapshot(), pinned_vm: pinnedVm, locked_vm: lockedVm, invalidations: { ...k.notifiers.counts } },
    eventsHash: k.events.hash(),
    ...(opts.trace === true ? { events: [...k.events.events] } : {}),
  };
}

/** Run a scenario under each of its policies. Throws ScenarioError for an unknown policy. */
export function runScenario(loaded: LoadedScenario, opts: RunOptions): ScenarioReport {
  const plugins = pluginView(opts.container);
  const policies = resolvePolicies(loaded, plugins, opts);
  return { scenario: loaded.header.name, file: loaded.file, results: policies.map((p) => runUnderPolicy(loaded, p, opts, plugins)) };
}
