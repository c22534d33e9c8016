/**
 * A workload's parameters for a size, with overrides, validated by its schema.
 * @module
 */
import type { z } from "zod";
import type { WorkloadDefinition, SizeName } from "../workloads/define-workload.js";
import { BenchInputError } from "./bench-input-error.js";

/** The parameters an issue is about: its path, the unknown keys, or (for a check over several) every input. */
function issueKeys(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") return issue.keys;
  const inputs = issue.code === "custom" ? (issue.params?.inputs as string[] | undefined) : undefined;
  return inputs ?? [issue.path.join(".") || "(params)"];
}

/** `--param WORKLOAD.KEY` for the parameters of the issue the user set, else `WORKLOAD.KEY (from the size)`. */
function paramName(workload: string, issue: z.core.$ZodIssue, overrides: Readonly<Record<string, unknown>>): string {
  const keys = issueKeys(issue);
  const given = keys.filter((k) => Object.hasOwn(overrides, k.split(".")[0]));
  if (given.length > 0) return `--param ${given.map((k) => `${workload}.${k}`).join(", ")}`;
  return `${workload}.${issue.path.join(".") || "(params)"} (from the size)`;
}

/** Validate the size's parameters with `overrides` on top; throws {@link BenchInputError} naming each bad field. */
export function resolveParams(def: WorkloadDefinition, size: SizeName, overrides: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const input = { ...(def.meta.sizes[size] as Record<string, unknown>), ...overrides };
  const r = def.meta.params.safeParse(input);
  if (!r.success) {
    // The parameters the sizes set: every size presets each one.
    const known = [...new Set(Object.values(def.meta.sizes).flatMap((s) => Object.keys(s as Record<string, unknown>)))].sort().join(", ");
    const issues = r.error.issues.map((i) => `${paramName(def.meta.id, i, overrides)}: ${i.message}${i.code === "unrecognized_keys" ? `; its parameters: ${known}` : ""}`);
    throw new BenchInputError(`bad parameters for workload "${def.meta.id}" (size ${size}):\n  ${issues.join("\n  ")}`, "--param");
  }
  return r.data as Record<string, unknown>;
}
