/**
 * hugetlb faults (mm/hugetlb.c, v6.12): a hugetlb folio is always mapped whole, by one PMD-level
 * entry (2 MiB) or PUD-level entry (1 GiB) holding one reference and one entire mapcount
 * (`hugetlb_add_file_rmap()`, `hugetlb_add_new_anon_rmap()`), and never split. A fault maps it (`hugetlb_no_page()`); a
 * private write or unshare reuses it when this is its only mapping, else copies the whole folio
 * (`hugetlb_wp()`).
 * @module
 */
import { EFAULT, ENOMEM } from "../errno.js";
import { filemapGetPage, pageMkwrite } from "./filemap.js";
import type { MmContext } from "./context.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_HUGETLB } from "../memory/page-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { count, FAULT_FLAG_UNSHARE, FAULT_FLAG_WRITE, type FaultStats } from "./fault-flags.js";
import { mapNewAnonPmd } from "./huge-memory.js";
import { allocHugetlbFolio, pagesPerHugePage } from "./hugetlb-hstate.js";
import { PTE_DIRTY, PTE_WRITE, PTE_YOUNG, PUD_PAGES } from "./page-table.js";
import { mapPmd, zapHugePmd } from "./pte-ops.js";
import { writeBits } from "./write-bits.js";
import type { Vma } from "./mm-types.js";
import { VM_WRITE } from "./vm-flags.js";

/**
 * `hugetlb_fault()` (mm/hugetlb.c, v6.12) at `vpn`: map the folio when nothing is mapped
 * ({@link hugetlbNoPage}); a write or an unshare on a read-only entry goes to {@link hugetlbWp};
 * anything else marks the entry young (and dirty for a write).
 */
export function hugetlbFault(k: MmContext, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
  const pt = vma.mm.pageTable;
  if (!pt.isLeaf(vpn)) return hugetlbNoPage(k, vma, vpn, fflags, stats);
  const write = (fflags & FAULT_FLAG_WRITE) !== 0;
  if ((write || (fflags & FAULT_FLAG_UNSHARE) !== 0) && (pt.bits(vpn) & PTE_WRITE) === 0) {
    return hugetlbWp(k, vma, vpn, !write, stats);
  }
  pt.updatePmd(vpn, 0, PTE_YOUNG | (write ? PTE_DIRTY : 0));
  return 0;
}

/** `hugetlb_no_page()` (mm/hugetlb.c, v6.12): map a whole hugetlb folio (2 MiB, or 1 GiB from the pool). */
export function hugetlbNoPage(k: MmContext, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
  const base = vpn - (vpn % pagesPerHugePage(vma));
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
    mapPmd(k, vma, base, first, w | PTE_YOUNG | (write ? PTE_DIRTY : 0));
    count(stats, "hugetlb");
    return 0;
  }
  // Private anonymous hugetlb: a fresh anonymous hugetlb folio.
  const head = allocHugetlbFolio(k, vma, base);
  if (head < 0) return hugetlbAllocErrno(vma);
  mapNewAnonPmd(k, vma, base, head, writeBits(vma), PG_HUGETLB);
  count(stats, "hugetlb");
  return 0;
}

/**
 * `hugetlb_wp()` (mm/hugetlb.c, v6.12) on the read-only entry at `vpn`: a shared mapping becomes
 * writable (`set_huge_ptep_writable()`); an anonymous folio mapped only here
 * (`folio_mapcount() == 1`) is reused and made exclusive, writable unless this is an unshare;
 * anything else is copied ({@link hugetlbCopy}).
 */
export function hugetlbWp(k: MmContext, vma: Vma, vpn: number, unshare: boolean, stats: FaultStats): number {
  if (!unshare && (vma.flags & VM_WRITE) === 0) return -EFAULT;
  const pt = vma.mm.pageTable;
  const base = vpn - (vpn % pagesPerHugePage(vma));
  const head = pt.pfn(base);
  if (vma.isShared) {
    if (unshare) return 0;
    pageMkwrite(k, vma.file!, head);
    pt.updatePmd(vpn, 0, PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
    count(stats, "mkwrite");
    return 0;
  }
  const f = k.frames;
  if (f.folioMapcount(head) === 1 && (f.flags[head] & PG_ANON) !== 0) {
    f.flags[head] |= PG_ANON_EXCLUSIVE;
    if (!unshare) pt.updatePmd(vpn, 0, writeBits(vma));
    count(stats, "reuse");
    return 0;
  }
  return hugetlbCopy(k, vma, base, head, stats, unshare);
}

/**
 * The copy of `hugetlb_wp()` (mm/hugetlb.c, v6.12): replace the whole folio mapped at `base` (or,
 * when nothing is mapped yet, the page-cache folio at `srcHead`: a private write fault) with an
 * exclusive anonymous copy, mapped writable for a write and read-only for an unshare
 * (`make_huge_pte(..., !unshare)`), after one MMU-notifier CLEAR over the huge page. A 1 GiB
 * copy needs a pool folio nobody reserved, else SIGBUS (-EFAULT); v6.12's owner would first unmap
 * the page from the other mappers and retry (`unmap_ref_private()`), which the model does not.
 */
export function hugetlbCopy(k: MmContext, vma: Vma, base: number, srcHead: number, stats: FaultStats, unshare = false): number {
  const head = allocHugetlbFolio(k, vma, base);
  if (head < 0) return hugetlbAllocErrno(vma);
  const nr = k.frames.nrPages(head);
  const pt = vma.mm.pageTable;
  const mapped = pt.isLeaf(base);
  const old = mapped ? pt.pfn(base) : srcHead;
  // copy_user_large_folio(): subpage by subpage, as the kernel does (the content store keeps only written pages).
  for (let i = 0; i < nr; i++) k.memory.contents.copy(old + i, head + i);
  // hugetlb_no_page() maps a private write fault's page-cache folio first and hugetlb_wp()s it:
  // the notifiers hear the CLEAR either way.
  k.notifiers.invalidateRange(vma.mm, base * PAGE_SIZE, (base + nr) * PAGE_SIZE, "clear");
  if (mapped) zapHugePmd(k, vma, base);
  mapNewAnonPmd(k, vma, base, head, unshare ? PTE_YOUNG : writeBits(vma), PG_HUGETLB);
  // A 1 GiB folio is told once, whole (PUD level); a 2 MiB one page by page, as it always was.
  const reason = unshare ? "unshare" : "write";
  if (mapped && nr === PUD_PAGES) k.observe("onCow", vma.mm, base, old, head, reason, nr);
  else if (mapped) for (let i = 0; i < nr; i++) k.observe("onCow", vma.mm, base + i, old + i, head + i, reason);
  k.vmstat.nr_cow += nr;
  count(stats, unshare ? "unshare" : "cow", nr);
  return 0;
}

/**
 * The errno of a hugetlb fault whose folio could not be allocated: `alloc_hugetlb_folio()`
 * answers -ENOSPC, which `vmf_error()` (include/linux/mm.h, v6.12) turns into VM_FAULT_SIGBUS:
 * -EFAULT here for a 1 GiB page (SIGBUS measured on Linux 6.18). A 2 MiB page, which the model
 * still takes from the page allocator rather than a pool, keeps its -ENOMEM.
 */
function hugetlbAllocErrno(vma: Vma): number {
  return pagesPerHugePage(vma) === PUD_PAGES ? -EFAULT : -ENOMEM;
}
