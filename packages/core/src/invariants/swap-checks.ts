/**
 * The invariant checker's swap accounting (8. in checker.ts), on a machine with a swap device:
 *
 * - every swap PTE lies inside a VMA of its mm and names a slot of the device (never the header,
 *   slot 0);
 * - each slot's reference count (`swap_map`) equals the swap PTEs naming it, over every live mm;
 * - the device's in-use count equals the slots referenced or cached, and no free slot holds bytes;
 * - a slot only swap PTEs reference (no swap cache folio) was written: a swap-in can read it;
 * - the swap cache and the folios agree: each cached folio is allocated, small, anonymous,
 *   PG_swapcache and knows its slot, and every PG_swapcache folio is cached; no swap PTE names a
 *   slot whose cached folio is PageAnonExclusive (`do_swap_page()`'s BUG_ON).
 *
 * It also tells the refcount audit what the swap cache explains: one reference per cached page.
 * @module
 */
import type { KernelContext } from "../kernel/context.js";
import { PG_ALLOC, PG_ANON, PG_ANON_EXCLUSIVE, PG_SWAPCACHE } from "../memory/page-flags.js";
import { forEachSwapPte } from "../mm/swapops.js";
import { PTRS_PER_PTE } from "../mm/page-table.js";
import { PAGE_SIZE } from "../sim/units.js";

/**
 * Check the swap accounting, reporting through `add`; returns the references the swap cache holds,
 * per folio head. `everyFrame` false leaves the per-frame PG_swapcache check to the caller
 * ({@link checkSwapcacheFlag} on the frames it audits).
 */
export function checkSwap(k: KernelContext, add: (msg: string) => void, everyFrame = true): Map<number, number> {
  const refs = new Map<number, number>();
  const s = k.swap;
  const f = k.frames;
  if (s === null) return refs;
  const counted = new Map<number, number>();
  for (const proc of k.processes.values()) {
    const mm = proc.mm;
    if (mm === null || !mm.live) continue;
    const pt = mm.pageTable;
    for (const key of pt.tableKeys()) {
      forEachSwapPte(pt, key * PTRS_PER_PTE, (key + 1) * PTRS_PER_PTE, (vpn, offset) => {
        const at = `pid ${proc.pid}: swap entry at 0x${(vpn * PAGE_SIZE).toString(16)}`;
        if (mm.findVma(vpn * PAGE_SIZE) === undefined) add(`${at} lies outside every VMA`);
        if (offset < 1 || offset >= s.max) {
          add(`${at} names slot ${offset}, not a slot of the device (1..${s.max - 1})`);
          return;
        }
        counted.set(offset, (counted.get(offset) ?? 0) + 1);
        const head = s.cache.get(offset);
        if (head !== undefined && (f.flags[head] & PG_ANON_EXCLUSIVE) !== 0) add(`${at} names slot ${offset}, whose swap-cache folio ${head} is anon-exclusive`);
      });
    }
  }
  let inuse = 0;
  for (let off = 1; off < s.max; off++) {
    const have = s.swapMap[off];
    const want = counted.get(off) ?? 0;
    if (have !== want) add(`swap slot ${off}: swap_map counts ${have} reference(s) but ${want} swap PTE(s) name it`);
    if (s.inUse(off)) inuse++;
    if (have > 0 && !s.cache.has(off) && !s.written(off)) add(`swap slot ${off} is referenced by swap PTEs but was never written and has no swap-cache folio: the page is lost`);
  }
  if (s.swapMap[0] !== 0 || s.cache.has(0)) add("swap slot 0 (the swap header) is in use");
  if (inuse !== s.inuse) add(`the swap device counts ${s.inuse} slot(s) in use, but ${inuse} are referenced or cached`);
  for (const off of s.writtenSlots()) if (!s.inUse(off)) add(`free swap slot ${off} still holds bytes`);
  for (const [off, head] of s.cache) {
    const fl = f.flags[head];
    if ((fl & PG_ALLOC) === 0 || (fl & PG_ANON) === 0 || (fl & PG_SWAPCACHE) === 0 || f.isLarge(head) || s.folioSwap.get(head) !== off) {
      add(`swap cache slot ${off} -> frame ${head}, which is not an allocated small anonymous PG_swapcache folio of that slot`);
    }
    refs.set(head, (refs.get(head) ?? 0) + f.nrPages(head));
  }
  for (let pfn = 0; everyFrame && pfn < f.nrFrames; pfn++) checkSwapcacheFlag(k, refs, pfn, add);
  return refs;
}

/** A PG_swapcache frame is in the swap cache (`refs`: what {@link checkSwap} returned). */
export function checkSwapcacheFlag(k: KernelContext, refs: ReadonlyMap<number, number>, pfn: number, add: (msg: string) => void): void {
  if (k.swap !== null && (k.frames.flags[pfn] & PG_SWAPCACHE) !== 0 && !refs.has(pfn)) add(`frame ${pfn} is PG_swapcache but the swap cache does not hold it`);
}
