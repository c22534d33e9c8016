/**
 * A workload's parameters for a size, with overrides, validated by its schema.
 * @module
 */
import type { WorkloadDefinition, SizeName } from "../workloads/define-workload.js";
import { BenchInputError } from "./bench-input-error.js";

/** Validate the size's parameters with `overrides` on top; throws {@link BenchInputError} naming each bad field. */
export function resolveParams(def: WorkloadDefinition, size: SizeName, overrides: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const input = { ...(def.meta.sizes[size] as Record<string, unknown>), ...overrides };
  const r = def.meta.params.safeParse(input);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${def.meta.id}.${i.path.join(".") || "(params)"}: ${i.message}`);
    throw new BenchInputError(`bad parameters for workload "${def.meta.id}" (size ${size}):\n  ${issues.join("\n  ")}`, "--param");
  }
  return r.data as Record<string, unknown>;
}
