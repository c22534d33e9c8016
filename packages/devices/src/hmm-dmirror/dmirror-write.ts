/**
 * `HMM_DMIRROR_WRITE` (lib/test_hmm.c, Linux v6.12): the device writes into a range of the
 * process's memory through its own page table, faulting what it lacks (or holds read-only) with
 * `hmm_range_fault()` for write.
 * @module
 */
import { PAGE_SIZE, type DeviceContext, type MmStruct, type MmuIntervalNotifier } from "@pinlab/core";
import type { DmirrorDevmem } from "./dmirror-devmem.js";
import { dmirrorFaultIn, type DmirrorReadResult } from "./dmirror-read.js";

/**
 * `dmirror_write()` (lib/test_hmm.c, v6.12): write `data` from `addr` through the device page
 * table (`dmirror_do_write()`: every page of the range must be mapped writable there, or it is
 * -ENOENT at the first that is not); at that page, fault the rest in for write
 * (`dmirror_fault(..., true)`: -EPERM in a VMA without VM_WRITE, one more `faults`) and go on.
 * The bytes reach the pages by DMA, once every page is writable on the device.
 */
export function dmirrorWrite(ctx: DeviceContext<unknown>, mem: DmirrorDevmem, notifier: MmuIntervalNotifier, mm: MmStruct, addr: number, npages: number, data: Uint8Array): DmirrorReadResult {
  const r = dmirrorFaultIn(ctx, mem, notifier, mm, addr, npages, true);
  if (r.ret < 0) return r;
  const startVpn = addr / PAGE_SIZE;
  const frames = mem.frames(mm, startVpn, startVpn + npages);
  ctx.dma.write(ctx.holder, frames, 0, data.subarray(0, Math.min(data.length, npages * PAGE_SIZE)));
  return r;
}
