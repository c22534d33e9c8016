/**
 * One sample of a scenario workload: the scenario run under the cell's policy and era exactly as
 * `pinlab run` runs it (core's `setUpKernel` and `runStep`, the scenario's own seed, so the same
 * events and hazards), each step timed as a grab or a release window by what it did, and what
 * the bench measures collected on the way.
 * @module
 */
import {
  Bindings, DEFAULT_FULL_AUDIT_EVERY, ERRNO, InvariantAudit, runStep, setUpKernel, type KernelInstance, type LoadedScenario, type PluginView, type RunContext,
  type Step, type StepResult,
} from "@pinlab/core";
import type { SampleProbe } from "../probe/sample-probe.js";
import type { CellEnv } from "./define-workload.js";

/** The series holding the whole scenario's wall time per sample, as ns per step in the grab column. */
export const SCENARIO_RUN_SERIES = "scenario-run";

/** The name a step's refusal is counted under: a device step's action, else its op. */
function stepName(step: Step): string {
  const action = step.op === "device" ? (step as { action?: unknown }).action : undefined;
  return typeof action === "string" ? action : step.op;
}

/** Pages held by GUP right now: `[pins, plain references]`, as the policy counted them (vmstat). */
function held(inst: KernelInstance): [number, number] {
  const v = inst.kernel.vmstat;
  return [v.nr_foll_pin_acquired - v.nr_foll_pin_released, v.nr_gup_get_acquired - v.nr_gup_get_released];
}

/**
 * Run `loaded` once under the cell's policy (with its options) at the cell's era, recording into
 * `probe`: hazards (the oracle), refusals by errno (the steps that failed with one), a
 * `maybeDmaPinned` audit after each step that grabbed pages, the accounting peak, and counters:
 * `steps`, `failedSteps` (an errno), `stepErrors` (no errno: a misuse or a broken invariant),
 * `expectations` and `expectationsFailed`, `passed` (1 when every expectation held and no step
 * had an error, as `pinlab run` judges), `pinsPeak` / `pinsLeftover` and `refsPeak` /
 * `refsLeftover` (pages held by pins and by plain GUP references, at their peak after a step and
 * at the end). A step error (no errno: a throw, a misuse, a broken invariant) fails the sample,
 * and so the cell, with the first one's text.
 */
export function runScenarioSample(loaded: LoadedScenario, plugins: PluginView, env: CellEnv<unknown>, probe: SampleProbe): void {
  // The cell's policy options (the run's, the scenario's policy_options, the swept ones) are complete: the scenario's are not applied again.
  const scenario: LoadedScenario = { ...loaded, header: { ...loaded.header, policy_options: undefined } };
  const inst = setUpKernel(scenario, env.policy, {
    container: env.container, policyOptions: { [env.policy]: env.policyOptions }, ...(env.kernel !== undefined ? { kernel: env.kernel } : {}),
  });
  probe.watch(inst);
  const ctx: RunContext = { inst, bindings: new Bindings(), scenario, plugins, policy: env.policy, kernel: inst.kernel.kernelEra.id, index: 0 };
  const audit = loaded.header.check_invariants === true ? new InvariantAudit(inst.kernel, inst.gup, DEFAULT_FULL_AUDIT_EVERY) : false;
  const c = { failedSteps: 0, stepErrors: 0, expectations: 0, expectationsFailed: 0, pinsPeak: 0, refsPeak: 0 };
  let firstError: string | undefined;
  for (let i = 0; i < loaded.steps.length; i++) {
    ctx.index = i;
    if (audit !== false && i === loaded.steps.length - 1) audit.fullNext();
    let ran!: { readonly value: StepResult; readonly grabbed: number };
    // Every step in the whole-run series (one "page" a step); inside it, the grab or release window.
    probe.baseline(SCENARIO_RUN_SERIES, "pin", 1, () => {
      ran = probe.step(() => runStep(ctx, audit));
    });
    const r = ran.value;
    if (r.errno !== null) {
      c.failedSteps++;
      probe.refused(stepName(loaded.steps[i]), ERRNO[r.errno as keyof typeof ERRNO] ?? Number(r.errno));
    }
    if (r.error !== undefined) {
      c.stepErrors++;
      firstError ??= `step ${i} (${r.op}): ${r.error}`;
    }
    c.expectations += r.expectations.length;
    c.expectationsFailed += r.expectations.filter((x) => !x.pass).length;
    // Outside the timed windows: ask the policy about every user page while the step's grab is held.
    if (ran.grabbed > 0) probe.audit(inst);
    const [pins, refs] = held(inst);
    c.pinsPeak = Math.max(c.pinsPeak, pins);
    c.refsPeak = Math.max(c.refsPeak, refs);
  }
  const [pins, refs] = held(inst);
  probe.count("steps", loaded.steps.length);
  for (const [name, n] of Object.entries(c)) probe.count(name, n);
  probe.count("passed", c.stepErrors === 0 && c.expectationsFailed === 0 ? 1 : 0);
  probe.count("pinsLeftover", pins);
  probe.count("refsLeftover", refs);
  // A step that threw, misused the API or broke an invariant makes the run meaningless: the cell
  // fails with the first such error (pinlab run fails it too), instead of a row of numbers.
  if (firstError !== undefined) throw new Error(`${c.stepErrors} step error(s), the first: ${firstError}`);
}
