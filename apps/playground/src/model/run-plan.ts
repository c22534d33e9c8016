/**
 * (2.0) What the columns run: side by side compares either policies (each column a policy, all at
 * one kernel era choice) or kernels (one policy at each chosen era). An explicit era choice
 * overrides the scenario's `machine.kernel`, which overrides each policy's default era, as
 * `--kernel` does in the CLI (`kernelOf` in core's runner, `kernelEraFor` in `createKernel`).
 */
import { DEFAULT_KERNEL, findEra } from "@pinlab/core";

/** What side by side compares. */
export type CompareMode = "policies" | "kernels";

/** The compare modes, as the mode switch lists them. */
export const COMPARE_MODES: readonly CompareMode[] = ["policies", "kernels"];

/** One column's run: a policy, and the era chosen for it (undefined: "policy default"). */
export interface RunSpec {
  /** The policy id. */
  readonly policy: string;
  /** The era chosen explicitly (like `--kernel`), or undefined for the scenario's or the policy's. */
  readonly kernel?: string;
}

/** Everything the comparison controls hold; only the fields of `mode` make the columns. */
export interface ComparePlan {
  /** What the columns compare. */
  readonly mode: CompareMode;
  /** Policies mode: the checked policies, in order. */
  readonly policies: readonly string[];
  /** Policies mode: the era every column runs (undefined: "policy default"). */
  readonly kernel?: string;
  /** Kernels mode: the one policy. */
  readonly policy: string;
  /** Kernels mode: the checked eras, oldest first. */
  readonly kernels: readonly string[];
}

/** The eras compared when kernels mode is switched on with none chosen: the vmsplice leak's story. */
export const DEFAULT_COMPARE_KERNELS: readonly string[] = ["v5.3", "v5.18", "v6.12"];

/** The columns of `plan`, in order. */
export function runsOf(plan: ComparePlan): RunSpec[] {
  if (plan.mode === "kernels") return plan.kernels.map((kernel) => ({ policy: plan.policy, kernel }));
  return plan.policies.map((policy) => (plan.kernel === undefined ? { policy } : { policy, kernel: plan.kernel }));
}

/** A column's key, unique among the columns of a plan: the policy, or `policy@era` when an era is chosen. */
export function runKey(spec: RunSpec): string {
  return spec.kernel === undefined ? spec.policy : `${spec.policy}@${spec.kernel}`;
}

/** Where a run's era comes from. */
export type EraSource = "chosen" | "scenario" | "policy default";

/** The era a run uses, and why. */
export interface ResolvedEra {
  /** The era id. */
  readonly id: string;
  /** Where it came from. */
  readonly source: EraSource;
}

/**
 * The era a run of `spec` uses on a scenario whose `machine.kernel` is `scenarioKernel`, for a
 * policy whose default era is `policyDefault`: the chosen one, else the scenario's, else the
 * policy's, else {@link DEFAULT_KERNEL} (core's precedence, without a config).
 */
export function resolveEra(spec: RunSpec, scenarioKernel: string | undefined, policyDefault: string | undefined): ResolvedEra {
  if (spec.kernel !== undefined) return { id: spec.kernel, source: "chosen" };
  if (scenarioKernel !== undefined) return { id: scenarioKernel, source: "scenario" };
  return { id: policyDefault ?? DEFAULT_KERNEL, source: "policy default" };
}

/** A sentence for a column header's tooltip: the era, its release and summary, and where it comes from. */
export function eraTitle(era: ResolvedEra): string {
  const e = findEra(era.id);
  const why = era.source === "chosen" ? "chosen here (like --kernel)" : era.source === "scenario" ? "the scenario's machine.kernel" : "the policy's default era";
  return e === undefined ? `${era.id} (${why})` : `${e.id}: ${e.release} (${e.date}), ${why}. ${e.summary}`;
}
