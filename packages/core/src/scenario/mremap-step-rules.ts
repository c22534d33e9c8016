/**
 * The cross-field rules of an `mremap` step (2.0), which no single field's schema can state: the
 * loader reports each broken one naming the field (`load-scenario.ts`); `MREMAP_RULES_JSON_SCHEMA`
 * (schema/steps.ts) says the same to editors.
 * @module
 */
import type { StepOf } from "./schema/steps.js";
import type { MmapStepProblem } from "./mmap-step-rules.js";

/**
 * What is wrong with the combination of fields of `step`: `new_addr` or `after`, not both; either
 * only with `fixed` or `dontunmap` in `flags` (mremap ignores `new_addr` otherwise); `fixed` needs
 * one of them (MREMAP_FIXED moves there).
 */
export function mremapStepProblems(step: StepOf<"mremap">): MmapStepProblem[] {
  const out: MmapStepProblem[] = [];
  const asks = step.new_addr !== undefined || step.after !== undefined;
  const fixed = step.flags.includes("fixed");
  if (step.new_addr !== undefined && step.after !== undefined) out.push({ field: "after", at: "after", message: "give new_addr or after, not both" });
  if (asks && !fixed && !step.flags.includes("dontunmap")) {
    const field = step.new_addr !== undefined ? "new_addr" : "after";
    out.push({ field, at: field, message: `${field} is used only with fixed or dontunmap in flags (mremap ignores new_addr otherwise)` });
  }
  if (fixed && !asks) out.push({ field: "flags", at: "flags", message: "fixed moves the mapping to new_addr: give new_addr or after" });
  return out;
}
