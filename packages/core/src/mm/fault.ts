/**
 * The page-fault path (`handle_mm_fault`, mm/memory.c, v6.12): anonymous faults map the shared
 * zero page on read and allocate on write; private file mappings copy on write from the page
 * cache; shared file write faults go through the filesystem's page_mkwrite and dirty the page;
 * a write to a write-protected private page reuses it when it is exclusive (or the only
 * reference) and copies it otherwise (`do_wp_page`); FAULT_FLAG_UNSHARE makes an anon page
 * exclusive without writing it, as a read-only GUP pin requires.
 * @module
 */
import { EFAULT, ENOMEM } from "../errno.js";
import { filemapGetPage, pageMkwrite } from "../fs/filemap.js";
import type { Kernel } from "../kernel/kernel.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_HUGETLB } from "../memory/page-flags.js";
import { HPAGE_PMD_NR, HPAGE_PMD_ORDER, PAGE_SIZE } from "../sim/units.js";
import { PTE_DIRTY, PTE_HUGE, PTE_PRESENT, PTE_SPECIAL, PTE_WRITE, PTE_YOUNG } from "./page-table.js";
import { mapNewAnon, mapPage, writeBits, zapPte } from "./pte-ops.js";
import { VM_HUGEPAGE, VM_HUGETLB, VM_PFNMAP, VM_WRITE, type Vma } from "./vma.js";

/** FAULT_FLAG_WRITE. */
export const FAULT_FLAG_WRITE = 1 << 0;
/** FAULT_FLAG_UNSHARE: make an anonymous page exclusive without writing it. */
export const FAULT_FLAG_UNSHARE = 1 << 1;
/** FAULT_FLAG_REMOTE: the faulting task is not the mm's owner. */
export const FAULT_FLAG_REMOTE = 1 << 2;

/** Fault counts by kind, accumulated over one call (touch, user access, GUP fault-in). */
export type FaultStats = Record<string, number>;

function count(stats: FaultStats, kind: string, n = 1): void {
  stats[kind] = (stats[kind] ?? 0) + n;
}

/**
 * Resolve a fault at virtual page `vpn` of `vma` (`handle_mm_fault`). Permission checks against
 * the VMA are the caller's (`access_error` for user access, `check_vma_flags` for GUP).
 * Returns 0 or `-errno` (EFAULT for SIGBUS/SIGSEGV, ENOMEM, ENOSPC).
 */
export function handleMmFault(k: Kernel, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
  const pt = vma.mm.pageTable;
  const bits = pt.bits(vpn);
  if ((bits & PTE_PRESENT) === 0) return doPteMissing(k, vma, vpn, fflags, stats);
  if ((fflags & FAULT_FLAG_WRITE) !== 0) {
    if ((bits & PTE_WRITE) === 0) return doWpPage(k, vma, vpn, fflags, stats);
    pt.update(vpn, 0, PTE_DIRTY | PTE_YOUNG);
    return 0;
  }
  if ((fflags & FAULT_FLAG_UNSHARE) !== 0) return doUnshare(k, vma, vpn, stats);
  pt.update(vpn, 0, PTE_YOUNG);
  return 0;
}

function doPteMissing(k: Kernel, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
  if ((vma.flags & VM_PFNMAP) !== 0) return -EFAULT;
  if ((vma.flags & VM_HUGETLB) !== 0) return hugetlbNoPage(k, vma, vpn, fflags, stats);
  if (vma.isAnonymous) return doAnonymousPage(k, vma, vpn, fflags, stats);
  return doFileFault(k, vma, vpn, fflags, stats);
}

/** `do_anonymous_page`: zero page on read, a new exclusive page (or a PMD-sized THP) on write. */
function doAnonymousPage(k: Kernel, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
  if ((fflags & FAULT_FLAG_WRITE) === 0) {
    vma.mm.pageTable.set(vpn, k.memory.zeroPfn, PTE_SPECIAL | PTE_YOUNG);
    count(stats, "zero");
    return 0;
  }
  if ((vma.flags & VM_HUGEPAGE) !== 0 && thpSuitable(vma, vpn)) {
    const base = vpn - (vpn % HPAGE_PMD_NR);
    const head = k.memory.allocFolio(HPAGE_PMD_ORDER);
    if (head >= 0) {
      k.memory.get(head, HPAGE_PMD_NR - 1);
      const bits = writeBits(vma) | PTE_HUGE;
      for (let i = 0; i < HPAGE_PMD_NR; i++) mapNewAnon(k, vma, base + i, head + i, bits);
      count(stats, "thp");
      return 0;
    }
  }
  const pfn = k.memory.allocFolio(0);
  if (pfn < 0) return -ENOMEM;
  mapNewAnon(k, vma, vpn, pfn, writeBits(vma));
  count(stats, "anon");
  return 0;
}

/** A PMD-aligned 2 MiB block around `vpn` lies inside the VMA and has no PTEs yet. */
function thpSuitable(vma: Vma, vpn: number): boolean {
  const base = vpn - (vpn % HPAGE_PMD_NR);
  if (base < vma.startVpn || base + HPAGE_PMD_NR > vma.endVpn) return false;
  const t = vma.mm.pageTable.table(base);
  return t === undefined || t.present === 0;
}

/** `do_read_fault` / `do_shared_fault` / `do_cow_fault`. */
function doFileFault(k: Kernel, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
  const inode = vma.file!;
  const index = vma.fileIndex(vpn);
  if (index >= inode.sizePages) return -EFAULT; // SIGBUS: beyond EOF
  const pfn = filemapGetPage(k, inode, index);
  if (pfn < 0) return pfn;
  const write = (fflags & FAULT_FLAG_WRITE) !== 0;
  if (vma.isShared) {
    if (write) {
      pageMkwrite(k, inode, pfn);
      mapPage(k, vma, vpn, pfn, PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
      count(stats, "mkwrite");
    } else {
      // Shared writable mappings of dirty-tracked files start read-only (write-notify).
      const w = (vma.flags & VM_WRITE) !== 0 && !inode.fs.dirtyTracking ? PTE_WRITE : 0;
      mapPage(k, vma, vpn, pfn, w | PTE_YOUNG);
      count(stats, "file");
    }
    return 0;
  }
  if (write) return wpPageCopy(k, vma, vpn, pfn, false, stats, true);
  mapPage(k, vma, vpn, pfn, PTE_YOUNG);
  count(stats, "file");
  return 0;
}

/** `hugetlb_no_page`: map a whole 2 MiB hugetlb folio. */
function hugetlbNoPage(k: Kernel, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
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
 * `hugetlb_wp` copy: replace the whole folio mapped at `base` with an exclusive anonymous copy,
 * mapped writable for a write and read-only for an unshare (`make_huge_pte(..., !unshare)`).
 */
function hugetlbCopy(k: Kernel, vma: Vma, base: number, firstPfn: number, stats: FaultStats, unshare = false): number {
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

/** `do_wp_page`: a write to a present, write-protected PTE. */
function doWpPage(k: Kernel, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
  const pt = vma.mm.pageTable;
  const pfn = pt.pfn(vpn);
  const bits = pt.bits(vpn);
  const f = k.frames;
  if ((bits & PTE_SPECIAL) !== 0) {
    if (pfn === k.memory.zeroPfn) return wpPageCopy(k, vma, vpn, pfn, false, stats, false);
    if ((vma.flags & VM_WRITE) === 0) return -EFAULT;
    pt.update(vpn, 0, PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
    return 0;
  }
  if (vma.isShared) {
    // wp_page_shared: write-notify through ->page_mkwrite, then make the PTE writable.
    if ((vma.flags & VM_WRITE) === 0) return -EFAULT;
    pageMkwrite(k, vma.file!, pfn);
    setFolioPteBits(k, vma, vpn, pfn, PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
    count(stats, "mkwrite");
    return 0;
  }
  const head = f.head(pfn);
  if ((f.flags[pfn] & PG_ANON) !== 0) {
    if ((f.flags[head] & PG_HUGETLB) !== 0) {
      if ((f.flags[head] & PG_ANON_EXCLUSIVE) !== 0 || f.folioMapcount(head) === HPAGE_PMD_NR) {
        markExclusive(k, head);
        setFolioPteBits(k, vma, vpn, pfn, writeBits(vma));
        count(stats, "reuse");
        return 0;
      }
      return hugetlbCopy(k, vma, vpn - (vpn % HPAGE_PMD_NR), pfn - (pfn - head), stats);
    }
    if ((f.flags[pfn] & PG_ANON_EXCLUSIVE) !== 0) {
      setFolioPteBits(k, vma, vpn, pfn, writeBits(vma));
      count(stats, "reuse");
      return 0;
    }
    // wp_can_reuse_anon_folio(): never for large folios; for a small one only when our mapping
    // holds the sole reference (any GUP reference or pin forces a copy).
    if (!f.isLarge(pfn) && f.refcount[head] === 1) {
      f.flags[pfn] |= PG_ANON_EXCLUSIVE;
      pt.update(vpn, 0, writeBits(vma));
      count(stats, "reuse");
      return 0;
    }
    if ((bits & PTE_HUGE) !== 0) splitPmdMapping(k, vma, vpn, head);
  }
  return wpPageCopy(k, vma, vpn, pfn, false, stats, false);
}

/** FAULT_FLAG_UNSHARE on a present page (`do_wp_page` with unshare). */
function doUnshare(k: Kernel, vma: Vma, vpn: number, stats: FaultStats): number {
  const pt = vma.mm.pageTable;
  const pfn = pt.pfn(vpn);
  const f = k.frames;
  if ((pt.bits(vpn) & PTE_SPECIAL) !== 0) {
    return pfn === k.memory.zeroPfn && vma.isCow ? wpPageCopy(k, vma, vpn, pfn, true, stats, false) : 0;
  }
  if ((f.flags[pfn] & PG_ANON) === 0) return vma.isCow ? wpPageCopy(k, vma, vpn, pfn, true, stats, false) : 0;
  if ((f.flags[pfn] & PG_ANON_EXCLUSIVE) !== 0) return 0;
  const head = f.head(pfn);
  if (!f.isLarge(pfn) && f.refcount[head] === 1) {
    f.flags[pfn] |= PG_ANON_EXCLUSIVE;
    count(stats, "reuse");
    return 0;
  }
  if ((f.flags[head] & PG_HUGETLB) !== 0 && f.folioMapcount(head) === HPAGE_PMD_NR) {
    markExclusive(k, head);
    count(stats, "reuse");
    return 0;
  }
  if ((pt.bits(vpn) & PTE_HUGE) !== 0) splitPmdMapping(k, vma, vpn, head);
  return wpPageCopy(k, vma, vpn, pfn, true, stats, false);
}

/**
 * `wp_page_copy`: give this mapping its own exclusive anonymous copy of the page at `vpn` (or of
 * `srcPfn` when nothing is mapped yet: a private write fault on a file page). An unshare copy is
 * mapped read-only. Tells observers which frame the process left behind.
 */
function wpPageCopy(k: Kernel, vma: Vma, vpn: number, srcPfn: number, unshare: boolean, stats: FaultStats, notMapped: boolean): number {
  const f = k.frames;
  if ((f.flags[srcPfn] & PG_HUGETLB) !== 0 && !notMapped) {
    return hugetlbCopy(k, vma, vpn - (vpn % HPAGE_PMD_NR), srcPfn - (srcPfn - f.head(srcPfn)), stats, unshare);
  }
  const pfn = k.memory.allocFolio(0);
  if (pfn < 0) return -ENOMEM;
  if (srcPfn !== k.memory.zeroPfn) k.memory.contents.copy(srcPfn, pfn);
  const addr = vpn * PAGE_SIZE;
  if (!notMapped) {
    k.notifiers.invalidateRange(vma.mm, addr, addr + PAGE_SIZE, "clear");
    zapPte(k, vma, vpn);
  }
  mapNewAnon(k, vma, vpn, pfn, unshare ? PTE_YOUNG : writeBits(vma));
  k.vmstat.nr_cow++;
  count(stats, unshare ? "unshare" : "cow");
  if (!notMapped && srcPfn !== k.memory.zeroPfn) k.observe("onCow", vma.mm, vpn, srcPfn, pfn, unshare ? "unshare" : "write");
  return 0;
}

/**
 * Set bits on the PTE at `vpn`, or on every PTE of its PMD mapping when it is PMD-mapped
 * (`do_huge_pmd_wp_page` reuse). Only PTEs of this VMA that still map the same subpage are
 * touched: a PMD mapping never extends past its VMA (`split_huge_pmd_if_needed` at VMA splits).
 */
function setFolioPteBits(k: Kernel, vma: Vma, vpn: number, pfn: number, set: number): void {
  const pt = vma.mm.pageTable;
  if ((pt.bits(vpn) & PTE_HUGE) === 0) {
    pt.update(vpn, 0, set);
    return;
  }
  const head = k.frames.head(pfn);
  const base = vpn - (pfn - head);
  for (let i = 0; i < k.frames.nrPages(head); i++) {
    const v = base + i;
    if (v >= vma.startVpn && v < vma.endVpn && pt.pfn(v) === head + i) pt.update(v, 0, set);
  }
}

/** Mark every page of a folio anon-exclusive. */
function markExclusive(k: Kernel, head: number): void {
  const nr = k.frames.nrPages(head);
  for (let i = 0; i < nr; i++) k.frames.flags[head + i] |= PG_ANON_EXCLUSIVE;
}

/**
 * `__split_huge_pmd`: the folio mapped at `vpn` stays, but is now mapped by ordinary PTEs in this
 * mm. Only PTEs that map the matching subpage of this folio are changed.
 */
export function splitPmdMapping(k: Kernel, vma: Vma, vpn: number, head: number): void {
  const pt = vma.mm.pageTable;
  const pfn = pt.pfn(vpn);
  const base = vpn - (pfn - head);
  for (let i = 0; i < k.frames.nrPages(head); i++) {
    if (pt.pfn(base + i) === head + i) pt.update(base + i, PTE_HUGE, 0);
  }
}

/**
 * `split_huge_pmd_address()`: if a THP is PMD-mapped across byte address `addr` of `vma` (which is
 * not PMD aligned), map it by ordinary PTEs instead, so a VMA split or a partial zap at `addr`
 * leaves no PMD mapping reaching past the boundary (`vma_adjust_trans_huge`, `zap_pmd_range`).
 * hugetlb mappings are never split this way (their ranges are 2 MiB aligned).
 */
export function splitHugePmdAddress(k: Kernel, vma: Vma, addr: number): void {
  if (addr % (HPAGE_PMD_NR * PAGE_SIZE) === 0 || (vma.flags & VM_HUGETLB) !== 0) return;
  const vpn = Math.floor(addr / PAGE_SIZE);
  const pt = vma.mm.pageTable;
  if ((pt.bits(vpn) & PTE_HUGE) === 0) return;
  splitPmdMapping(k, vma, vpn, k.frames.head(pt.pfn(vpn)));
}
