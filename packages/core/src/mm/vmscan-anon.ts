/**
 * Reclaim of anonymous folios to swap (`shrink_folio_list()`, mm/vmscan.c, v6.12, for
 * `folio_test_anon() && folio_test_swapbacked()`): give the folio a slot and put it in the swap
 * cache (`add_to_swap()`), replace every PTE mapping it by a swap entry (`try_to_unmap()` ->
 * `try_to_unmap_one()`, mm/rmap.c), write it (`pageout()` -> `swap_writepage()`) and free it
 * (`__remove_mapping()`). A folio that may be DMA-pinned is kept before a slot is even taken,
 * and `try_to_unmap_one()` refuses to turn the PTE of a maybe-pinned exclusive page into a swap
 * entry (`folio_try_share_anon_rmap_pte()` answers -EBUSY): a pinned page stays mapped and in
 * memory. A folio held by anything else (a FOLL_GET reference) is unmapped but not written
 * (`is_page_cache_freeable()`) and stays in the swap cache, where the next fault finds it.
 * Writes complete at once (the device has SWP_SYNCHRONOUS_IO): "A synchronous write - probably a
 * ramdisk. Go ahead and try to reclaim the folio." References (young PTEs) are ignored, as
 * MADV_PAGEOUT's `reclaim_pages()` does.
 * @module
 */
import type { MmContext } from "./context.js";
import {
  PG_ALLOC, PG_ANON, PG_ANON_EXCLUSIVE, PG_DEVICE_COHERENT, PG_DEVICE_PRIVATE, PG_DIRTY, PG_HEAD, PG_HUGE_ZERO, PG_HUGETLB, PG_SWAPCACHE, PG_TAIL, PG_WRITEBACK,
} from "../memory/page-flags.js";
import { HPAGE_PMD_NR, PAGE_SIZE } from "../sim/units.js";
import { splitFolio } from "./huge-memory.js";
import type { Vma } from "./mm-types.js";
import { PTE_DIRTY } from "./page-table.js";
import { rmapList } from "./rmap.js";
import { addToSwap, deleteFromSwapCache, folioFreeSwap, folioSwapOffset, swapDuplicate, swapFree } from "./swap-state.js";
import { setSwapPte } from "./swapops.js";
import { VM_LOCKED } from "./vm-flags.js";

/**
 * `try_to_unmap_one()` (mm/rmap.c, v6.12) for the PTE at `vpn` of `vma` mapping the small folio
 * at `head`, which is in the swap cache: tell the notifiers (MMU_NOTIFY_CLEAR), clear the PTE (a
 * dirty one dirties the folio), take a reference on the slot (`swap_duplicate()`), and for an
 * anon-exclusive page clear PageAnonExclusive (`folio_try_share_anon_rmap_pte()`), or, when the
 * folio may be DMA-pinned, put the PTE back and stop (-EBUSY); then install the swap entry,
 * exclusive if the page was (`pte_swp_mkexclusive()`), and drop the mapping (`folio_remove_rmap_pte()`,
 * `folio_put()`). An mlocked VMA stops the walk at once. False when the walk must stop.
 */
export function tryToUnmapOne(k: MmContext, vma: Vma, vpn: number, head: number): boolean {
  if ((vma.flags & VM_LOCKED) !== 0) return false;
  const pt = vma.mm.pageTable;
  const f = k.frames;
  const addr = vpn * PAGE_SIZE;
  k.notifiers.invalidateRange(vma.mm, addr, addr + PAGE_SIZE, "clear");
  const bits = pt.clear(vpn);
  if ((bits & PTE_DIRTY) !== 0) f.flags[head] |= PG_DIRTY;
  const offset = folioSwapOffset(k, head);
  swapDuplicate(k, offset);
  const exclusive = (f.flags[head] & PG_ANON_EXCLUSIVE) !== 0;
  if (exclusive) {
    if (k.policy.maybeDmaPinned(head)) {
      swapFree(k, offset);
      pt.set(vpn, head, bits);
      return false;
    }
    f.flags[head] &= ~PG_ANON_EXCLUSIVE;
  }
  setSwapPte(pt, vpn, offset, exclusive);
  f.mapcount[head]--;
  vma.mm.rss--;
  k.memory.put(head);
  return true;
}

/** `try_to_unmap()` (mm/rmap.c, v6.12): `try_to_unmap_one()` on every PTE mapping the small folio at `head`, until one refuses. */
export function tryToUnmap(k: MmContext, head: number): void {
  for (const { vma, vpn } of rmapList(k, head)) if (!tryToUnmapOne(k, vma, vpn, head)) return;
}

/**
 * `activate_locked:` of `shrink_folio_list()`: the folio stays; "Not a candidate for swapping, so
 * reclaim swap space" when swap is more than half full (`mem_cgroup_swap_full()`, with the root
 * memcg) or the folio is mlocked.
 */
function activateLocked(k: MmContext, head: number): void {
  if ((k.frames.flags[head] & PG_SWAPCACHE) !== 0 && k.swap !== null && k.swap.vmSwapFull()) folioFreeSwap(k, head);
}

/**
 * `pageout()` -> `swap_writepage()` (mm/vmscan.c, mm/page_io.c, v6.12) of the dirty, unmapped,
 * small folio at `head` in the swap cache. Nothing but the cache may hold it
 * (`is_page_cache_freeable()`: else PAGE_KEEP, false). The dirty bit is cleared for I/O; a slot no
 * swap entry references is freed instead (`folio_free_swap()`, the folio dirty again); an all-zero
 * page only sets its zeromap bit (SWPOUT_ZERO), any other is written (PSWPOUT).
 */
function pageout(k: MmContext, head: number): boolean {
  const f = k.frames;
  if (f.refcount[head] !== f.nrPages(head)) return false;
  f.flags[head] &= ~PG_DIRTY;
  if (folioFreeSwap(k, head)) return true;
  const io = k.swap!.write(folioSwapOffset(k, head), k.memory.contents.snapshot(head));
  if (io) k.vmstat.pswpout++;
  else k.vmstat.swpout_zero++;
  return true;
}

/**
 * `shrink_folio_list()` for one anonymous folio at `head`; a THP split on the way puts its
 * other pages on `list`. Returns the pages freed.
 */
function shrinkAnonFolio(k: MmContext, head: number, list: number[]): number {
  const f = k.frames;
  const flags = f.flags[head];
  if ((flags & PG_ALLOC) === 0 || (flags & PG_TAIL) !== 0 || (flags & PG_WRITEBACK) !== 0) return 0;
  if ((flags & PG_SWAPCACHE) === 0) {
    if (k.policy.maybeDmaPinned(head)) return 0;
    const nr = f.nrPages(head);
    // can_split_folio(): nothing but the mappings may hold a large folio it is to split.
    if ((flags & PG_HEAD) !== 0 && f.refcount[head] !== f.folioMapcount(head)) return 0;
    if (!addToSwap(k, head)) {
      if ((flags & PG_HEAD) === 0) return 0;
      // Fallback to swap normal pages: split_folio_to_list() queues the other pages behind us.
      if (splitFolio(k, head) !== 0) return 0;
      if (nr >= HPAGE_PMD_NR) k.vmstat.thp_swpout_fallback++;
      for (let i = 1; i < nr; i++) if ((f.flags[head + i] & PG_ALLOC) !== 0) list.push(head + i);
      if ((f.flags[head] & PG_ALLOC) === 0 || !addToSwap(k, head)) return 0;
    }
  }
  if (f.folioMapcount(head) > 0) {
    tryToUnmap(k, head);
    if (f.folioMapcount(head) > 0) {
      activateLocked(k, head);
      return 0;
    }
  }
  // "Folio is unmapped now so it cannot be newly pinned anymore. No point in trying to reclaim
  // folio if it is pinned."
  if (k.policy.maybeDmaPinned(head)) {
    activateLocked(k, head);
    return 0;
  }
  if ((f.flags[head] & PG_DIRTY) !== 0) {
    if (!pageout(k, head)) return 0;
    if ((f.flags[head] & PG_DIRTY) !== 0) return 0;
  }
  // __remove_mapping(): freeze the refcount at the swap cache's references; a dirty folio stays.
  if (f.refcount[head] !== f.nrPages(head) || (f.flags[head] & PG_DIRTY) !== 0) return 0;
  deleteFromSwapCache(k, head);
  return 1;
}

/**
 * `reclaim_pages()` -> `shrink_folio_list()` (mm/vmscan.c, v6.12) over the anonymous folios at
 * `heads`, in order (pieces of a THP split on the way are taken after the others). Returns the
 * pages freed to swap.
 */
export function shrinkAnonFolios(k: MmContext, heads: readonly number[]): number {
  const list = [...heads];
  let freed = 0;
  for (let i = 0; i < list.length; i++) freed += shrinkAnonFolio(k, list[i], list);
  return freed;
}

/**
 * The anonymous folios a reclaim of everything scans, in frame order (the model's stand-in for
 * the anon LRU lists): every mapped anonymous folio, and every folio the swap cache holds. Not
 * hugetlb folios and not the huge zero folio (never on an LRU).
 */
export function anonLruFolios(k: MmContext): number[] {
  const f = k.frames;
  const out: number[] = [];
  for (let pfn = 0; pfn < f.nrFrames; pfn++) {
    const fl = f.flags[pfn];
    // ZONE_DEVICE pages (device-private, device-coherent) are on no LRU list.
    if ((fl & PG_ALLOC) === 0 || (fl & PG_ANON) === 0 || (fl & (PG_TAIL | PG_HUGETLB | PG_HUGE_ZERO | PG_DEVICE_PRIVATE | PG_DEVICE_COHERENT)) !== 0) continue;
    if ((fl & PG_SWAPCACHE) !== 0 || f.folioMapcount(pfn) > 0) out.push(pfn);
  }
  return out;
}
