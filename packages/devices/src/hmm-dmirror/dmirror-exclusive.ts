/**
 * `HMM_DMIRROR_EXCLUSIVE` and `HMM_DMIRROR_CHECK_EXCLUSIVE` (lib/test_hmm.c, Linux v6.12): the
 * device takes atomic (exclusive) access to anonymous pages (`make_device_exclusive_range()`),
 * which leaves device-exclusive entries in the CPU page table until a CPU access revokes them.
 * @module
 */
import { EBUSY, ENOENT, EPERM, PAGE_SIZE, type DeviceContext, type Process } from "@pinlab/core";
import type { DmirrorDevmem } from "./dmirror-devmem.js";

/** Pages one `make_device_exclusive_range()` call covers (`struct page *pages[64]`). */
const EXCLUSIVE_CHUNK_PAGES = 64;

/**
 * `dmirror_exclusive()` (lib/test_hmm.c, v6.12): per 64 pages, `make_device_exclusive_range()`;
 * only when every page of the chunk was made exclusive does the device map them for atomic
 * access (`dmirror_atomic_map()`); the GUP references are put either way, and a chunk not fully
 * mapped is -EBUSY. The result counts the range's pages the device holds (`dmirror_do_read()`,
 * -ENOENT at the first it lacks). The caller has the mirror's interval notifier on the process
 * in place, through which a CPU access revokes the access (MMU_NOTIFY_EXCLUSIVE).
 */
export function dmirrorExclusive(ctx: DeviceContext<unknown>, mem: DmirrorDevmem, proc: Process, addr: number, npages: number): { ret: number; cpages: number } {
  const mm = proc.mm!;
  const end = addr + npages * PAGE_SIZE;
  for (let a = addr; a < end;) {
    const next = Math.min(end, a + EXCLUSIVE_CHUNK_PAGES * PAGE_SIZE);
    const n = (next - a) / PAGE_SIZE;
    const pages = ctx.devmem.makeDeviceExclusiveRange(proc, a, next);
    let mapped = 0;
    if (typeof pages !== "number") {
      if (pages.length === n) {
        for (let i = 0; i < n; i++) {
          if (pages[i] < 0) continue;
          mem.store(mm, a / PAGE_SIZE + i, { pfn: pages[i], write: false, atomic: true });
          mapped++;
        }
      }
      for (const p of pages) if (p >= 0) ctx.gup.putPage(p, { holder: ctx.holder });
    }
    if (mapped < n) return { ret: -EBUSY, cpages: 0 };
    a = next;
  }
  const read = mem.doRead(mm, addr / PAGE_SIZE, addr / PAGE_SIZE + npages);
  return { ret: read.missing ? -ENOENT : 0, cpages: read.cpages };
}

/** `dmirror_check_atomic()` (lib/test_hmm.c, v6.12): -EPERM while the device still has atomic access to a page of the range, else 0. */
export function dmirrorCheckExclusive(mem: DmirrorDevmem, proc: Process, addr: number, npages: number): number {
  return mem.hasAtomic(proc.mm!, addr / PAGE_SIZE, addr / PAGE_SIZE + npages) ? -EPERM : 0;
}
