/**
 * The invariant checker's per-frame audit (2, 3 and 4 in checker.ts): one frame checked against
 * the census of what maps, caches and references it. The full audit runs it on every frame; the
 * incremental one on the frames a step touched and the ones the census found in use.
 * @module
 */
import type { Gup } from "../gup/gup.js";
import type { KernelContext } from "../kernel/context.js";
import { PG_ALLOC, PG_DAX, PG_ORPHAN, PG_PRIVATE, PG_RESERVED, PG_TAIL, PG_ZERO } from "../memory/page-flags.js";

/** What the census counted, for {@link auditFrame}. */
export interface FrameCensus {
  /** PTEs (and device-private entries) per frame. */
  readonly mapped: Int32Array;
  /** PMD (or PUD) leaves per folio head. */
  readonly pmdMapped: Int32Array;
  /** Page-cache entries per folio head. */
  readonly cacheRefs: ReadonlyMap<number, number>;
  /** Swap-cache references per folio head. */
  readonly swapRefs: ReadonlyMap<number, number>;
  /** Device-exclusive entries per frame. */
  readonly exclusiveRefs: ReadonlyMap<number, number>;
}

/** True when `pfn` is a frame of a free 1 GiB hugetlb pool folio (PG_reserved, held by the pool: left out of the audit). */
export function inFreePoolFolio(k: KernelContext, pfn: number): boolean {
  const pool = k.memory.hugetlb1g;
  return (k.frames.flags[pfn] & PG_RESERVED) !== 0 && pool.isFreeHead(pfn - (pfn % pool.nrPages));
}

/**
 * The pins frame `pfn` adds to the outstanding total the pin counters must balance (6 in
 * checker.ts): its pins, except on the zero page of an era whose `try_grab_folio()` does not
 * count them (v6.12).
 */
export function countedPins(k: KernelContext, gup: Gup, pfn: number): number {
  const pins = gup.pinRefs[pfn];
  return (k.frames.flags[pfn] & PG_ZERO) === 0 || k.era.zeroPagePinned ? pins : 0;
}

/** Check one frame (not of a free pool folio) against the census, reporting through `add`. */
export function auditFrame(k: KernelContext, gup: Gup, c: FrameCensus, pfn: number, add: (msg: string) => void): void {
  const f = k.frames;
  const { flags, refcount, mapcount } = f;
  const { mapped, pmdMapped } = c;
  const fl = flags[pfn];
  const gets = gup.getRefs[pfn];
  const pins = gup.pinRefs[pfn];
  const memory = k.memory;
  if (((fl & PG_ALLOC) !== 0) !== memory.isAllocated(pfn)) {
    add(`frame ${pfn}: PG_alloc is ${(fl & PG_ALLOC) !== 0 ? "set" : "clear"} but the allocator has it ${memory.isAllocated(pfn) ? "allocated" : "free"}`);
  }
  if ((fl & PG_ALLOC) === 0) {
    if ((fl & PG_DAX) !== 0 && (fl & PG_ORPHAN) !== 0) {
      // A released FS-DAX block: only its stale GUP holders still count on it.
      const stale = gets + k.policy.refsForPins(pfn, pins);
      if (refcount[pfn] !== (stale | 0)) add(`released FS-DAX block ${pfn} has refcount ${refcount[pfn]} but its stale holders explain ${stale}`);
      return;
    }
    if (refcount[pfn] !== 0 || mapcount[pfn] !== 0 || mapped[pfn] !== 0) {
      add(`free frame ${pfn} has refcount ${refcount[pfn]}, mapcount ${mapcount[pfn]}, ${mapped[pfn]} PTE(s)`);
    }
    return;
  }
  if ((fl & (PG_ZERO | PG_RESERVED)) !== 0) return;
  const m = mapped[pfn];
  if (mapcount[pfn] !== m) add(`frame ${pfn}: mapcount ${mapcount[pfn]} but ${m} PTE(s) map it`);
  if ((fl & PG_TAIL) !== 0) return;
  if (f.entireMapcount[pfn] !== pmdMapped[pfn]) add(`folio ${pfn}: entire mapcount ${f.entireMapcount[pfn]} but ${pmdMapped[pfn]} PMD(s) map it`);
  // The huge zero folio holds one reference of its own (get_huge_zero_folio()); its PMDs take none.
  let explained = pmdMapped[pfn] + (pfn === memory.hugeZeroPfn ? 1 : 0);
  const nr = f.nrPages(pfn);
  for (let i = 0; i < nr; i++) explained += mapped[pfn + i];
  explained += (c.cacheRefs.get(pfn) ?? 0) + (c.swapRefs.get(pfn) ?? 0) + (c.exclusiveRefs.get(pfn) ?? 0);
  if ((fl & PG_PRIVATE) !== 0) explained += 1;
  explained += gets + k.policy.refsForPins(pfn, pins);
  // The refcount is an atomic_t: after a (refused-from-then-on) overflow it wraps negative, so
  // compare modulo 2^32, as the Int32Array stores it.
  if (refcount[pfn] === 0) add(`folio ${pfn} is allocated but has no reference at all (leaked)`);
  else if (refcount[pfn] !== (explained | 0)) {
    add(`folio ${pfn}: refcount ${refcount[pfn]} but mappings, cache, buffers and GUP explain ${explained} (gets ${gets}, pins ${pins})`);
  }
}

/**
 * The frames an incremental audit looks at: those of `lists`, and the head of each one's folio (a
 * folio's refcount is explained by all its pages' mappings, which the head's check adds up), once
 * each, in frame order.
 */
export function framesToAudit(k: KernelContext, lists: readonly (readonly number[])[]): number[] {
  const f = k.frames;
  const out = new Set<number>();
  for (const list of lists) {
    for (const pfn of list) {
      if (out.has(pfn) || !f.valid(pfn)) continue;
      out.add(pfn);
      if ((f.flags[pfn] & (PG_ALLOC | PG_TAIL)) === (PG_ALLOC | PG_TAIL)) out.add(f.head(pfn));
    }
  }
  return [...out].sort((a, b) => a - b);
}
