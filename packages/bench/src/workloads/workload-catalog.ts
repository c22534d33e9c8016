/**
 * The workloads a run can use: the built-in ones of `registry.ts`, then those contributed to the
 * {@link BENCH_WORKLOAD} extension point of a container: a plugin module's workloads (loaded by
 * `--plugin`) and the scenarios given with `--scenarios`. Two contributions claiming one id are
 * rejected, naming both (as core's registry does for policies and devices).
 * @module
 */
import { createToken, PluginRegistrationError, resolveAll } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import { isWorkloadDefinition, type WorkloadDefinition } from "./define-workload.js";
import { findWorkload, listWorkloads } from "./registry.js";

/** The extension point of workloads beyond the built-in ones (plugin workloads, scenario workloads). */
export const BENCH_WORKLOAD = createToken<WorkloadDefinition>("bench.workload");

/** Where the built-in workloads come from, in messages. */
export const BUILTIN_WORKLOAD_SOURCE = "@pinlab/bench (built in)";

const SOURCES = new WeakMap<object, string>();

/** The module or file a workload came from: {@link BUILTIN_WORKLOAD_SOURCE} for the built-in ones. */
export function workloadSource(def: WorkloadDefinition): string {
  return SOURCES.get(def) ?? BUILTIN_WORKLOAD_SOURCE;
}

/**
 * Contribute a workload (made by `defineWorkload`) under {@link BENCH_WORKLOAD}; `source` names
 * the module or file. Throws {@link PluginRegistrationError} for something that is no workload
 * definition, or an id a built-in or an earlier contribution already has.
 */
export function registerWorkload(container: DependencyContainer, def: WorkloadDefinition, source: string): void {
  if (!isWorkloadDefinition(def)) throw new PluginRegistrationError(`${source}: a workload must be made with defineWorkload() from @pinlab/bench`);
  const clash = findWorkloadIn(container, def.meta.id);
  if (clash !== undefined) {
    throw new PluginRegistrationError(`workload id "${def.meta.id}" is claimed twice: by ${workloadSource(clash)} and by ${source}. Rename one of them.`);
  }
  SOURCES.set(def, source);
  container.register(BENCH_WORKLOAD as symbol, { useValue: def });
}

/** Every workload `container` knows: the built-in ones in report order, then the contributed ones in registration order. */
export function workloadsOf(container: DependencyContainer): WorkloadDefinition[] {
  return [...listWorkloads(), ...resolveAll(container, BENCH_WORKLOAD)];
}

/** The workload with `id` among {@link workloadsOf}, or undefined. */
export function findWorkloadIn(container: DependencyContainer, id: string): WorkloadDefinition | undefined {
  return findWorkload(id) ?? resolveAll(container, BENCH_WORKLOAD).find((w) => w.meta.id === id);
}

/** True for a workload that is not built in (a plugin's, or a scenario given with `--scenarios`). */
export function isContributed(def: WorkloadDefinition): boolean {
  return SOURCES.has(def);
}
