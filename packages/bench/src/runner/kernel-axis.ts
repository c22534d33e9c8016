/**
 * The kernel-era axis of the bench (issue 17): which eras a run's cells run at. Without
 * `--kernels` every policy runs at its own era (its `meta.defaultKernel`, else
 * `DEFAULT_KERNEL`: legacy-get at v5.3, the others at v6.12), so the cells are the ones the
 * bench always had; with `--kernels a,b` (or `all`) every selected policy runs at every era given.
 * @module
 */
import { KERNEL_ERA_IDS, eraIndex, listPolicies, policyDefaultKernel, unknownEraMessage } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import { BenchInputError } from "./bench-input-error.js";

/**
 * The eras `--kernels` asks for, checked and in era order (oldest first, each once), or null
 * when it asks for none (each policy at its own era). `all` is every era. Throws
 * {@link BenchInputError} naming `flag` for an empty list or an unknown id (listing the ids).
 */
export function resolveKernelAxis(kernels: readonly string[] | "all" | undefined, flag = "--kernels"): string[] | null {
  if (kernels === undefined) return null;
  if (kernels === "all" || kernels.includes("all")) return [...KERNEL_ERA_IDS];
  if (kernels.length === 0) throw new BenchInputError(`${flag} selects no kernel; kernels: ${KERNEL_ERA_IDS.join(", ")} (or all)`, flag);
  const unknown = kernels.find((k) => eraIndex(k) < 0);
  if (unknown !== undefined) throw new BenchInputError(`${flag}: ${unknownEraMessage(unknown)} (or all)`, flag);
  return erasInOrder(kernels);
}

/** The era each of `policies` runs at by default: its `meta.defaultKernel`, else `DEFAULT_KERNEL`. */
export function policyKernels(container: DependencyContainer, policies: readonly string[]): Record<string, string> {
  const meta = new Map(listPolicies(container).map((p) => [p.meta.id, p.meta]));
  return Object.fromEntries(policies.map((p) => [p, policyDefaultKernel(meta.get(p) ?? {})]));
}

/** The eras a policy's cells run at: every era of the axis, or only its own era without one. */
export function kernelsOfPolicy(axis: readonly string[] | null, own: string): readonly string[] {
  return axis ?? [own];
}

/** The distinct eras of `kernels`, oldest first. */
export function erasInOrder(kernels: Iterable<string>): string[] {
  return [...new Set(kernels)].sort((a, b) => eraIndex(a) - eraIndex(b));
}
