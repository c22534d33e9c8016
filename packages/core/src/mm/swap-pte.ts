/**
 * Swap entries where page tables are torn down or copied (mm/memory.c, v6.12): `zap_pte_range()`
 * frees each genuine swap entry it meets (`free_swap_and_cache_nr()`), and fork's
 * `copy_nonpresent_pte()` gives the child another reference on the same slot and marks the entry
 * shared on both sides (`pte_swp_clear_exclusive()`). mprotect leaves swap entries as they are
 * (`change_pte_range()` only rewrites writable migration and device entries).
 * @module
 */
import type { MmContext } from "./context.js";
import type { Vma } from "./mm-types.js";
import { forEachSwapPte, pteSwpClearExclusive, setSwapPte } from "./swapops.js";
import { freeSwapAndCache, swapDuplicate } from "./swap-state.js";

/**
 * `zap_pte_range()`'s swap-entry branch for [startVpn, endVpn) of `vma` (mm/memory.c, v6.12):
 * clear every swap entry and free its slot reference (`free_swap_and_cache_nr()`). Returns the
 * entries zapped. Nothing to do on a machine without swap.
 */
export function zapSwapRange(k: MmContext, vma: Vma, startVpn: number, endVpn: number): number {
  if (k.swap === null) return 0;
  const pt = vma.mm.pageTable;
  let n = 0;
  forEachSwapPte(pt, startVpn, endVpn, (vpn, offset) => {
    pt.clear(vpn);
    freeSwapAndCache(k, offset);
    n++;
  });
  return n;
}

/**
 * `copy_nonpresent_pte()` (mm/memory.c, v6.12) for every swap entry of `src`: `swap_duplicate()`
 * the slot for the child, clear the exclusive marker in the parent (`pte_swp_clear_exclusive()`:
 * "Mark the swap entry as shared") and give the child the shared entry. No pin check: a page that
 * may be pinned is never swapped out (`try_to_unmap_one()` refuses it), so none hides here.
 * Returns the entries copied.
 */
export function copySwapEntries(k: MmContext, src: Vma, dst: Vma): number {
  if (k.swap === null) return 0;
  const spt = src.mm.pageTable;
  let n = 0;
  forEachSwapPte(spt, src.startVpn, src.endVpn, (vpn, offset) => {
    swapDuplicate(k, offset);
    pteSwpClearExclusive(spt, vpn);
    setSwapPte(dst.mm.pageTable, vpn, offset, false);
    n++;
  });
  return n;
}
