/**
 * The swap cache and the swap-slot references (mm/swap_state.c and mm/swapfile.c, v6.12): a
 * folio on its way out or back in is found by its slot (`swap_cache_get_folio()`), holds one
 * reference per page while cached, and carries PG_swapcache; each swap PTE holds one reference
 * on its slot (`swap_duplicate()`, `swap_free()`), and a slot neither referenced nor cached is
 * free. The swap cache is a map from slot to folio ({@link SwapInfo.cache}); shadow entries,
 * readahead (as with `vm.page-cluster` 0) and swap slot caches are not modelled.
 * @module
 */
import type { MmContext } from "./context.js";
import { PG_DIRTY, PG_SWAPCACHE, PG_WRITEBACK } from "../memory/page-flags.js";
import type { SwapInfo } from "./swapfile.js";

/** The swap device; only called where a swap entry or a swap-cache folio proves there is one. */
function swapInfo(k: MmContext): SwapInfo {
  if (k.swap === null) throw new Error("swap: no swap device");
  return k.swap;
}

/** `folio_test_swapcache()` (include/linux/page-flags.h, v6.12). */
export function folioTestSwapcache(k: MmContext, head: number): boolean {
  return (k.frames.flags[head] & PG_SWAPCACHE) !== 0;
}

/** `folio->swap`: the slot of a folio in the swap cache, or -1. */
export function folioSwapOffset(k: MmContext, head: number): number {
  return k.swap?.folioSwap.get(head) ?? -1;
}

/** `swap_cache_get_folio()` (mm/swap_state.c, v6.12): the folio caching slot `offset`, or -1. */
export function swapCacheGetFolio(k: MmContext, offset: number): number {
  return k.swap?.cache.get(offset) ?? -1;
}

/**
 * `add_to_swap_cache()` (mm/swap_state.c, v6.12): put the folio at `head` in the swap cache on
 * slot `offset`: PG_swapcache, `folio->swap`, and one reference per page (`folio_ref_add()`).
 */
export function addToSwapCache(k: MmContext, head: number, offset: number): void {
  const s = swapInfo(k);
  s.cache.set(offset, head);
  s.folioSwap.set(head, offset);
  k.frames.flags[head] |= PG_SWAPCACHE;
  k.memory.get(head, k.frames.nrPages(head));
}

/**
 * `add_to_swap()` (mm/swap_state.c, v6.12): give a small anonymous folio a slot
 * (`folio_alloc_swap()`), put it in the swap cache and mark it dirty (`folio_mark_dirty()`: its
 * bytes are not on the device yet). False when there is no free slot, or for a large folio: THP_SWAP
 * (a whole THP in one swap cluster) is not modelled, so its allocation always fails and reclaim
 * splits the folio (`thp_swpout_fallback`), as on a device without free swap clusters.
 */
export function addToSwap(k: MmContext, head: number): boolean {
  if (k.swap === null || k.frames.isLarge(head)) return false;
  const offset = k.swap.allocSlot();
  if (offset < 0) return false;
  addToSwapCache(k, head, offset);
  k.frames.flags[head] |= PG_DIRTY;
  return true;
}

/**
 * `delete_from_swap_cache()` (mm/swap_state.c, v6.12): take the folio out of the swap cache and
 * drop the cache's references (which may free it); `put_swap_folio()` frees its slot when no swap
 * PTE references it. Returns true when the folio was freed.
 */
export function deleteFromSwapCache(k: MmContext, head: number): boolean {
  const s = swapInfo(k);
  const offset = s.folioSwap.get(head)!;
  s.cache.delete(offset);
  s.folioSwap.delete(head);
  k.frames.flags[head] &= ~PG_SWAPCACHE;
  if (s.swapMap[offset] === 0) s.slotFree(offset);
  return k.memory.put(head, k.frames.nrPages(head));
}

/**
 * `folio_free_swap()` (mm/swapfile.c, v6.12): free the swap space of a folio in the swap cache
 * when no swap PTE references its slot any more (`folio_swapped()`) and it is not under
 * writeback; the folio, leaving the cache, is dirty again (its only copy is in memory). The caller
 * holds a reference of its own. True when it was freed.
 */
export function folioFreeSwap(k: MmContext, head: number): boolean {
  const f = k.frames;
  if ((f.flags[head] & PG_SWAPCACHE) === 0 || (f.flags[head] & PG_WRITEBACK) !== 0) return false;
  if (swapInfo(k).swapMap[folioSwapOffset(k, head)] !== 0) return false;
  f.flags[head] |= PG_DIRTY;
  deleteFromSwapCache(k, head);
  return true;
}

/** `swap_duplicate()` (mm/swapfile.c, v6.12): one more swap PTE references slot `offset` (fork, try_to_unmap_one). */
export function swapDuplicate(k: MmContext, offset: number): void {
  swapInfo(k).swapMap[offset]++;
}

/**
 * `swap_free()` (mm/swapfile.c, v6.12): one swap PTE fewer references slot `offset`; a slot left
 * with no reference and no swap cache is free (`free_swap_slot()`).
 */
export function swapFree(k: MmContext, offset: number): void {
  const s = swapInfo(k);
  if (--s.swapMap[offset] === 0 && !s.cache.has(offset)) s.slotFree(offset);
}

/**
 * `free_swap_and_cache_nr()` (mm/swapfile.c, v6.12) for one entry, as zapping a swap PTE does:
 * drop its reference, and when only the swap cache is left on the slot, reclaim that too
 * (`__try_to_reclaim_swap()` with TTRS_UNMAPPED | TTRS_FULL: when the folio is mapped nowhere, or
 * swap is more than half full), unless it is under writeback.
 */
export function freeSwapAndCache(k: MmContext, offset: number): void {
  const s = swapInfo(k);
  swapFree(k, offset);
  if (s.swapMap[offset] !== 0) return;
  const head = s.cache.get(offset);
  if (head === undefined) return;
  const f = k.frames;
  if ((f.folioMapcount(head) > 0 && !s.vmSwapFull()) || (f.flags[head] & PG_WRITEBACK) !== 0) return;
  f.flags[head] |= PG_DIRTY;
  deleteFromSwapCache(k, head);
}

/**
 * `swap_read_folio()` (mm/page_io.c, v6.12): fill the folio at `head` from slot `offset`,
 * counting PSWPIN, or SWPIN_ZERO when the zeromap says the page was all zeros (no I/O).
 */
export function swapReadFolio(k: MmContext, head: number, offset: number): void {
  const r = swapInfo(k).read(offset);
  k.memory.contents.restore(head, r.bytes);
  if (r.io) k.vmstat.pswpin++;
  else k.vmstat.swpin_zero++;
}

/**
 * `__read_swap_cache_async()` (mm/swap_state.c, v6.12) as `swapin_readahead()` calls it with no
 * readahead window: a new folio (the `alloc` fault point; GFP_HIGHUSER_MOVABLE) put in the swap
 * cache on `offset` and read from the device. Returns its head, holding the caller's reference,
 * or -1 when no page can be allocated.
 */
export function readSwapCacheAsync(k: MmContext, offset: number): number {
  const head = k.memory.allocFolio(0);
  if (head < 0) return -1;
  addToSwapCache(k, head, offset);
  swapReadFolio(k, head, offset);
  return head;
}

/**
 * What a process would read in the page swapped out to slot `offset`, without a fault: the swap
 * cache's folio if it has one, else the device's bytes (zeros for a zeromap slot). For
 * expectations; changes nothing.
 */
export function peekSwapped(k: MmContext, offset: number, pageOff: number, length: number, out: Uint8Array, outOff: number): void {
  const head = swapCacheGetFolio(k, offset);
  if (head >= 0) {
    k.memory.contents.read(head, pageOff, length, out, outOff);
    return;
  }
  const bytes = swapInfo(k).peek(offset);
  if (bytes === undefined) out.fill(0, outOff, outOff + length);
  else out.set(bytes.subarray(pageOff, pageOff + length), outOff);
}

/** Migration moved a swap-cache folio from `oldHead` to `newHead` (`folio_migrate_mapping()` on the swap address space, mm/migrate.c, v6.12). */
export function swapCacheMigrate(k: MmContext, oldHead: number, newHead: number): void {
  const s = k.swap;
  const offset = s?.folioSwap.get(oldHead);
  if (s === null || offset === undefined) return;
  s.folioSwap.delete(oldHead);
  s.folioSwap.set(newHead, offset);
  s.cache.set(offset, newHead);
}
