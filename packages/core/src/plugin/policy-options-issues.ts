/**
 * Checking options meant for a registered policy (a config's `policyOptions`, a bench's) before
 * any kernel is built, so each caller can say where the options came from.
 * @module
 */
import type { DependencyContainer } from "tsyringe";
import type { z } from "zod";
import { listPolicies } from "./registry.js";

/** What is wrong with options for a policy: the id is not registered, or the schema's issues (format them with `formatZodIssues`). */
export type PolicyOptionsIssues =
  | { readonly unknownPolicy: true; readonly known: readonly string[] }
  | { readonly unknownPolicy: false; readonly issues: readonly z.core.$ZodIssue[] };

/** Check `options` against the schema of policy `id` in `container`; undefined when they are valid. */
export function policyOptionsIssues(container: DependencyContainer, id: string, options: unknown): PolicyOptionsIssues | undefined {
  const policies = listPolicies(container);
  const d = policies.find((p) => p.meta.id === id);
  if (d === undefined) return { unknownPolicy: true, known: policies.map((p) => p.meta.id) };
  const r = d.meta.options.safeParse(options);
  if (r.success) return undefined;
  return { unknownPolicy: false, issues: r.error.issues };
}
