/**
 * Workloads from plugin modules. Besides what core's plugin loader takes (a `register(container)`
 * function, a policy or device descriptor as default, `policies` / `devices` maps), a module the
 * bench loads may export workload definitions (made by `defineWorkload`): a `workloads` array or
 * map, or one as its default export. The bench takes those out before core sees the rest, so a
 * module may export only workloads, and core never learns what a workload is.
 * @module
 */
import { PluginRegistrationError, registerPluginExports } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import { isWorkloadDefinition, type WorkloadDefinition } from "./define-workload.js";
import { registerWorkload } from "./workload-catalog.js";

/** A plugin module's exports split into its workloads and the rest (for core's loader). */
export interface SplitExports {
  /** The workload definitions it exports, in export order. */
  readonly workloads: readonly WorkloadDefinition[];
  /** Every other export. */
  readonly rest: Readonly<Record<string, unknown>>;
}

/**
 * Take the workloads out of a module's exports: `workloads` (an array or a map of definitions)
 * and a default export that is a definition. Throws {@link PluginRegistrationError} naming an
 * entry of `workloads` that is no definition.
 */
export function splitWorkloadExports(mod: Readonly<Record<string, unknown>>, source: string): SplitExports {
  const rest: Record<string, unknown> = { ...mod };
  const workloads: WorkloadDefinition[] = [];
  if (isWorkloadDefinition(mod.default)) {
    workloads.push(mod.default);
    delete rest.default;
  }
  const group = mod.workloads;
  if (group !== undefined) {
    if (group === null || typeof group !== "object") throw new PluginRegistrationError(`plugin ${source}: its workloads export must be an array or a map of workload definitions`);
    for (const [key, w] of Object.entries(group)) {
      if (!isWorkloadDefinition(w)) throw new PluginRegistrationError(`plugin ${source}: workloads${Array.isArray(group) ? `[${key}]` : `.${key}`} is not a workload definition (make it with defineWorkload from @pinlab/bench)`);
      workloads.push(w);
    }
    delete rest.workloads;
  }
  return { workloads, rest };
}

/** True when `exports` holds something core's plugin loader takes. */
function hasCoreExports(exports: Readonly<Record<string, unknown>>): boolean {
  return typeof exports.register === "function" || exports.default !== undefined || exports.policies !== undefined || exports.devices !== undefined;
}

/**
 * Register everything a plugin module exports into `container`: its workloads under the bench's
 * extension point, the rest through core's `registerPluginExports`. Throws
 * {@link PluginRegistrationError} for a module with nothing pinlab can use, or what core or the
 * workload catalog reject.
 */
export function registerBenchPluginExports(container: DependencyContainer, mod: Readonly<Record<string, unknown>>, source: string): void {
  const { workloads, rest } = splitWorkloadExports(mod, source);
  if (workloads.length === 0 && !hasCoreExports(rest)) {
    throw new PluginRegistrationError(`plugin ${source} exports nothing pinlab can use: export a descriptor as default, policies/devices maps, register(container), or workload definitions (defineWorkload) as workloads or default`);
  }
  if (hasCoreExports(rest)) registerPluginExports(container, rest, source);
  for (const w of workloads) registerWorkload(container, w, source);
}
