/** The executor of every op. */
import type { Op, Step, StepOf } from "../schema/steps.js";
import type { RunContext, StepOutcome } from "../run-context.js";
import { runAdvance, runCheck, runDump, runFire, runSettle } from "./clock-ops.js";
import { runDevice } from "./device-ops.js";
import { runFtruncate, runLease, runPunchHole, runReclaim, runWriteback } from "./fs-ops.js";
import { runGup, runPeek, runPoke, runRelease } from "./gup-ops.js";
import { runCmaAlloc, runCompact, runKhugepaged, runSplit } from "./memory-ops.js";
import { runProcMemRead, runProcMemWrite } from "./proc-mem-ops.js";
import { runExit, runFork, runMadvise, runMigrate, runMmap, runMprotect, runMremap, runMunmap, runRead, runTouch, runWrite } from "./mm-ops.js";

/** One executor per op, each taking that op's validated step. */
export type Executors = { [K in Op]: (ctx: RunContext, s: StepOf<K>) => StepOutcome };

/** Executors by op (one entry per op, checked by the type). */
export const EXECUTORS: Executors = {
  mmap: runMmap, munmap: runMunmap, mremap: runMremap, mprotect: runMprotect, madvise: runMadvise, touch: runTouch, write: runWrite, read: runRead,
  proc_mem_write: runProcMemWrite, proc_mem_read: runProcMemRead,
  fork: runFork, exit: runExit, ftruncate: runFtruncate, punch_hole: runPunchHole, writeback: runWriteback, reclaim: runReclaim,
  lease: runLease, compact: runCompact, khugepaged: runKhugepaged, split: runSplit, migrate: runMigrate, cma_alloc: runCmaAlloc, gup: runGup, release: runRelease,
  peek: runPeek, poke: runPoke, device: runDevice, advance: runAdvance, fire: runFire, settle: runSettle, check: runCheck, dump: runDump,
};

/** Run one step. */
export function execute(ctx: RunContext, step: Step): StepOutcome {
  return (EXECUTORS[step.op] as (c: RunContext, s: Step) => StepOutcome)(ctx, step);
}
