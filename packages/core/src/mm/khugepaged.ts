/**
 * Collapsing 4 KiB pages into a THP (mm/khugepaged.c, v6.12): MADV_COLLAPSE (`madvise_collapse()`)
 * and the khugepaged scan (`khugepaged_scan_mm_slot()`), both through `hpage_collapse_scan_pmd()`
 * and `collapse_huge_page()`. A range collapses unless a page has references beyond its mappings
 * (a pin, a GUP reference, a device: `is_refcount_suitable()`), no PTE in it is writable, or
 * (khugepaged only) it is too sparse, too shared, too swapped out or not recently used. Swapped-out
 * pages in the range are swapped in first (`__collapse_huge_page_swapin()`).
 * @module
 */
import { EAGAIN, EBUSY, EINVAL, ENOMEM } from "../errno.js";
import type { MmContext } from "./context.js";
import { PG_ANON, PG_DEVICE_COHERENT, PG_HUGETLB, PG_PRIVATE, PG_SWAPCACHE } from "../memory/page-flags.js";
import { HPAGE_PMD_NR, HPAGE_PMD_ORDER, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { mapNewAnonPmd } from "./huge-memory.js";
import { PTE_PRESENT, PTE_SPECIAL, PTE_WRITE, PTE_YOUNG } from "./page-table.js";
import { zapPte } from "./pte-ops.js";
import { writeBits } from "./write-bits.js";
import type { MmStruct, Vma } from "./mm-types.js";
import { thpVmaAllowableOrders, TVA_ENFORCE_SYSFS } from "./thp-allowable.js";
import { doSwapPage } from "./swap-fault.js";
import { isSwapPte } from "./swapops.js";

/** `enum scan_result` (mm/khugepaged.c, v6.12), the values the model can reach, in lower case. */
export type ScanResult =
  | "succeed" | "pmd_null" | "pmd_none" | "pmd_mapped" | "exceed_none_pte" | "exceed_shared_pte" | "page_ro"
  | "lack_referenced_page" | "page_null" | "page_anon" | "page_count" | "alloc_huge_page_fail" | "vma_check"
  | "exceed_swap_pte" | "fail";

/** `struct collapse_control` (mm/khugepaged.c, v6.12): who collapses. khugepaged has limits MADV_COLLAPSE ignores. */
export interface CollapseControl {
  /** True for the khugepaged scan, false for MADV_COLLAPSE. */
  readonly isKhugepaged: boolean;
}

/** `khugepaged_max_ptes_none` (default HPAGE_PMD_NR - 1): empty or zero-page PTEs khugepaged tolerates in a range. */
export const KHUGEPAGED_MAX_PTES_NONE = HPAGE_PMD_NR - 1;
/** `khugepaged_max_ptes_shared` (default HPAGE_PMD_NR / 2): pages mapped by more than one process khugepaged tolerates. */
export const KHUGEPAGED_MAX_PTES_SHARED = HPAGE_PMD_NR / 2;
/** `khugepaged_max_ptes_swap` (default HPAGE_PMD_NR / 8): swap entries khugepaged tolerates (and swaps in) in a range. */
export const KHUGEPAGED_MAX_PTES_SWAP = HPAGE_PMD_NR / 8;

/**
 * `is_refcount_suitable()` (mm/khugepaged.c, v6.12): does nothing hold the folio at `head` but
 * its mappings (and for a file folio its page cache, for a swap-cache folio the swap cache, and
 * buffers)? A pin or a GUP reference makes the refcount larger: the range must not collapse, or
 * the holder would keep the old page.
 */
export function isRefcountSuitable(k: MmContext, head: number): boolean {
  const f = k.frames;
  let expected = f.folioMapcount(head);
  if ((f.flags[head] & PG_ANON) === 0 || (f.flags[head] & PG_SWAPCACHE) !== 0) expected += f.nrPages(head);
  if ((f.flags[head] & PG_PRIVATE) !== 0) expected++;
  return f.refcount[head] === expected;
}

/** `folio_likely_mapped_shared()` (include/linux/mm.h, v6.12): is the folio at `head` (probably) mapped by more than one process? */
export function folioLikelyMappedShared(k: MmContext, head: number): boolean {
  const f = k.frames;
  const mapcount = f.folioMapcount(head);
  if (!f.isLarge(head) || (f.flags[head] & PG_HUGETLB) !== 0) return mapcount > 1;
  if (mapcount <= 1) return false;
  if (f.entireMapcount[head] > 0 || mapcount > f.nrPages(head)) return true;
  return f.mapcount[head] > 1;
}

/**
 * `thp_vma_allowable_order(vma, vm_flags, tva_flags, PMD_ORDER)` (v6.12) as the collapse paths ask
 * it: khugepaged with TVA_ENFORCE_SYSFS (the machine's THP settings), MADV_COLLAPSE without (it
 * works in any mode, even `never`, but not under MADV_NOHUGEPAGE); both need a VMA that holds a
 * whole aligned 2 MiB and has an anon_vma.
 */
export function collapseAllowed(k: MmContext, vma: Vma, cc: CollapseControl): boolean {
  return thpVmaAllowableOrders(k, vma, cc.isKhugepaged ? TVA_ENFORCE_SYSFS : 0, 1 << HPAGE_PMD_ORDER) !== 0;
}

/**
 * `hpage_collapse_scan_pmd()` (mm/khugepaged.c, v6.12) of the 2 MiB at page `vpn` (aligned) of
 * `vma`, then `collapse_huge_page()` when the scan succeeds. `pmd_mapped` when a PMD leaf is
 * there already (counted a success by MADV_COLLAPSE).
 */
export function hpageCollapseScanPmd(k: MmContext, vma: Vma, vpn: number, cc: CollapseControl): ScanResult {
  const pt = vma.mm.pageTable;
  // find_pmd_or_thp_or_none(): mm_find_pmd() finds no PMD table, or the PMD is empty, or a leaf.
  if (!pt.pudPresent(vpn)) return "pmd_null";
  if (pt.pmdNone(vpn)) return "pmd_none";
  if (pt.isLeaf(vpn)) return "pmd_mapped";
  const t = pt.table(vpn)!;
  const f = k.frames;
  let noneOrZero = 0;
  let unmapped = 0;
  let shared = 0;
  let referenced = 0;
  let writable = false;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const bits = t.bits[i];
    const pfn = t.pfn[i];
    if (isSwapPte(bits)) {
      unmapped++;
      if (cc.isKhugepaged && unmapped > KHUGEPAGED_MAX_PTES_SWAP) return "exceed_swap_pte";
      continue;
    }
    // pte_none_or_zero()
    if ((bits & PTE_PRESENT) === 0 || ((bits & PTE_SPECIAL) !== 0 && pfn === k.memory.zeroPfn)) {
      if (cc.isKhugepaged && ++noneOrZero > KHUGEPAGED_MAX_PTES_NONE) return "exceed_none_pte";
      continue;
    }
    if ((bits & PTE_WRITE) !== 0) writable = true;
    // vm_normal_page(): a special PTE (PFNMAP) has no struct page; is_zone_device_page(): nor may a
    // device-coherent page be collapsed (SCAN_PAGE_NULL).
    if ((bits & PTE_SPECIAL) !== 0 || (f.flags[pfn] & PG_DEVICE_COHERENT) !== 0) return "page_null";
    if ((f.flags[pfn] & PG_ANON) === 0) return "page_anon";
    const head = f.head(pfn);
    if (folioLikelyMappedShared(k, head) && cc.isKhugepaged && ++shared > KHUGEPAGED_MAX_PTES_SHARED) return "exceed_shared_pte";
    if (!isRefcountSuitable(k, head)) return "page_count";
    if (cc.isKhugepaged && (bits & PTE_YOUNG) !== 0) referenced++;
  }
  if (!writable) return "page_ro";
  if (cc.isKhugepaged && (referenced === 0 || (unmapped > 0 && referenced < HPAGE_PMD_NR / 2))) return "lack_referenced_page";
  return collapseHugePage(k, vma, vpn, unmapped);
}

/**
 * `collapse_huge_page()` (mm/khugepaged.c, v6.12) after a successful scan: allocate the THP
 * (`alloc_charge_folio()`; none: `alloc_huge_page_fail`), tell the notifiers one
 * MMU_NOTIFY_CLEAR over the 2 MiB, copy every page in (`__collapse_huge_page_copy()`: an empty or
 * zero-page PTE leaves zeros), drop the old PTEs (their mappings' references and mapcounts: a
 * page mapped nowhere else is freed) and map the new folio exclusive, writable and dirty by one
 * PMD in the emptied table's place (`pmd_mkdirty`, `maybe_pmd_mkwrite`, the table deposited).
 */
export function collapseHugePage(k: MmContext, vma: Vma, vpn: number, unmapped = 0): ScanResult {
  const head = k.memory.allocFolio(HPAGE_PMD_ORDER);
  if (head < 0) return "alloc_huge_page_fail";
  const swapin = unmapped > 0 ? collapseHugePageSwapin(k, vma, vpn) : "succeed";
  if (swapin !== "succeed") {
    k.memory.put(head);
    return swapin;
  }
  const pt = vma.mm.pageTable;
  const addr = vpn * PAGE_SIZE;
  k.notifiers.invalidateRange(vma.mm, addr, addr + HPAGE_PMD_SIZE, "clear");
  const t = pt.table(vpn)!;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const bits = t.bits[i];
    if ((bits & PTE_PRESENT) === 0) continue;
    const pfn = t.pfn[i];
    if ((bits & PTE_SPECIAL) === 0) k.memory.contents.copy(pfn, head + i);
    zapPte(k, vma, vpn + i);
  }
  mapNewAnonPmd(k, vma, vpn, head, writeBits(vma));
  k.vmstat.thp_collapse_alloc++;
  return "succeed";
}

/**
 * `__collapse_huge_page_swapin()` (mm/khugepaged.c, v6.12) of the 2 MiB at `vpn`: `do_swap_page()`
 * on every swap entry (a fault that fails, such as an allocation: `fail`); then, as
 * `__collapse_huge_page_isolate()` checks again, every page must still be held by nothing but its
 * mappings and the swap cache (`page_count`).
 */
function collapseHugePageSwapin(k: MmContext, vma: Vma, vpn: number): ScanResult {
  const t = vma.mm.pageTable.table(vpn)!;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    if (isSwapPte(t.bits[i]) && doSwapPage(k, vma, vpn + i, 0, {}) < 0) return "fail";
  }
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const bits = t.bits[i];
    if ((bits & PTE_PRESENT) !== 0 && (bits & PTE_SPECIAL) === 0 && !isRefcountSuitable(k, k.frames.head(t.pfn[i]))) return "page_count";
  }
  return "succeed";
}

/** `madvise_collapse_errno()` (mm/khugepaged.c, v6.12): the errno MADV_COLLAPSE answers for a scan result. */
export function madviseCollapseErrno(r: ScanResult): number {
  switch (r) {
    case "alloc_huge_page_fail":
      return -ENOMEM;
    case "exceed_none_pte":
      return -EBUSY;
    case "page_count":
      return -EAGAIN;
    default:
      return -EINVAL;
  }
}

/** Scan results after which `madvise_collapse()` goes on to the next 2 MiB (the rest end the call). */
const CONTINUE: ReadonlySet<ScanResult> = new Set(["pmd_null", "page_ro", "lack_referenced_page", "page_null", "page_count"]);

/**
 * `madvise_collapse()` (mm/khugepaged.c, v6.12) over [start, end) of `vma`: every whole, aligned
 * 2 MiB inside is collapsed in turn. 0 when each is (or already was) a PMD-mapped THP; otherwise
 * the errno of the last failure (`madvise_collapse_errno()`), a failure outside the
 * "continue" list (an empty PMD, a page that is not anonymous, ...) ending the walk at once.
 * -EINVAL for a VMA collapse may not touch.
 */
export function madviseCollapse(k: MmContext, vma: Vma, start: number, end: number): number {
  const cc = { isKhugepaged: false };
  if (!collapseAllowed(k, vma, cc)) return -EINVAL;
  const hstart = Math.ceil(start / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
  const hend = Math.floor(end / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
  let thps = 0;
  let lastFail: ScanResult = "vma_check";
  for (let addr = hstart; addr < hend; addr += HPAGE_PMD_SIZE) {
    const r = hpageCollapseScanPmd(k, vma, addr / PAGE_SIZE, cc);
    if (r === "succeed" || r === "pmd_mapped") {
      thps++;
      continue;
    }
    lastFail = r;
    if (!CONTINUE.has(r)) break;
  }
  return thps === (hend - hstart) / HPAGE_PMD_SIZE ? 0 : madviseCollapseErrno(lastFail);
}

/** What one khugepaged pass did: 2 MiB ranges scanned, and THPs made. */
export interface KhugepagedResult {
  /** Aligned 2 MiB ranges of MADV_HUGEPAGE memory looked at. */
  scanned: number;
  /** Ranges collapsed into a THP. */
  collapsed: number;
}

/**
 * One pass of khugepaged (`khugepaged_scan_mm_slot()`, mm/khugepaged.c, v6.12) over `mms`: every
 * whole, aligned 2 MiB of every VMA it may collapse (MADV_HUGEPAGE anonymous memory in the
 * `madvise` THP mode), scanned with khugepaged's limits (`khugepaged_max_ptes_none`,
 * `_max_ptes_shared`, a recently used page), collapsed where the scan allows. One pass covers
 * everything (the kernel's `pages_to_scan` budget spreads it over wakeups).
 */
export function khugepagedScan(k: MmContext, mms: Iterable<MmStruct>): KhugepagedResult {
  const cc = { isKhugepaged: true };
  const res: KhugepagedResult = { scanned: 0, collapsed: 0 };
  for (const mm of mms) {
    if (!mm.live) continue;
    for (const vma of [...mm.vmas]) {
      if (!collapseAllowed(k, vma, cc)) continue;
      const hstart = Math.ceil(vma.start / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
      const hend = Math.floor(vma.end / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
      for (let addr = hstart; addr < hend; addr += HPAGE_PMD_SIZE) {
        const vpn = addr / PAGE_SIZE;
        if (mm.pageTable.pmdNone(vpn) || mm.pageTable.isLeaf(vpn)) continue;
        res.scanned++;
        if (hpageCollapseScanPmd(k, vma, vpn, cc) === "succeed") res.collapsed++;
      }
    }
  }
  k.events.emit("khugepaged", { ...res });
  return res;
}
