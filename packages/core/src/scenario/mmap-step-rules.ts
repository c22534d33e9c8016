/**
 * The cross-field rules of an `mmap` step, which no single field's schema can state: the loader
 * reports each broken one naming the field (`load-scenario.ts`); `MMAP_RULES_JSON_SCHEMA`
 * (schema/steps.ts) says the same to editors.
 * @module
 */
import { HPAGE_PUD_SIZE } from "../sim/units.js";
import type { StepOf } from "./schema/steps.js";

/** A broken rule: the field it names, the key of the step whose position the message points at, and the message. */
export interface MmapStepProblem {
  /** The field the message names. */
  readonly field: string;
  /** The key of the step to point at. */
  readonly at: string;
  /** What is wrong. */
  readonly message: string;
}

/**
 * What is wrong with the combination of fields of `step`: exactly one of private or shared; a file
 * only, and always, for a mapping that is not anonymous (pfnmap aside); (2.0) `addr` or `after`,
 * not both; `fixed` only with one of them; `align` only where the kernel chooses the address; a
 * `hugetlb` page size only with the hugetlb flag, and 1GiB only for a private mapping.
 */
export function mmapStepProblems(step: StepOf<"mmap">): MmapStepProblem[] {
  const out: MmapStepProblem[] = [];
  if (step.flags.includes("shared") === step.flags.includes("private")) out.push({ field: "flags", at: "flags", message: "flags must contain exactly one of private or shared" });
  const anon = step.flags.includes("anonymous");
  if (anon && step.file !== undefined) out.push({ field: "file", at: "file", message: "an anonymous mapping takes no file" });
  if (!anon && !step.flags.includes("pfnmap") && step.file === undefined) out.push({ field: "file", at: "flags", message: "a mapping needs a file unless flags has anonymous" });
  const asks = step.addr !== undefined || step.after !== undefined;
  if (step.addr !== undefined && step.after !== undefined) out.push({ field: "after", at: "after", message: "give addr or after, not both" });
  if (step.fixed !== undefined && !asks) out.push({ field: "fixed", at: "fixed", message: "fixed says how addr or after is taken; give one of them" });
  if (step.align !== undefined && asks && step.fixed !== false) {
    out.push({ field: "align", at: "align", message: "align applies to an address the kernel chooses: with addr or after only as a hint (fixed: false)" });
  }
  if (step.hugetlb !== undefined && !step.flags.includes("hugetlb")) {
    out.push({ field: "hugetlb", at: "hugetlb", message: "a huge page size needs hugetlb in flags (MAP_HUGE_1GB is read only with MAP_HUGETLB)" });
  }
  if (step.hugetlb === HPAGE_PUD_SIZE && step.flags.includes("shared")) {
    out.push({ field: "hugetlb", at: "hugetlb", message: "1GiB hugetlb pages are modelled for private mappings only" });
  }
  return out;
}
