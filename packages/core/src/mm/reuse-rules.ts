/**
 * The reuse decisions of write faults before PageAnonExclusive (v4.8 to v5.18): by mapcount
 * (`reuse_swap_page()`, up to v5.8 for `do_wp_page()` and up to v5.17 for swap-in and THP), and by
 * reference count (`do_wp_page()` from "mm: do_wp_page() simplification", 09854ba94c6a, v5.9).
 * Which one a fault uses is the era's (`EraRules.cowReuse`, `EraRules.swapinReuse`, `EraRules.thpReuse`).
 * @module
 */
import type { MmContext } from "./context.js";
import { PG_DIRTY, PG_WRITEBACK } from "../memory/page-flags.js";
import { deleteFromSwapCache, folioSwapOffset, folioTestSwapcache } from "./swap-state.js";

/**
 * `reuse_swap_page(page, NULL)` (mm/swapfile.c, v5.3; in force to v5.17): may a write fault
 * reuse the anonymous page at `pfn` in place? Counts its mappings (`page_trans_huge_mapcount()`:
 * its own PTE mappings plus its folio's PMD mappings) and, for a page in the swap cache, the swap
 * PTEs still referencing its slot; reuse when that is at most 1. GUP references are never
 * counted: a page a device holds is reused under it. A page mapped once and in the swap cache
 * (not under writeback) leaves the cache and is dirtied (`delete_from_swap_cache()`,
 * `SetPageDirty()`): we own it now.
 */
export function reuseSwapPage(k: MmContext, pfn: number): boolean {
  const f = k.frames;
  const head = f.head(pfn);
  let count = f.pageMapcount(pfn);
  const swapcache = folioTestSwapcache(k, head);
  if (swapcache) count += k.swap!.swapMap[folioSwapOffset(k, head)];
  if (count === 1 && swapcache && (f.flags[head] & PG_WRITEBACK) === 0) {
    deleteFromSwapCache(k, head);
    f.flags[head] |= PG_DIRTY;
  }
  return count <= 1;
}

/**
 * The THP form of {@link reuseSwapPage} in `do_huge_pmd_wp_page()` (mm/huge_memory.c, v5.3 to
 * v5.17): a PMD-mapped anonymous THP is reused whole when it is mapped once in all (a THP is
 * never in the swap cache in this model).
 */
export function reuseSwapPageThp(k: MmContext, head: number): boolean {
  return k.frames.folioMapcount(head) <= 1;
}

/**
 * `do_wp_page()`'s test from "mm: do_wp_page() simplification" (09854ba94c6a, v5.9, to v5.17):
 * reuse only when the page is mapped once and its folio holds no other reference
 * (`page_count(page) == 1`). The swap cache's reference, any GUP reference or pin, make the
 * writer copy.
 */
export function wpReuseByRefcount(k: MmContext, pfn: number): boolean {
  const f = k.frames;
  return f.refcount[f.head(pfn)] === 1 && f.pageMapcount(pfn) === 1;
}
