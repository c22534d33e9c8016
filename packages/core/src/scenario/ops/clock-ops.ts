/** Executors of advance, settle and check. */
import type { StepOf } from "../schema/steps.js";
import type { RunContext, StepOutcome } from "../run-context.js";

/** `advance`: run the clock forward. */
export function runAdvance(ctx: RunContext, s: StepOf<"advance">): StepOutcome {
  ctx.inst.kernel.clock.advance(s.time);
  return {};
}

/** `settle`: run the clock until nothing is pending. */
export function runSettle(ctx: RunContext): StepOutcome {
  ctx.inst.kernel.clock.settle();
  return {};
}

/** `check`: nothing to do; the expectations are the point. */
export function runCheck(): StepOutcome {
  return {};
}
