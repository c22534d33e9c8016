/**
 * The swap-in fault (`do_swap_page()`, mm/memory.c, v6.12): a fault on a swap entry, from a user
 * access, GUP (`faultin_page()`) or hmm, brings the page back and maps it. pinlab's device has
 * SWP_SYNCHRONOUS_IO (as zram): a slot only this entry references is read into a fresh folio
 * that skips the swap cache and is "certainly exclusive"; a slot fork shared goes through the
 * swap cache (`swapin_readahead()` with no readahead), where the next process to fault finds
 * the same folio. Then the v6.12 reuse rules: the page is mapped exclusive (and writable, if the
 * VMA may be written) when the entry was exclusive (`pte_swp_exclusive()`), when the folio is
 * fresh, or when ours is its only reference; otherwise read-only and shared, and a write fault
 * goes on to `do_wp_page()` (reuse or copy).
 * @module
 */
import { ENOMEM } from "../errno.js";
import { isDeviceExclusiveEntry, nonSwapEntry } from "./device-entry.js";
import { removeDeviceExclusiveEntry } from "./device-exclusive.js";
import { doDevicePrivateFault } from "./device-fault.js";
import type { MmContext } from "./context.js";
import { PG_ANON, PG_ANON_EXCLUSIVE } from "../memory/page-flags.js";
import { count, FAULT_FLAG_WRITE, type FaultStats } from "./fault-flags.js";
import type { Vma } from "./mm-types.js";
import { PTE_DIRTY, PTE_WRITE, PTE_YOUNG } from "./page-table.js";
import { folioFreeSwap, folioTestSwapcache, readSwapCacheAsync, swapCacheGetFolio, swapFree, swapReadFolio } from "./swap-state.js";
import { pteSwpExclusive, pteSwpOffset } from "./swapops.js";
import { VM_LOCKED, VM_WRITE } from "./vm-flags.js";
import { doWpPage } from "./wp-page.js";
import { reuseSwapPage } from "./reuse-rules.js";

/**
 * `should_try_to_free_swap()` (mm/memory.c, v6.12): after a swap-in, drop the folio's swap space
 * now when swap is more than half full, the VMA is mlocked, or a write fault will likely make us
 * its only user (`folio_ref_count() == 1 + folio_nr_pages()`: our reference plus the cache's).
 */
function shouldTryToFreeSwap(k: MmContext, head: number, vma: Vma, fflags: number): boolean {
  if (!folioTestSwapcache(k, head)) return false;
  if (k.swap!.vmSwapFull() || (vma.flags & VM_LOCKED) !== 0) return true;
  return (fflags & FAULT_FLAG_WRITE) !== 0 && k.frames.refcount[head] === 1 + k.frames.nrPages(head);
}

/**
 * `do_swap_page()` (mm/memory.c, v6.12) for the swap entry at `vpn` of `vma`. Counts `swapin`
 * (a major fault: the page was read from the device, PSWPIN or SWPIN_ZERO) or `swapcache` (found
 * in the swap cache). Returns 0, or -ENOMEM when no page could be allocated for the read
 * (VM_FAULT_OOM; the `alloc` fault point); the entry then stays. A device-exclusive entry is
 * restored (`remove_device_exclusive_entry()`, counts `device_exclusive`), a device-private one
 * goes to its driver's `migrate_to_ram` (`doDevicePrivateFault`, counts `device`).
 */
export function doSwapPage(k: MmContext, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
  const pt = vma.mm.pageTable;
  const f = k.frames;
  const orig = pt.bits(vpn);
  if (isDeviceExclusiveEntry(orig)) {
    removeDeviceExclusiveEntry(k, vma, vpn);
    count(stats, "device_exclusive");
    return 0;
  }
  if (nonSwapEntry(orig)) return doDevicePrivateFault(k, vma, vpn, fflags, stats);
  const offset = pteSwpOffset(pt, vpn);
  let folio = swapCacheGetFolio(k, offset);
  let swapcache = folio;
  if (folio >= 0) {
    k.memory.get(folio);
    count(stats, "swapcache");
  } else {
    if (k.swap!.swapMap[offset] === 1) {
      // SWP_SYNCHRONOUS_IO and __swap_count(entry) == 1: skip the swap cache.
      folio = k.memory.allocFolio(0);
      if (folio >= 0) swapReadFolio(k, folio, offset);
    } else {
      folio = readSwapCacheAsync(k, offset);
      swapcache = folio;
    }
    if (folio < 0) return -ENOMEM;
    count(stats, "swapin");
  }
  const write = (fflags & FAULT_FLAG_WRITE) !== 0;
  const era = k.era;
  // Up to v5.17: a write fault reuses by reuse_swap_page()'s mapcount + swapcount, counted
  // before swap_free() (v5.3); no swap PTE remembers exclusivity before v5.19 (1493a1913e34).
  const reuseByMapcount = era.swapinReuse === "mapcount" && write && reuseSwapPage(k, folio);
  // A fresh folio not exposed to the swap cache is certainly exclusive.
  const exclusive = folio !== swapcache || pteSwpExclusive(orig);
  swapFree(k, offset);
  if (shouldTryToFreeSwap(k, folio, vma, fflags)) folioFreeSwap(k, folio);
  let bits = PTE_YOUNG;
  let wrote = false;
  const rmapExclusive = era.cowReuse === "anon-exclusive" ? exclusive || f.refcount[folio] === 1
    : era.swapinReuse === "mapcount" ? reuseByMapcount
    // v5.18 (c145e0b47c77): a write fault maps the page writable when ours is its only reference.
    : write && f.refcount[folio] === 1;
  if (rmapExclusive && (vma.flags & VM_WRITE) !== 0) {
    bits |= PTE_WRITE;
    if (write) {
      bits |= PTE_DIRTY;
      wrote = true;
    }
  }
  // folio_add_new_anon_rmap() for a folio that was never mapped, else folio_add_anon_rmap_ptes():
  // our reference becomes the mapping's.
  if ((f.flags[folio] & PG_ANON) === 0) {
    const av = k.anonVmaPrepare(vma);
    f.flags[folio] |= PG_ANON;
    f.mapping[folio] = av.id;
    f.index[folio] = vma.fileIndex(vpn);
  }
  if (rmapExclusive) f.flags[folio] |= PG_ANON_EXCLUSIVE;
  f.mapcount[folio]++;
  pt.set(vpn, folio, bits);
  vma.mm.rss++;
  if (write && !wrote) return doWpPage(k, vma, vpn, fflags, stats);
  return 0;
}
