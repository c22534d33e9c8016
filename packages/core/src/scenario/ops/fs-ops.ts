/** Executors of the file ops: ftruncate, punch_hole, writeback, reclaim, lease. */
import { doPunchHole, doTruncate } from "../../fs/truncate.js";
import { filemapWriteAndWait, writeback } from "../../fs/writeback.js";
import { reclaim } from "../../migrate/reclaim.js";
import type { StepOf } from "../schema/steps.js";
import type { RunContext, StepOutcome } from "../run-context.js";
import { fromReturn } from "./outcome.js";
import { ENOENT, KernelError } from "../../errno.js";
import type { Kernel } from "../../kernel/kernel.js";

/**
 * The pid of live process `name`: an exited process makes no system call, so a step naming it
 * as the caller fails with ENOENT, as mmap, mprotect and fork do (the model's convention for a
 * missing process).
 */
function callerPid(k: Kernel, name: string): number {
  const p = k.process(name);
  if (!p.alive) throw new KernelError(ENOENT, `process "${name}" has exited`);
  return p.pid;
}

/** `ftruncate`. */
export function runFtruncate(ctx: RunContext, s: StepOf<"ftruncate">): StepOutcome {
  const k = ctx.inst.kernel;
  const pid = s.proc !== undefined ? callerPid(k, s.proc) : undefined;
  return fromReturn(doTruncate(k, k.file(s.file), s.size, pid), undefined);
}

/** `punch_hole`. */
export function runPunchHole(ctx: RunContext, s: StepOf<"punch_hole">): StepOutcome {
  const k = ctx.inst.kernel;
  const pid = s.proc !== undefined ? callerPid(k, s.proc) : undefined;
  return fromReturn(doPunchHole(k, k.file(s.file), s.offset, s.length, pid), undefined);
}

/**
 * `writeback`: pages written. Without `async` it waits for the IO and reports a writeback error
 * recorded on the file (EIO), as fsync's `filemap_write_and_wait_range()` does; with `async` the
 * IO completes later and an error waits on the file for the next synchronous writeback.
 */
export function runWriteback(ctx: RunContext, s: StepOf<"writeback">): StepOutcome {
  const k = ctx.inst.kernel;
  const inode = s.file !== undefined ? k.file(s.file) : undefined;
  if (s.async === true) return { result: writeback(k, inode, { async: true }) };
  return fromReturn(filemapWriteAndWait(k, inode));
}

/** `reclaim` (ext). */
export function runReclaim(ctx: RunContext, s: StepOf<"reclaim">): StepOutcome {
  const k = ctx.inst.kernel;
  return { result: reclaim(k, s.file !== undefined ? k.file(s.file) : undefined) };
}

/** `lease`: F_LAYOUT, F_LAYOUT|F_EXCLUSIVE or F_UNLCK through the policy. */
export function runLease(ctx: RunContext, s: StepOf<"lease">): StepOutcome {
  const k = ctx.inst.kernel;
  const pid = callerPid(k, s.proc);
  const inode = k.file(s.file);
  // The policy emits the `lease` events (it knows what was taken, broken or refused).
  const err = k.policy.setLease(inode, pid, s.type);
  return err !== 0 ? { errno: Math.abs(err) } : {};
}
