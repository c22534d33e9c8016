/**
 * MADV_PAGEOUT (`madvise_pageout()` -> `madvise_cold_or_pageout_pte_range()`, mm/madvise.c,
 * v6.12): reclaim the anonymous folios mapped in a range now, one PMD's worth at a time
 * (`reclaim_pages()`, vmscan-anon.ts). It leaves alone what other mappings share
 * (`folio_likely_mapped_shared()`; a small folio mapped by two processes after fork stays), the
 * zero pages, and folios not fully mapped in the range, which it splits first
 * (`split_folio()`). Page-cache pages are not paged out (pinlab models no MADV_PAGEOUT of file
 * pages): in a file mapping only its private anonymous copies go to swap.
 * @module
 */
import { EINVAL } from "../errno.js";
import type { MmContext } from "./context.js";
import { PG_ANON, PG_DEVICE_COHERENT, PG_HUGE_ZERO } from "../memory/page-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { splitFolio } from "./huge-memory.js";
import { folioLikelyMappedShared } from "./khugepaged.js";
import type { Vma } from "./mm-types.js";
import { PTE_INDEX_MASK, PTE_PRESENT, PTE_SPECIAL, PTRS_PER_PTE } from "./page-table.js";
import { shrinkAnonFolios } from "./vmscan-anon.js";
import { VM_HUGETLB, VM_LOCKED, VM_PFNMAP } from "./vm-flags.js";

/**
 * `folio_pte_batch()` (mm/internal.h, v6.12) from the present PTE at `vpn` mapping `pfn` of a
 * large folio: how many PTEs in a row, up to `endVpn`, map the next pages of that folio.
 */
function folioPteBatch(k: MmContext, vma: Vma, vpn: number, pfn: number, endVpn: number): number {
  const pt = vma.mm.pageTable;
  const head = k.frames.head(pfn);
  const folioEnd = head + k.frames.nrPages(head);
  let nr = 1;
  while (vpn + nr < endVpn && pfn + nr < folioEnd && pt.pfn(vpn + nr) === pfn + nr) nr++;
  return nr;
}

/** One PMD's worth of the walk: [startVpn, endVpn) inside one PTE table. Returns the pages freed. */
function pageoutPmdRange(k: MmContext, vma: Vma, startVpn: number, endVpn: number): number {
  const pt = vma.mm.pageTable;
  const f = k.frames;
  if (pt.isLeaf(startVpn)) {
    const head = pt.pfn(startVpn - (startVpn & PTE_INDEX_MASK));
    if ((f.flags[head] & PG_HUGE_ZERO) !== 0 || folioLikelyMappedShared(k, head) || (f.flags[head] & PG_ANON) === 0) return 0;
    // The whole PMD in the range: reclaim the THP as it is; else split it and walk its PTEs.
    if (endVpn - startVpn === PTRS_PER_PTE) return shrinkAnonFolios(k, [head]);
    if (splitFolio(k, head) !== 0) return 0;
  }
  const list: number[] = [];
  let vpn = startVpn;
  while (vpn < endVpn) {
    const bits = pt.bits(vpn);
    if ((bits & PTE_PRESENT) === 0 || (bits & PTE_SPECIAL) !== 0) {
      vpn++;
      continue;
    }
    const pfn = pt.pfn(vpn);
    const head = f.head(pfn);
    // madvise_cold_or_pageout_pte_range(): "if (!folio || folio_is_zone_device(folio)) continue".
    if ((f.flags[head] & PG_DEVICE_COHERENT) !== 0) {
      vpn++;
      continue;
    }
    let nr = 1;
    if (f.isLarge(pfn)) {
      nr = folioPteBatch(k, vma, vpn, pfn, endVpn);
      if (nr < f.nrPages(head)) {
        // Not fully mapped in the range: split it (unless shared) and look at this PTE again.
        if (!folioLikelyMappedShared(k, head) && (f.flags[head] & PG_ANON) !== 0 && splitFolio(k, head) === 0) continue;
        vpn += nr;
        continue;
      }
    }
    // "Do not interfere with other mappings of this folio": mapped once per page, or skipped.
    if (f.folioMapcount(head) === f.nrPages(head) && (f.flags[head] & PG_ANON) !== 0 && !list.includes(head)) list.push(head);
    vpn += nr;
  }
  return shrinkAnonFolios(k, list);
}

/**
 * MADV_PAGEOUT over [start, end) of `vma` (`madvise_pageout()`, mm/madvise.c, v6.12): -EINVAL on
 * a VMA reclaim cannot touch (`can_madv_lru_vma()`: VM_LOCKED, VM_PFNMAP, VM_HUGETLB); else the
 * pages freed to swap (0 on a machine without swap, where `add_to_swap()` always fails; a THP
 * in the range is still split on the way, as v6.12's fallback does).
 */
export function madvisePageout(k: MmContext, vma: Vma, start: number, end: number): number {
  if ((vma.flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB)) !== 0) return -EINVAL;
  const endVpn = end / PAGE_SIZE;
  let freed = 0;
  for (let vpn = start / PAGE_SIZE; vpn < endVpn; vpn = (Math.floor(vpn / PTRS_PER_PTE) + 1) * PTRS_PER_PTE) {
    if (vma.mm.pageTable.pmdNone(vpn)) continue;
    freed += pageoutPmdRange(k, vma, vpn, Math.min(endVpn, (Math.floor(vpn / PTRS_PER_PTE) + 1) * PTRS_PER_PTE));
  }
  return freed;
}
