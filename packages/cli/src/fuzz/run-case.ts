/**
 * Running one generated scenario the fuzzer's way: its cleanup tail appended, loaded like a
 * file, then run under each policy twice with the invariant audit after every step; the kernel
 * of the first run is kept for the leak audit. What {@link classifyCase} judges.
 * @module
 */
import {
  formatProblem, loadScenario, pluginView, runUnderPolicy, ScenarioError, type KernelInstance, type LoadedScenario, type PluginView, type PolicyResult,
} from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import { PINNED_VM_AUDIT_NOTE, withCleanupTail } from "./cleanup-tail.js";
import type { RawScenario } from "./gen-state.js";
import type { FuzzTargets } from "./targets.js";

/** Where a case runs: the registries, the policies, their options. */
export interface CaseEnv {
  /** The container holding the registered policies and devices. */
  readonly container: DependencyContainer;
  /** What the generator reaches (for the cleanup tail's releasing actions). */
  readonly targets: FuzzTargets;
  /** Policy options per policy id (from the config). */
  readonly policyOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** One run under one policy. */
export interface PolicyRun {
  /** The runner's result, or what escaped it. */
  readonly result: PolicyResult | { readonly thrown: string };
  /** The kernel after the last step (undefined when no step ran). */
  readonly inst?: KernelInstance;
  /** `pinned_vm` per live process at the tail's audit step. */
  readonly pinnedVm: Record<string, number>;
}

/** A case run: the scenario as run (tail included), and two runs per policy. */
export interface CaseRun {
  /** The scenario with its tail. */
  readonly scenario: RawScenario;
  /** The loaded scenario, or why the loader refused it (a generator bug) or what escaped it. */
  readonly loaded: LoadedScenario | { readonly refused: string } | { readonly thrown: string };
  /** Per policy, the two runs. */
  readonly runs: ReadonlyMap<string, readonly [PolicyRun, PolicyRun]>;
}

const describe = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

function runOnce(loaded: LoadedScenario, policy: string, env: CaseEnv, plugins: PluginView): PolicyRun {
  let inst: KernelInstance | undefined;
  const pinnedVm: Record<string, number> = {};
  try {
    const result = runUnderPolicy(loaded, policy, {
      container: env.container, checkInvariants: true, ...(env.policyOptions !== undefined ? { policyOptions: env.policyOptions } : {}),
      onStep: (_p, step, i) => {
        inst = i;
        if (loaded.steps[step.index].note !== PINNED_VM_AUDIT_NOTE) return;
        for (const p of i.kernel.processes.values()) if (p.mm !== null) pinnedVm[p.name] = p.mm.pinnedVm;
      },
    }, plugins);
    return { result, ...(inst !== undefined ? { inst } : {}), pinnedVm };
  } catch (e) {
    return { result: { thrown: describe(e) }, ...(inst !== undefined ? { inst } : {}), pinnedVm };
  }
}

/** Run `raw` (tail appended) under each of `policies`, twice. */
export function runCase(raw: RawScenario, policies: readonly string[], env: CaseEnv): CaseRun {
  const scenario = withCleanupTail(raw, env.targets);
  const plugins = pluginView(env.container);
  let loaded: CaseRun["loaded"];
  try {
    loaded = loadScenario(JSON.stringify(scenario), `${raw.name}.json`, plugins);
  } catch (e) {
    loaded = e instanceof ScenarioError ? { refused: e.problems.map(formatProblem).join("\n") } : { thrown: describe(e) };
  }
  const runs = new Map<string, readonly [PolicyRun, PolicyRun]>();
  if ("steps" in loaded) {
    const l = loaded;
    for (const p of policies) runs.set(p, [runOnce(l, p, env, plugins), runOnce(l, p, env, plugins)]);
  }
  return { scenario, loaded, runs };
}
