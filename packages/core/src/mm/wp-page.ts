/**
 * Write faults on present, write-protected PTEs (mm/memory.c, v6.12): `do_wp_page()` reuses an
 * exclusive anonymous page (`wp_can_reuse_anon_folio()`), write-notifies a shared file page
 * (`wp_page_shared()`), and otherwise copies (`wp_page_copy()`); FAULT_FLAG_UNSHARE makes an anon
 * page exclusive without writing it, as a read-only GUP pin requires.
 * @module
 */
import { EFAULT, ENOMEM } from "../errno.js";
import { pageMkwrite } from "./filemap.js";
import type { MmContext } from "./context.js";
import { PG_ANON, PG_ANON_EXCLUSIVE } from "../memory/page-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { count, type FaultStats } from "./fault-flags.js";
import { PTE_DIRTY, PTE_SPECIAL, PTE_WRITE, PTE_YOUNG } from "./page-table.js";
import { mapNewAnon, zapPte } from "./pte-ops.js";
import { writeBits } from "./write-bits.js";
import { reuseSwapPage, wpReuseByRefcount } from "./reuse-rules.js";
import { folioFreeSwap, folioTestSwapcache } from "./swap-state.js";
import type { Vma } from "./mm-types.js";
import { VM_WRITE } from "./vm-flags.js";

/**
 * `wp_can_reuse_anon_folio()` (mm/memory.c, v6.12): may a write (or an unshare) take over the
 * non-exclusive anonymous page at `pfn` instead of copying it? Never for a large folio; for a
 * small one only when our mapping holds the sole reference: any GUP reference or pin forces a
 * copy, which is what keeps a pinned page with its device. A folio in the swap cache first gives
 * up its swap space if no swap entry needs it any more (`folio_free_swap()`), dropping the
 * cache's reference.
 */
export function wpCanReuseAnonFolio(k: MmContext, pfn: number): boolean {
  const f = k.frames;
  if (f.isLarge(pfn)) return false;
  const head = f.head(pfn);
  const swapcache = folioTestSwapcache(k, head);
  if (f.refcount[head] > 1 + (swapcache ? 1 : 0)) return false;
  if (swapcache) folioFreeSwap(k, head);
  return f.refcount[head] === 1;
}

/**
 * May a write fault reuse the anonymous page at `pfn` that is not known exclusive, by the era's
 * rule (`EraRules.cowReuse`): `reuse_swap_page()`'s mapcount up to v5.8, the v5.9 refcount test
 * to v5.17, `wp_can_reuse_anon_folio()` (its v5.18 form, 53a05ad9f21d, frees swap first) after.
 */
function mayReuseAnon(k: MmContext, pfn: number): boolean {
  const era = k.era;
  if (era.cowReuse === "mapcount") return reuseSwapPage(k, pfn);
  if (era.cowReuse === "refcount") return wpReuseByRefcount(k, pfn);
  return wpCanReuseAnonFolio(k, pfn);
}

/**
 * `do_wp_page()` (mm/memory.c, v6.12): a write to a present, write-protected PTE. Before v5.19
 * there is no PageAnonExclusive to trust: the era's reuse rule decides alone (the model still
 * marks a reused page exclusive, as `page_move_anon_rmap()` made it ours).
 */
export function doWpPage(k: MmContext, vma: Vma, vpn: number, fflags: number, stats: FaultStats): number {
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
    pt.update(vpn, 0, PTE_WRITE | PTE_DIRTY | PTE_YOUNG);
    count(stats, "mkwrite");
    return 0;
  }
  if ((f.flags[pfn] & PG_ANON) !== 0) {
    if ((f.flags[pfn] & PG_ANON_EXCLUSIVE) !== 0 && k.era.cowReuse === "anon-exclusive") {
      pt.update(vpn, 0, writeBits(vma));
      count(stats, "reuse");
      return 0;
    }
    if (mayReuseAnon(k, pfn)) {
      f.flags[pfn] |= PG_ANON_EXCLUSIVE;
      pt.update(vpn, 0, writeBits(vma));
      count(stats, "reuse");
      return 0;
    }
  }
  return wpPageCopy(k, vma, vpn, pfn, false, stats, false);
}

/** FAULT_FLAG_UNSHARE on a present page (`do_wp_page()` with unshare, mm/memory.c, v6.12). */
export function doUnshare(k: MmContext, vma: Vma, vpn: number, stats: FaultStats): number {
  const pt = vma.mm.pageTable;
  const pfn = pt.pfn(vpn);
  const f = k.frames;
  if ((pt.bits(vpn) & PTE_SPECIAL) !== 0) {
    return pfn === k.memory.zeroPfn && vma.isCow ? wpPageCopy(k, vma, vpn, pfn, true, stats, false) : 0;
  }
  if ((f.flags[pfn] & PG_ANON) === 0) return vma.isCow ? wpPageCopy(k, vma, vpn, pfn, true, stats, false) : 0;
  if ((f.flags[pfn] & PG_ANON_EXCLUSIVE) !== 0) return 0;
  if (wpCanReuseAnonFolio(k, pfn)) {
    f.flags[pfn] |= PG_ANON_EXCLUSIVE;
    count(stats, "reuse");
    return 0;
  }
  return wpPageCopy(k, vma, vpn, pfn, true, stats, false);
}

/**
 * `wp_page_copy()` (mm/memory.c, v6.12): give this mapping its own exclusive anonymous copy of the page at `vpn` (or of
 * `srcPfn` when nothing is mapped yet: a private write fault on a file page). An unshare copy is
 * mapped read-only. Tells observers which frame the process left behind.
 */
export function wpPageCopy(k: MmContext, vma: Vma, vpn: number, srcPfn: number, unshare: boolean, stats: FaultStats, notMapped: boolean): number {
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
