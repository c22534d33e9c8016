/** Executors of the physical-memory ops: compact, cma_alloc, khugepaged. */
import { cmaAlloc } from "../../migrate/cma.js";
import { compact } from "../../migrate/compaction.js";
import { ZoneId } from "../../memory/zones.js";
import { khugepagedScan } from "../../mm/khugepaged.js";
import type { StepOf } from "../schema/steps.js";
import type { RunContext, StepOutcome } from "../run-context.js";

const ZONES = { normal: ZoneId.NORMAL, movable: ZoneId.MOVABLE, cma: ZoneId.CMA } as const;

/** `compact`: `{ migrated, failed }`. */
export function runCompact(ctx: RunContext, s: StepOf<"compact">): StepOutcome {
  return { result: compact(ctx.inst.kernel, s.zone !== undefined ? ZONES[s.zone] : undefined, s.mode ?? "sync") };
}

/** `cma_alloc`: nothing, or an errno when it cannot. */
export function runCmaAlloc(ctx: RunContext, s: StepOf<"cma_alloc">): StepOutcome {
  const r = cmaAlloc(ctx.inst.kernel, s.pages);
  return typeof r === "number" ? { errno: -r } : {};
}

/** `khugepaged` (ext): one pass; `{ scanned, collapsed }`. */
export function runKhugepaged(ctx: RunContext, _s: StepOf<"khugepaged">): StepOutcome {
  const k = ctx.inst.kernel;
  const mms = [...k.processes.values()].flatMap((p) => (p.mm !== null && p.alive ? [p.mm] : []));
  return { result: { ...khugepagedScan(k, mms) } };
}
