/**
 * The page-fault path (`handle_mm_fault`, mm/memory.c, v6.12): anonymous faults map the shared
 * zero page on read and allocate on write; private file mappings copy on write from the page
 * cache; shared file write faults go through the filesystem's page_mkwrite and dirty the page.
 * Faults on present PTEs are wp-page.ts's (`do_wp_page()`, unsharing), on swap entries
 * swap-fault.ts's (`do_swap_page()`), hugetlb ones hugetlb.ts's, PMD-level THP ones huge-memory.ts's.
 * @module
 */
import { EFAULT, ENOMEM } from "../errno.js";
import { filemapGetPage, pageMkwrite } from "./filemap.js";
import type { MmContext } from "./context.js";
import { count, FAULT_FLAG_UNSHARE, FAULT_FLAG_WRITE, type FaultStats } from "./fault-flags.js";
import { doHugePmdAnonymousPage, doHugePmdWpPage, thpFaultAllowed, VM_FAULT_FALLBACK } from "./huge-memory.js";
import { hugetlbFault } from "./hugetlb.js";
import { PTE_DIRTY, PTE_INDEX_MASK, PTE_PRESENT, PTE_SPECIAL, PTE_WRITE, PTE_YOUNG, type PteTable } from "./page-table.js";
import { HPAGE_PMD_ORDER, HPAGE_PUD_ORDER } from "../sim/units.js";
import { hugetlbOrder } from "./hugetlb-hstate.js";
import { thpVmaAllowableOrders, thpVmaSuitableOrder, TVA_ENFORCE_SYSFS, TVA_IN_PF } from "./thp-allowable.js";
import { mapNewAnon, mapPage } from "./pte-ops.js";
import { writeBits } from "./write-bits.js";
import { doSwapPage } from "./swap-fault.js";
import { isSwapPte } from "./swapops.js";
import { nonSwapEntry } from "./device-entry.js";
import type { Vma } from "./mm-types.js";
import { VM_HUGETLB, VM_PFNMAP, VM_WRITE } from "./vm-flags.js";
import { doUnshare, doWpPage, wpPageCopy } from "./wp-page.js";

/**
 * Resolve a fault at virtual page `vpn` of `vma` (`handle_mm_fault`, mm/memory.c, v6.12). Permission checks against
 * the VMA are the caller's (`access_error` for user access, `check_vma_flags` for GUP).
 * Returns 0 or `-errno` (EFAULT for SIGBUS/SIGSEGV, ENOMEM, ENOSPC).
 */
export function handleMmFault(k: MmContext, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
  const pt = vma.mm.pageTable;
  // __handle_mm_fault() / huge_pte_alloc(): pud_alloc() + pmd_alloc() come first, whatever the fault
  // then does; for a 1 GiB hugetlb page the PUD is the entry itself (huge_pte_alloc(): sz == PUD_SIZE).
  if ((vma.flags & VM_HUGETLB) !== 0) {
    if (hugetlbOrder(vma) !== HPAGE_PUD_ORDER) pt.pmdAlloc(vpn);
    return hugetlbFault(k, vma, vpn, fflags, stats);
  }
  pt.pmdAlloc(vpn);
  const write = (fflags & FAULT_FLAG_WRITE) !== 0;
  // The PMD level first: an empty PMD in a THP range gets a PMD leaf (create_huge_pmd()); a
  // read-only leaf takes a write or unshare fault at its level (wp_huge_pmd()), which may split it
  // and fall back to the PTE level below; any other fault on a leaf just marks it accessed
  // (huge_pmd_set_accessed()).
  if (thpFaultAllowed(k, vma, vpn)) {
    const r = doHugePmdAnonymousPage(k, vma, vpn, write, stats);
    if (r !== VM_FAULT_FALLBACK) return r;
  }
  if (pt.isLeaf(vpn)) {
    const unshare = !write && (fflags & FAULT_FLAG_UNSHARE) !== 0;
    if ((write || unshare) && (pt.bits(vpn) & PTE_WRITE) === 0) {
      const r = doHugePmdWpPage(k, vma, vpn, unshare, stats);
      if (r !== VM_FAULT_FALLBACK) return r;
    } else {
      pt.updatePmd(vpn, 0, PTE_YOUNG | (write ? PTE_DIRTY : 0));
      return 0;
    }
  }
  const bits = pt.bits(vpn);
  if (nonSwapEntry(bits)) {
    // do_swap_page()'s device branches; the CPU then retries the access on what they left: the
    // restored PTE of a device-exclusive entry, or what migrate_to_ram() mapped (a write to what
    // came back read-only, a device page fork shared, then takes do_wp_page()). A device-private
    // entry that stayed is a fault that never resolves, SIGBUS here.
    const r = doSwapPage(k, vma, vpn, fflags, stats);
    if (r < 0) return r;
    return nonSwapEntry(pt.bits(vpn)) ? -EFAULT : handleMmFault(k, vma, vpn, fflags, stats);
  }
  if ((bits & PTE_PRESENT) === 0) return isSwapPte(bits) ? doSwapPage(k, vma, vpn, fflags, stats) : doPteMissing(k, vma, vpn, fflags, stats);
  if ((fflags & FAULT_FLAG_WRITE) !== 0) {
    if ((bits & PTE_WRITE) === 0) return doWpPage(k, vma, vpn, fflags, stats);
    pt.update(vpn, 0, PTE_DIRTY | PTE_YOUNG);
    return 0;
  }
  if ((fflags & FAULT_FLAG_UNSHARE) !== 0) return doUnshare(k, vma, vpn, stats);
  pt.update(vpn, 0, PTE_YOUNG);
  return 0;
}

/** `do_pte_missing()` (mm/memory.c, v6.12): a fault where no PTE is present: anonymous, file or hugetlb. */
function doPteMissing(k: MmContext, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
  if ((vma.flags & VM_PFNMAP) !== 0) return -EFAULT;
  if (vma.isAnonymous) return doAnonymousPage(k, vma, vpn, fflags, stats);
  return doFileFault(k, vma, vpn, fflags, stats);
}

/** `do_anonymous_page()` (mm/memory.c, v6.12): the zero page on read, a new exclusive page on write (a THP is the PMD level's, in {@link handleMmFault}). */
function doAnonymousPage(k: MmContext, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
  if ((fflags & FAULT_FLAG_WRITE) === 0) {
    vma.mm.pageTable.set(vpn, k.memory.zeroPfn, PTE_SPECIAL | PTE_YOUNG);
    count(stats, "zero");
    return 0;
  }
  const { head, order } = allocAnonFolio(k, vma, vpn);
  if (head < 0) return -ENOMEM;
  const nr = 1 << order;
  const base = vpn - (vpn & (nr - 1));
  // folio_ref_add(folio, nr_pages - 1) + folio_add_new_anon_rmap(RMAP_EXCLUSIVE) + set_ptes().
  if (nr > 1) k.memory.get(head, nr - 1);
  for (let i = 0; i < nr; i++) mapNewAnon(k, vma, base + i, head + i, writeBits(vma));
  count(stats, order > 0 ? "mthp" : "anon");
  return 0;
}

/**
 * `alloc_anon_folio()` (mm/memory.c, v6.12) for a write fault at `vpn`: of the orders below PMD
 * size the machine enables here (mTHP, `thp_vma_allowable_orders()` and
 * `thp_vma_suitable_orders()`), the highest whose aligned block has no PTE yet
 * (`pte_range_none()`), then lower ones as allocations fail, and finally a 4 KiB page. Returns the
 * head (-1 when even that fails) and the order.
 */
function allocAnonFolio(k: MmContext, vma: Vma, vpn: number): { head: number; order: number } {
  let orders = thpVmaAllowableOrders(k, vma, TVA_IN_PF | TVA_ENFORCE_SYSFS, (1 << HPAGE_PMD_ORDER) - 1);
  const t = vma.mm.pageTable.table(vpn);
  for (let o = HPAGE_PMD_ORDER - 1; o > 0; o--) {
    if ((orders & (1 << o)) === 0) continue;
    if (!thpVmaSuitableOrder(vma, vpn, o) || !pteRangeNone(t, vpn - (vpn & ((1 << o) - 1)), 1 << o)) orders &= ~(1 << o);
  }
  for (let o = HPAGE_PMD_ORDER - 1; o > 0; o--) {
    if ((orders & (1 << o)) === 0) continue;
    const head = k.memory.allocFolio(o);
    if (head >= 0) return { head, order: o };
  }
  return { head: k.memory.allocFolio(0), order: 0 };
}

/** `pte_range_none()` (mm/memory.c, v6.12): every PTE of the `nr` from `vpn` is none: neither present nor a swap entry (no table: all are). */
function pteRangeNone(t: PteTable | undefined, vpn: number, nr: number): boolean {
  if (t === undefined) return true;
  for (let i = 0; i < nr; i++) if (t.bits[(vpn + i) & PTE_INDEX_MASK] !== 0) return false;
  return true;
}

/** `do_read_fault()` / `do_shared_fault()` / `do_cow_fault()` (mm/memory.c, v6.12). */
function doFileFault(k: MmContext, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
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

