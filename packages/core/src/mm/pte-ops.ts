/**
 * Installing and removing PTEs with the reference and mapcount bookkeeping the kernel does
 * alongside (`folio_add_*_rmap_pte` + `folio_get`, `zap_present_ptes` + `folio_remove_rmap_pte`
 * + `folio_put`).
 * @module
 */
import type { MmContext } from "./context.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_DIRTY, PG_FILE, PG_HUGE_ZERO, PG_HUGETLB, PG_SWAPCACHE } from "../memory/page-flags.js";
import { HPAGE_PMD_NR, PAGE_SIZE } from "../sim/units.js";
import { splitHugePmd } from "./huge-memory.js";
import { leafPages, PTE_DIRTY, PTE_HUGE, PTE_SPECIAL, PUD_PAGES } from "./page-table.js";
import { zapSwapRange } from "./swap-pte.js";
import { zapDevicePrivateRange } from "./device-entry-pte.js";
import { folioFreeSwap } from "./swap-state.js";
import type { Vma } from "./mm-types.js";

/** Map an existing page (`folio_add_file_rmap_ptes()` / `folio_add_anon_rmap_ptes()`, mm/rmap.c, plus `folio_get()`, v6.12): +1 mapcount on the subpage, +1 reference on the folio. */
export function mapPage(k: MmContext, vma: Vma, vpn: number, pfn: number, bits: number): void {
  vma.mm.pageTable.set(vpn, pfn, bits);
  if ((bits & PTE_SPECIAL) !== 0) return;
  k.frames.mapcount[pfn]++;
  k.memory.get(k.frames.head(pfn));
  vma.mm.rss++;
}

/**
 * Map a page freshly allocated for this mapping as anonymous and exclusive
 * (`folio_add_new_anon_rmap`, mm/rmap.c, v6.12): the allocation reference becomes the mapping's reference.
 */
export function mapNewAnon(k: MmContext, vma: Vma, vpn: number, pfn: number, bits: number): void {
  const f = k.frames;
  const av = k.anonVmaPrepare(vma);
  f.flags[pfn] |= PG_ANON | PG_ANON_EXCLUSIVE;
  f.mapping[pfn] = av.id;
  f.index[pfn] = vma.fileIndex(vpn);
  f.mapcount[pfn] = 1;
  vma.mm.pageTable.set(vpn, pfn, bits);
  vma.mm.rss++;
}

/**
 * Remove the PTE at `vpn` (`zap_present_ptes`, mm/memory.c, v6.12). A dirty PTE of a file page dirties the page
 * first. Drops the mapping's reference, which may free the folio: a folio in the swap cache that
 * is now mapped nowhere first gives its swap space up if no swap entry needs it
 * (`free_pages_and_swap_cache()` -> `free_swap_cache()`, mm/swap_state.c). Returns the old PTE bits.
 */
export function zapPte(k: MmContext, vma: Vma, vpn: number): number {
  const pt = vma.mm.pageTable;
  const pfn = pt.pfn(vpn);
  if (pfn < 0) return 0;
  const bits = pt.clear(vpn);
  if ((bits & PTE_SPECIAL) !== 0) return bits;
  const f = k.frames;
  const head = f.head(pfn);
  if ((bits & PTE_DIRTY) !== 0 && (f.flags[pfn] & PG_FILE) !== 0) f.flags[head] |= PG_DIRTY;
  f.mapcount[pfn]--;
  vma.mm.rss--;
  if ((f.flags[head] & PG_SWAPCACHE) !== 0 && f.folioMapcount(head) === 0) folioFreeSwap(k, head);
  k.memory.put(head);
  return bits;
}

/**
 * Map the 2 MiB folio at `head` whole by the PMD covering `vpn` (a 1 GiB one by the PUD) (`folio_add_file_rmap_pmd()` /
 * `folio_add_anon_rmap_pmd()` / `hugetlb_add_file_rmap()`, mm/rmap.c, plus `folio_get()`, v6.12):
 * +1 entire mapcount, +1 reference, whatever the folio's size. The huge zero folio takes neither
 * (`set_huge_zero_folio()`, mm/huge_memory.c).
 */
export function mapPmd(k: MmContext, vma: Vma, vpn: number, head: number, bits: number): void {
  const nr = k.frames.nrPages(head);
  // A 1 GiB hugetlb folio is mapped by a PUD leaf, with the same bookkeeping (hugetlb_add_file_rmap() / hugetlb_install_folio()).
  if (nr === PUD_PAGES) vma.mm.pageTable.setPud(vpn, head, bits);
  else vma.mm.pageTable.setPmd(vpn, head, bits);
  if ((k.frames.flags[head] & PG_HUGE_ZERO) !== 0) return;
  k.frames.entireMapcount[head]++;
  k.memory.get(head);
  vma.mm.rss += nr;
}

/**
 * `zap_huge_pmd()` (mm/huge_memory.c, v6.12; `__unmap_hugepage_range()` for hugetlb): clear the
 * PMD (or hugetlb PUD) leaf covering `vpn`, dirty a file folio whose leaf was dirty, drop the mapping's entire
 * mapcount and its one reference (which may free the folio). Returns the old bits.
 */
export function zapHugePmd(k: MmContext, vma: Vma, vpn: number): number {
  const pt = vma.mm.pageTable;
  const head = pt.pfn(pt.leafStart(vpn));
  const bits = pt.clearPmd(vpn);
  const f = k.frames;
  if (bits === 0 || (f.flags[head] & PG_HUGE_ZERO) !== 0) return bits;
  if ((bits & PTE_DIRTY) !== 0 && (f.flags[head] & PG_FILE) !== 0) f.flags[head] |= PG_DIRTY;
  f.entireMapcount[head]--;
  vma.mm.rss -= leafPages(bits);
  k.memory.put(head);
  return bits;
}

/**
 * Zap every present entry in [startVpn, endVpn) of `vma` (`zap_pmd_range()` and the loop of
 * `zap_pte_range()`, mm/memory.c, v6.12). A PMD leaf wholly inside goes at once
 * (`zap_huge_pmd()`); a THP leaf only partly inside is split first and its PTEs in the range zapped
 * (a hugetlb leaf goes whole: hugetlb ranges are huge-page aligned). `filter` sees each entry's
 * frame (a leaf's head). Swap entries (always private anonymous pages) go too, freeing their slots
 * (`free_swap_and_cache_nr()`), unless a filter is given: callers filter only to spare COWed
 * anonymous pages (`should_zap_cows()` false), and so spare swap entries. Returns the number of
 * normal pages unmapped (present ones: swap entries are not counted).
 */
export function zapRange(k: MmContext, vma: Vma, startVpn: number, endVpn: number, filter?: (pfn: number) => boolean): number {
  let n = 0;
  const f = k.frames;
  vma.mm.pageTable.forEachPresent(startVpn, endVpn, (vpn, pfn, bits) => {
    if (filter !== undefined && !filter(pfn)) return;
    if ((bits & PTE_HUGE) !== 0) {
      const whole = (vpn >= startVpn && vpn + HPAGE_PMD_NR <= endVpn) || (f.flags[pfn] & PG_HUGETLB) !== 0;
      if (whole) {
        zapHugePmd(k, vma, vpn);
        if ((f.flags[pfn] & PG_HUGE_ZERO) === 0) n += leafPages(bits);
        return;
      }
      splitHugePmd(k, vma, vpn);
      n += zapRange(k, vma, Math.max(startVpn, vpn), Math.min(endVpn, vpn + HPAGE_PMD_NR), filter);
      return;
    }
    zapPte(k, vma, vpn);
    if ((bits & PTE_SPECIAL) === 0) n++;
  });
  if (filter === undefined) {
    zapSwapRange(k, vma, startVpn, endVpn);
    zapDevicePrivateRange(k, vma, startVpn, endVpn);
  }
  return n;
}

/** Byte address of a virtual page number. */
export function vpnAddr(vpn: number): number {
  return vpn * PAGE_SIZE;
}
