/** Executors of the physical-memory ops: compact, cma_alloc, khugepaged, split. */
import { cmaAlloc } from "../../migrate/cma.js";
import { compact } from "../../migrate/compaction.js";
import { ZoneId } from "../../memory/zones.js";
import { khugepagedScan } from "../../mm/khugepaged.js";
import { splitHugePagesPid } from "../../mm/split-huge-pages.js";
import { ENOENT } from "../../errno.js";
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

/** `split` (ext): `{ total, split }`, or ENOENT for a process that has exited. */
export function runSplit(ctx: RunContext, s: StepOf<"split">): StepOutcome {
  const k = ctx.inst.kernel;
  const p = k.process(s.proc);
  if (p.mm === null || !p.alive) return { errno: ENOENT };
  const start = ctx.bindings.addr(s.addr, "addr");
  const r = splitHugePagesPid(k, p.mm, start, start + s.length, s.order);
  k.events.emit("split_huge_pages", { pid: p.pid, start, end: start + s.length, order: s.order, ...r });
  return { result: { ...r } };
}
