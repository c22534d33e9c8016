/**
 * Checking `--sweep` requests before anything runs: is the target a workload or a policy (from
 * the registries), is it in the matrix, does it have the key, is every value valid for it, and is
 * the key not also set by `--param`. Every error names `--sweep TARGET.KEY`.
 * @module
 */
import { formatZodIssues, listPolicies, policyOptionsIssues } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import type { SizeName } from "../workloads/define-workload.js";
import { findWorkloadIn, workloadsOf } from "../workloads/workload-catalog.js";
import { BenchInputError } from "./bench-input-error.js";
import { sweepName, sweepValueText, type Sweep, type SweepRequest } from "./sweep.js";

/** What sweeps are checked against. */
export interface SweepContext {
  /** The container with the registered policies (and contributed workloads). */
  readonly container: DependencyContainer;
  /** `--workloads` as given (undefined: every workload). */
  readonly workloads: readonly string[] | undefined;
  /** The policies of the matrix. */
  readonly policies: readonly string[];
  /** The run's size. */
  readonly size: SizeName;
  /** `--param` overrides by workload. */
  readonly params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The run's options by policy (a config's `policyOptions`). */
  readonly policyOptions: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

function fail(req: SweepRequest, message: string): BenchInputError {
  return new BenchInputError(`--sweep ${sweepName(req)}: ${message}`, "--sweep");
}

/** The keys of a zod object schema, or undefined when the schema is not an object. */
function schemaKeys(schema: unknown): string[] | undefined {
  const shape = (schema as { shape?: unknown } | null)?.shape;
  return shape !== null && typeof shape === "object" ? Object.keys(shape) : undefined;
}

function checkWorkloadSweep(req: SweepRequest, ctx: SweepContext): Sweep {
  const def = findWorkloadIn(ctx.container, req.target)!;
  if (ctx.workloads !== undefined && !ctx.workloads.includes(req.target)) {
    throw fail(req, `workload "${req.target}" is not in --workloads (${ctx.workloads.join(", ")}); add it to --workloads or drop the sweep`);
  }
  const keys = schemaKeys(def.meta.params) ?? [];
  if (!keys.includes(req.key)) throw fail(req, `workload "${req.target}" has no parameter "${req.key}"; its parameters: ${keys.join(", ")}`);
  const given = ctx.params[req.target] ?? {};
  if (Object.hasOwn(given, req.key)) throw fail(req, `${sweepName(req)} is also set by --param; set it one way (--param for one value, --sweep for several)`);
  for (const value of req.values) {
    const r = def.meta.params.safeParse({ ...(def.meta.sizes[ctx.size] as Record<string, unknown>), ...given, [req.key]: value });
    if (!r.success) throw fail(req, `bad value ${sweepValueText(value)}: ${formatZodIssues(r.error.issues, { root: req.key }).join("; ")}`);
  }
  return { target: req.target, kind: "workload", key: req.key, values: req.values };
}

function checkPolicySweep(req: SweepRequest, ctx: SweepContext): Sweep {
  if (!ctx.policies.includes(req.target)) {
    throw fail(req, `policy "${req.target}" is not in --policies (${ctx.policies.join(", ")}); add it to --policies or drop the sweep`);
  }
  const schema = listPolicies(ctx.container).find((p) => p.meta.id === req.target)!.meta.options;
  const keys = schemaKeys(schema);
  if (keys !== undefined && !keys.includes(req.key)) {
    throw fail(req, `policy "${req.target}" has no option "${req.key}"; ${keys.length > 0 ? `its options: ${keys.join(", ")}` : "it has no options"}`);
  }
  for (const value of req.values) {
    const bad = policyOptionsIssues(ctx.container, req.target, { ...(ctx.policyOptions[req.target] ?? {}), [req.key]: value });
    if (bad !== undefined && !bad.unknownPolicy) throw fail(req, `bad value ${sweepValueText(value)}: ${formatZodIssues(bad.issues, { root: req.key }).join("; ")}`);
  }
  return { target: req.target, kind: "policy", key: req.key, values: req.values };
}

/** Sort order of sweeps: workload sweeps, then policy sweeps, each by target then key (so `--sweep` order changes nothing). */
function compareSweeps(a: Sweep, b: Sweep): number {
  const k = (s: Sweep) => `${s.kind === "workload" ? 0 : 1}\u0000${s.target}\u0000${s.key}`;
  return k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0;
}

/**
 * Check `requests` (see the module) and return them as sweeps in canonical order; throws
 * {@link BenchInputError} naming `--sweep TARGET.KEY`.
 */
export function resolveSweeps(requests: readonly SweepRequest[], ctx: SweepContext): Sweep[] {
  const workloadIds = workloadsOf(ctx.container).map((w) => w.meta.id);
  const policyIds = listPolicies(ctx.container).map((p) => p.meta.id);
  const seen = new Set<string>();
  const out: Sweep[] = [];
  for (const req of requests) {
    const name = sweepName(req);
    if (seen.has(name)) throw fail(req, "is given twice; give every value in one --sweep");
    seen.add(name);
    const isWorkload = workloadIds.includes(req.target);
    const isPolicy = policyIds.includes(req.target);
    if (isWorkload && isPolicy) throw fail(req, `"${req.target}" is both a workload and a registered policy, so the sweep is ambiguous`);
    if (!isWorkload && !isPolicy) throw fail(req, `"${req.target}" is neither a workload nor a registered policy; workloads: ${workloadIds.join(", ")}; policies: ${policyIds.join(", ")}`);
    out.push(isWorkload ? checkWorkloadSweep(req, ctx) : checkPolicySweep(req, ctx));
  }
  return out.sort(compareSweeps);
}
