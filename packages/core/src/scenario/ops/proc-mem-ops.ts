/** Executors of the `/proc/PID/mem` ops: proc_mem_write, proc_mem_read (2.0). */
import { accessRemoteVm } from "../../gup/access-remote-vm.js";
import { doMadvise } from "../../mm/madvise.js";
import { PAGE_SIZE } from "../../sim/units.js";
import type { StepOf } from "../schema/steps.js";
import type { RunContext, StepOutcome } from "../run-context.js";
import { bytesToText, textToBytes } from "../strings.js";

/**
 * `proc_mem_write`: `write(2)` to `/proc/PID/mem` at `addr` (`mem_write()`, fs/proc/base.c,
 * v6.12). With `race: dontneed`, once, in the window after the COW fault, another thread of the
 * process drops the page (`madvise(MADV_DONTNEED)`), as the Dirty COW exploit's second thread does.
 */
export function runProcMemWrite(ctx: RunContext, s: StepOf<"proc_mem_write">): StepOutcome {
  const k = ctx.inst.kernel;
  const task = k.process(s.proc);
  let raced = s.race === undefined;
  const raceAfterFault = (_vma: unknown, addr: number) => {
    if (raced) return;
    raced = true;
    doMadvise(k, task, addr - (addr % PAGE_SIZE), PAGE_SIZE, "dontneed");
  };
  const r = accessRemoteVm(ctx.inst.gup, k, task, ctx.bindings.addr(s.addr, "addr"), textToBytes(s.data), true, { raceAfterFault });
  return r < 0 ? { errno: -r } : { result: r };
}

/** `proc_mem_read`: `read(2)` from `/proc/PID/mem` (`mem_read()`, fs/proc/base.c, v6.12); result: the bytes as a string. */
export function runProcMemRead(ctx: RunContext, s: StepOf<"proc_mem_read">): StepOutcome {
  const k = ctx.inst.kernel;
  const buf = new Uint8Array(s.length);
  const r = accessRemoteVm(ctx.inst.gup, k, k.process(s.proc), ctx.bindings.addr(s.addr, "addr"), buf, false);
  return r < 0 ? { errno: -r } : { result: bytesToText(buf.subarray(0, r)) };
}
