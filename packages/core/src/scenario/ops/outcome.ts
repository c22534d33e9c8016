import type { StepOutcome } from "../run-context.js";

/** Turn a kernel-style return (negative = -errno) into a step outcome with `value` as result. */
export function fromReturn(ret: number, value: unknown = ret): StepOutcome {
  return ret < 0 ? { errno: -ret } : { result: value };
}
