/** Executors of advance, settle, check and dump. */
import type { StepOf } from "../schema/steps.js";
import type { RunContext, StepOutcome } from "../run-context.js";
import { StepInputError } from "../bindings.js";
import { stateSnapshot } from "../state-snapshot.js";

/** `advance`: run the clock forward. */
export function runAdvance(ctx: RunContext, s: StepOf<"advance">): StepOutcome {
  ctx.inst.kernel.clock.advance(s.time);
  return {};
}

/**
 * (issue 21) `fire`: run the pending event labelled `event` now, as if its latency had just ended
 * (the clock does not move); result: the label. In a concurrent block this puts a completion at
 * any point of an order, whatever its latency.
 */
export function runFire(ctx: RunContext, s: StepOf<"fire">): StepOutcome {
  const clock = ctx.inst.kernel.clock;
  if (!clock.fire(s.event)) {
    const pending = [...new Set(clock.pendingLabels())];
    throw new StepInputError("event", `no pending event "${s.event}"; pending now: ${pending.length > 0 ? pending.join(", ") : "none"}`);
  }
  return { result: s.event };
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

/** `dump`: the state, or the part of it `proc` / `holder` names (issue 19). */
export function runDump(ctx: RunContext, s: StepOf<"dump">): StepOutcome {
  const k = ctx.inst.kernel;
  if (s.proc !== undefined && ![...k.processes.values()].some((p) => p.name === s.proc && p.alive)) {
    throw new StepInputError("proc", `no live process "${s.proc}"`);
  }
  if (s.holder !== undefined && !ctx.inst.oracle.holdings().has(s.holder)) {
    throw new StepInputError("holder", `"${s.holder}" holds no frames (a device or gup handle that holds frames now: ${[...ctx.inst.oracle.holdings().keys()].join(", ") || "none"})`);
  }
  return { state: stateSnapshot(ctx.inst, { ...(s.proc !== undefined ? { proc: s.proc } : {}), ...(s.holder !== undefined ? { holder: s.holder } : {}) }) };
}
