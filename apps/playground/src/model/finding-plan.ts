/**
 * (issue 21) The columns an opened explore finding needs: a column running the finding's policy
 * at its kernel era. In policies mode its policy is checked and the era left to the scenario and
 * the policy ("policy default": the finding's file carries `machine.kernel` when `--kernel` chose
 * one); in kernels mode its policy is the one compared and its era is checked.
 */
import { findEra } from "@pinlab/core";
import type { FindingHeader } from "./finding-header.js";
import type { ComparePlan } from "./run-plan.js";

/** `plan` changed so that a column shows `f`, or undefined when it already does (or `f`'s policy is unknown). */
export function planForFinding(plan: ComparePlan, f: FindingHeader, policies: readonly string[]): ComparePlan | undefined {
  if (!policies.includes(f.policy)) return undefined;
  if (plan.mode === "policies") {
    if (plan.policies.includes(f.policy) && (plan.kernel === undefined || plan.kernel === f.kernel)) return undefined;
    // "policy default": no `kernel`.
    return { mode: plan.mode, policy: plan.policy, kernels: plan.kernels, policies: plan.policies.includes(f.policy) ? plan.policies : [...plan.policies, f.policy] };
  }
  const era = findEra(f.kernel) !== undefined ? f.kernel : undefined;
  if (plan.policy === f.policy && (era === undefined || plan.kernels.includes(era))) return undefined;
  return { ...plan, policy: f.policy, kernels: era === undefined || plan.kernels.includes(era) ? plan.kernels : [...plan.kernels, era] };
}
