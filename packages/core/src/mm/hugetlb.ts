/**
 * hugetlb faults (mm/hugetlb.c, v6.12): a fault maps a whole 2 MiB folio (`hugetlb_no_page()`),
 * and a private write or unshare copies the whole folio (`hugetlb_wp()`).
 * @module
 */
import { ENOMEM } from "../errno.js";
import { filemapGetPage, pageMkwrite } from "./filemap.js";
import type { MmContext } from "./context.js";
import { PG_HUGETLB } from "../memory/page-flags.js";
import { HPAGE_PMD_NR, HPAGE_PMD_ORDER, PAGE_SIZE } from "../sim/units.js";
import { EFAULT } from "../errno.js";
import { count, FAULT_FLAG_WRITE, type FaultStats } from "./fault-flags.js";
import { PTE_DIRTY, PTE_HUGE, PTE_WRITE, PTE_YOUNG } from "./page-table.js";
import { mapNewAnon, mapPage, writeBits, zapPte } from "./pte-ops.js";
import type { Vma } from "./mm-types.js";
import { VM_WRITE } from "./vm-flags.js";

/** `hugetlb_no_page()` (mm/hugetlb.c, v6.12): map a whole 2 MiB hugetlb folio. */
export function hugetlbNoPage(k: MmContext, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
  const base = vpn - (vpn % HPAGE_PMD_NR);
  const inode = vma.file!;
  const write = (fflags & FAULT_FLAG_WRITE) !== 0;
  if (vma.isShared || !inode.internal) {
    const index = vma.fileIndex(base);
    if (index >= inode.sizePages) return -EFAULT;
    const first = filemapGetPage(k, inode, index);
    if (first < 0) return first;
    if (!vma.isShared && write) return hugetlbCopy(k, vma, base, first, stats);
    if (write) pageMkwrite(k, inode, first);
    const w = vma.isShared && (vma.flags & VM_WRITE) !== 0 ? PTE_WRITE : 0;
    const bits = w | PTE_YOUNG | PTE_HUGE | (write ? PTE_DIRTY : 0);
    for (let i = 0; i < HPAGE_PMD_NR; i++) mapPage(k, vma, base + i, first + i, bits);
    count(stats, "hugetlb");
    return 0;
  }
  // Private anonymous hugetlb: a fresh anonymous hugetlb folio.
  const head = k.memory.allocFolio(HPAGE_PMD_ORDER);
  if (head < 0) return -ENOMEM;
  k.memory.get(head, HPAGE_PMD_NR - 1);
  const bits = writeBits(vma) | PTE_HUGE;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    k.frames.flags[head + i] |= PG_HUGETLB;
    mapNewAnon(k, vma, base + i, head + i, bits);
  }
  count(stats, "hugetlb");
  return 0;
}

/**
 * The copy of `hugetlb_wp()` (mm/hugetlb.c, v6.12): replace the whole folio mapped at `base` with an exclusive anonymous copy,
 * mapped writable for a write and read-only for an unshare (`make_huge_pte(..., !unshare)`).
 */
export function hugetlbCopy(k: MmContext, vma: Vma, base: number, firstPfn: number, stats: FaultStats, unshare = false): number {
  const head = k.memory.allocFolio(HPAGE_PMD_ORDER);
  if (head < 0) return -ENOMEM;
  k.memory.get(head, HPAGE_PMD_NR - 1);
  const pt = vma.mm.pageTable;
  k.notifiers.invalidateRange(vma.mm, base * PAGE_SIZE, (base + HPAGE_PMD_NR) * PAGE_SIZE, "clear");
  const bits = (unshare ? PTE_YOUNG : writeBits(vma)) | PTE_HUGE;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const old = pt.pfn(base + i);
    const src = old >= 0 ? old : firstPfn + i;
    k.memory.contents.copy(src, head + i);
    k.frames.flags[head + i] |= PG_HUGETLB;
    if (old >= 0) zapPte(k, vma, base + i);
    mapNewAnon(k, vma, base + i, head + i, bits);
    if (old >= 0) k.observe("onCow", vma.mm, base + i, old, head + i, unshare ? "unshare" : "write");
  }
  k.vmstat.nr_cow += HPAGE_PMD_NR;
  count(stats, unshare ? "unshare" : "cow", HPAGE_PMD_NR);
  return 0;
}

