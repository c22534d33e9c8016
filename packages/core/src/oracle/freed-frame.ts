/**
 * The `dma_to_freed` hazard: a holder's DMA reaches a frame that is no longer what it took. The
 * frame was freed (use-after-free), or it is an FS-DAX block the filesystem gave back and reused,
 * or it is an anonymous frame a device mirror maps with no reference after the process stopped
 * mapping it (a mirror that missed an invalidation: freed, maybe reused for other data).
 * @module
 */
import type { KernelContext } from "../kernel/context.js";
import { PG_ALLOC, PG_DAX, PG_FILE } from "../memory/page-flags.js";
import { hex, PAGE_SIZE } from "../sim/units.js";
import type { HolderRecord } from "./holder-record.js";

/**
 * Why a DMA through `rec` to frame `pfn` reaches freed memory, as a sentence, or undefined when
 * it does not. No policy can flag it: a freed frame carries no pin, and a mirror holds none.
 */
export function freedFrameDetail(k: KernelContext, rec: HolderRecord, pfn: number, write: boolean): string | undefined {
  const f = k.frames;
  const flags = f.flags[pfn];
  const what = write ? "DMA write" : "DMA read";
  if ((flags & PG_ALLOC) === 0) return `${what} to frame ${pfn}, which was freed${(flags & PG_DAX) !== 0 ? " (an FS-DAX block the filesystem gave back)" : ""}`;
  if (rec.inode !== 0 && (flags & PG_DAX) !== 0 && ((flags & PG_FILE) === 0 || f.mapping[pfn] !== rec.inode || f.index[pfn] !== rec.index)) {
    return `${what} to FS-DAX block ${pfn}, which the filesystem freed and reused for other data`;
  }
  // A mirror entry is valid only while the CPU page table maps the same frame (the interval
  // notifier's contract, mm/mmu_notifier.c mmu_interval_read_begin, v6.12). An anonymous frame
  // the process no longer maps there, with no reference of the holder's on it, was freed; the
  // allocator may have handed it out again.
  if (rec.mirrored && rec.inode === 0 && rec.pid >= 0) {
    const now = k.mmOf(rec.pid)?.pageTable.pfn(Math.floor(rec.vaddr / PAGE_SIZE)) ?? -1;
    if (now !== pfn) {
      return `${what} through a stale mirror entry to frame ${pfn}: process ${rec.pid} no longer maps it at ${hex(rec.vaddr)}${now >= 0 ? ` (it maps frame ${now})` : ""} and the device holds no reference on it: freed, then allocated again or kept by another owner`;
    }
  }
  return undefined;
}
