/**
 * GUP-fast (mm/gup.c, v6.12): walk present page-table entries without the mmap lock, grab what
 * needs nothing more, and leave the rest to the slow path (`gup_fast_fallback()`).
 * @module
 */
import { EINVAL } from "../errno.js";
import type { MmStruct } from "../mm/mm-types.js";
import { PTE_INDEX_MASK, PTE_PRESENT, PTE_PUD, PTE_SPECIAL, PTE_WRITE, PTRS_PER_PTE, PUD_INDEX_MASK, PUD_PAGES, type PteTable } from "../mm/page-table.js";
import type { FaultStats } from "../mm/fault-flags.js";
import type { Process } from "../mm/process.js";
import { PG_ANON, PG_DAX, PG_TAIL } from "../memory/page-flags.js";
import { NOT_PLAIN_FLAGS } from "../policy/fast-path.js";
import { PAGE_SIZE } from "../sim/units.js";
import { checkGupArgs, finishCall, grabMode, gupFastCheckRange, pageAlignDown, refuseCall, type GupCall, type GupOptions, type PageArray } from "./call.js";
import {
  FOLL_FAST_ONLY, FOLL_FORCE, FOLL_GET, FOLL_HONOR_NUMA_FAULT, FOLL_LONGTERM, FOLL_NOFAULT, FOLL_PCI_P2PDMA, FOLL_PIN, FOLL_TOUCH,
  FOLL_UNLOCKABLE, FOLL_WRITE,
} from "./foll-flags.js";
import type { FastPlan } from "./fast-plan.js";
import { gupStatAcquired, planOf, tryGrabFolio, type GupState } from "./grab.js";
import { gupLongtermLocked } from "./longterm.js";
import { gupPutPages } from "./put.js";

/** Bits the GUP-fast entry accepts (`gup_fast_fallback()`'s WARN_ON_ONCE mask). */
const FAST_ALLOWED = FOLL_WRITE | FOLL_LONGTERM | FOLL_FORCE | FOLL_PIN | FOLL_GET | FOLL_FAST_ONLY | FOLL_NOFAULT | FOLL_PCI_P2PDMA | FOLL_HONOR_NUMA_FAULT;

// The masks of the plain-run loops, as constants of this module: the optimiser folds these, where
// an expression of imported bindings is evaluated on every iteration.
/** The PTE bits a plain run looks at: present, special, writable. */
const RUN_PTE_MASK = PTE_PRESENT | PTE_SPECIAL | PTE_WRITE;
/** Of those, what a plain run wants: present and writable, not special. */
const RUN_PTE_WANT = PTE_PRESENT | PTE_WRITE;
/** The frame flags that decide whether a frame is plain (see `isPlainFrame`). */
const PLAIN_MASK = NOT_PLAIN_FLAGS | PG_ANON;
/** Of those, what a plain frame has: `PG_ANON` alone. */
const PG_ANON_BIT = PG_ANON;

/** `mm_set_has_pinned_flag()` (include/linux/mm.h, v6.12): the first FOLL_PIN on an mm sets MMF_HAS_PINNED, for good. */
export function mmSetHasPinnedFlag(s: GupState, mm: MmStruct, flags: number): void {
  if ((flags & FOLL_PIN) !== 0 && s.k.policy.countsPins) mm.hasPinned = true;
}

/**
 * `gup_fast_pte_range()` (mm/gup.c, v6.12) over the entries of one PTE table from `vpn` to
 * `tableEnd`, writing frames from `pages[nr]` on, one `try_grab_folio_fast(page, 1)` per PTE.
 * Stops at the first page that needs anything (a fault, a special PTE, an unpinnable folio,
 * unsharing). Runs of plain frames go through {@link gupFastPlainRun} when the policy declares a
 * fast path and no preemption handler is installed (a plain run has no preemption points); every
 * other page goes through the policy's hooks ({@link gupFastPteOne}). Indices
 * are table-local (0..511), never virtual page numbers. Returns the pages grabbed.
 */
export function gupFastPteRange(s: GupState, t: PteTable, vpn: number, tableEnd: number, flags: number, pages: PageArray, nr: number): number {
  // With a preemption handler installed every entry goes the general way, past its points.
  const plan = s.k.preempt.handler === null ? planOf(s) : null;
  const first = vpn & PTE_INDEX_MASK;
  const end = first + (tableEnd - vpn);
  let i = first;
  while (i < end) {
    if (plan !== null) {
      i += gupFastPlainRun(s, plan, t, i, end, flags, pages, nr + i - first);
      if (i === end) break;
    }
    if (!gupFastPteOne(s, t, i, flags, pages, nr + i - first)) break;
    i++;
  }
  return i - first;
}

/**
 * The loop of `gup_fast_pte_range()` (mm/gup.c, v6.12) over plain frames
 * ({@link isPlainFrame}) behind present, writable, not special entries `[i, end)` of `t`, with
 * the policy's {@link FastPathDeclaration} as arithmetic: the long-term check a zone bound
 * (`folio_is_longterm_pinnable()`), `gup_fast_folio_allowed()` true for anonymous folios,
 * `try_grab_folio_fast(page, 1)` a refcount add (refused on an overflowed count). A writable
 * entry never needs unsharing. Stops, without taking it, at the first entry that is anything
 * else. Returns the pages grabbed, counted in vmstat as {@link gupStatAcquired} counts them.
 */
export function gupFastPlainRun(s: GupState, plan: FastPlan, t: PteTable, i: number, end: number, flags: number, pages: PageArray, at: number): number {
  const k = s.k;
  const f = k.frames;
  const fl = f.flags;
  const rc = f.refcount;
  const tb = t.bits;
  const tp = t.pfn;
  const pin = (flags & FOLL_PIN) !== 0;
  const add = pin ? plan.pinRefs : 1;
  const counter = pin ? plan.pinCounter : undefined;
  const track = pin ? s.refs.pin : s.refs.get;
  const longterm = (flags & FOLL_LONGTERM) !== 0;
  const lo1 = plan.lo1;
  const hi1 = plan.hi1;
  const lo2 = plan.lo2;
  const hi2 = plan.hi2;
  const off = at - i;
  let j = i;
  for (; j < end; j++) {
    if ((tb[j] & RUN_PTE_MASK) !== RUN_PTE_WANT) break;
    const pfn = tp[j];
    if ((fl[pfn] & PLAIN_MASK) !== PG_ANON_BIT) break;
    if (longterm && ((pfn >= lo1 && pfn < hi1) || (pfn >= lo2 && pfn < hi2))) break;
    if (rc[pfn] <= 0) break;
    rc[pfn] += add;
    if (counter !== undefined) counter[pfn] += 1;
    track[pfn] += 1;
    pages[off + j] = pfn;
  }
  const n = j - i;
  // One count for the run: plain frames are never the zero page, so any of them stands for all.
  if (n > 0) gupStatAcquired(k, tp[i], n, pin ? "pin" : "get");
  return n;
}

/**
 * One entry (table index `idx`) of `gup_fast_pte_range()` (mm/gup.c, v6.12) the general way,
 * asking the policy: false when the page needs the slow path (nothing taken). The entry is read
 * once (`ptep_get_lockless()`), the folio grabbed, and the entry read again: a changed entry (fork
 * write-protected it, a zap cleared it) puts the folio back (`pte_val(pte) !=
 * pte_val(ptep_get(ptep))`). The preemption points `gup_fast.read` (before the grab) and
 * `gup_fast.grab` (before the second read) are where another thread can run.
 */
function gupFastPteOne(s: GupState, t: PteTable, idx: number, flags: number, pages: PageArray, at: number): boolean {
  const k = s.k;
  const policy = k.policy;
  const f = k.frames;
  // v5.8 (17839856fd58): GUP-fast takes only writable PTEs, even for reads: a read-only one may need its COW broken.
  const write = (flags & FOLL_WRITE) !== 0 || k.era.gupReadCow;
  const bits = t.bits[idx];
  if ((bits & PTE_PRESENT) === 0 || (bits & PTE_SPECIAL) !== 0) return false;
  if (write && (bits & PTE_WRITE) === 0) return false;
  const pfn = t.pfn[idx];
  const head = (f.flags[pfn] & PG_TAIL) === 0 ? pfn : f.head(pfn);
  // The frame goes into pages[] now (past what was grabbed it counts only once grabbed).
  pages[at] = pfn;
  // gup_fast_pte_range() (v6.12): a devmap (FS-DAX) entry under FOLL_LONGTERM always falls
  // back, so the slow path's check_vma_flags() decides.
  const longterm = (flags & FOLL_LONGTERM) !== 0;
  if (longterm && (f.flags[pfn] & PG_DAX) !== 0) return false;
  if (longterm && !policy.longtermPinnable(head)) return false;
  // try_grab_folio_fast() counts NR_FOLL_PIN_ACQUIRED as it grabs, so the counter moves
  // before the checks that follow it (and before the fork check); a folio they refuse is put back
  // at once (gup_put_folio(), counted as released), as is what the fork check gives back below.
  const mode = grabMode(flags);
  k.preempt.point("gup_fast.read");
  if (!tryGrabFolio(s, head, 1, mode)) return false;
  gupStatAcquired(k, head, 1, mode);
  k.preempt.point("gup_fast.grab");
  const changed = t.bits[idx] !== bits || t.pfn[idx] !== pfn;
  if (changed || !policy.fastFolioAllowed(pfn, flags) || ((bits & PTE_WRITE) === 0 && policy.countsPins && policy.mustUnshare(undefined, flags, pfn))) {
    gupPutPages(s, pages, at, 1, mode, false);
    return false;
  }
  return true;
}

/**
 * `gup_fast_pmd_leaf()` (mm/gup.c, v6.12): the PMD leaf `t` maps [vpn, end) (one PMD's worth at
 * most): one entry read, the subpages recorded (`record_subpages()`), and the folio grabbed once
 * for all of them (`try_grab_folio_fast(page, refs, flags)`). Nothing is taken (0) when the leaf
 * is not writable for a write, or the folio is one the fast path may not take (long-term
 * unpinnable, refused by the policy, or a read-only pin that must unshare it first), or when the
 * entry read again after the grab has changed (`pmd_val(orig) != pmd_val(*pmdp)`: the folio is
 * put back). Preemption points `gup_fast.read` and `gup_fast.grab` as in {@link gupFastPteRange}.
 * Returns the pages grabbed.
 */
export function gupFastPmdLeaf(s: GupState, t: PteTable, vpn: number, end: number, flags: number, pages: PageArray, nr: number): number {
  const k = s.k;
  const policy = k.policy;
  const bits = t.leafBits;
  if (((flags & FOLL_WRITE) !== 0 || k.era.gupReadCow) && (bits & PTE_WRITE) === 0) return 0;
  if ((bits & PTE_SPECIAL) !== 0) return 0;
  const head = t.leafPfn;
  const pfn = head + (vpn & ((bits & PTE_PUD) !== 0 ? PUD_INDEX_MASK : PTE_INDEX_MASK));
  const refs = end - vpn;
  for (let j = 0; j < refs; j++) pages[nr + j] = pfn + j;
  if ((flags & FOLL_LONGTERM) !== 0 && !policy.longtermPinnable(head)) return 0;
  const mode = grabMode(flags);
  k.preempt.point("gup_fast.read");
  if (!tryGrabFolio(s, head, refs, mode)) return 0;
  gupStatAcquired(k, head, refs, mode);
  k.preempt.point("gup_fast.grab");
  // As gup_fast_pte_range(): grabbed (and counted) first, then put back when changed or refused.
  const changed = t.leafBits !== bits || t.leafPfn !== head;
  if (changed || !policy.fastFolioAllowed(pfn, flags) || ((bits & PTE_WRITE) === 0 && policy.countsPins && policy.mustUnshare(undefined, flags, head))) {
    gupPutPages(s, pages, nr, refs, mode, false);
    return 0;
  }
  return refs;
}

/**
 * `gup_fast_pud_leaf()` (mm/gup.c, v6.12): the PUD leaf `t` (a 1 GiB hugetlb folio) maps [vpn,
 * end), at most one GiB: as {@link gupFastPmdLeaf}, one entry read and the folio grabbed once for
 * every subpage recorded (`record_subpages(page, PUD_SIZE, ...)` then `try_grab_folio_fast(page,
 * refs, flags)`: a pin adds `refs` to `_pincount` and counts `refs` in NR_FOLL_PIN_ACQUIRED).
 * Returns the pages grabbed.
 */
export function gupFastPudLeaf(s: GupState, t: PteTable, vpn: number, end: number, flags: number, pages: PageArray, nr: number): number {
  return gupFastPmdLeaf(s, t, vpn, end, flags, pages, nr);
}

/**
 * `gup_fast()` (mm/gup.c, v6.12): walk the page tables of [start, start + nrPages) without the
 * lock, table by table, until a page needs the slow path. From v5.11 (`EraRules.gupFastForkSeq`)
 * a FOLL_PIN backs off entirely when fork is write-protecting the mm (`write_protect_seq` odd
 * before the walk, or moved during it), giving back what it took
 * (`gup_fast_unpin_user_pages()`). Returns the pages grabbed.
 */
export function gupFast(s: GupState, task: Process, start: number, nrPages: number, flags: number, pages: PageArray): number {
  const mm = task.mm!;
  // gup_fast() (v6.12) samples mm->write_protect_seq for FOLL_PIN only ("mm/gup: prevent gup_fast
  // from racing with COW during fork", 57efa1fe5957, v5.11). A policy whose FOLL_PIN degrades to
  // FOLL_GET (countsPins false: a kernel before both) has no such check. Fork moves the count in
  // every era; before v5.11 nothing reads it.
  const forkSeq = (flags & FOLL_PIN) !== 0 && s.k.policy.countsPins && s.k.era.gupFastForkSeq;
  const seq = mm.writeProtectSeq;
  if (forkSeq && (seq & 1) !== 0) return 0;
  let nr = 0;
  let vpn = start / PAGE_SIZE;
  const endVpn = vpn + nrPages;
  while (vpn < endVpn) {
    const t = mm.pageTable.table(vpn);
    if (t === undefined) break;
    // gup_fast_pud_range(): a PUD leaf covers its whole GiB, one entry.
    const pud = (t.leafBits & PTE_PUD) !== 0;
    const span = pud ? PUD_PAGES : PTRS_PER_PTE;
    const tableEnd = Math.min(endVpn, (Math.floor(vpn / span) + 1) * span);
    const got = pud ? gupFastPudLeaf(s, t, vpn, tableEnd, flags, pages, nr)
      : t.leafBits !== 0 ? gupFastPmdLeaf(s, t, vpn, tableEnd, flags, pages, nr) : gupFastPteRange(s, t, vpn, tableEnd, flags, pages, nr);
    nr += got;
    vpn += got;
    if (vpn < tableEnd) break;
  }
  if (forkSeq && mm.writeProtectSeq !== seq) {
    // Raced with fork: give everything back and let the slow path do it under the lock.
    gupPutPages(s, pages, 0, nr, grabMode(flags), false);
    return 0;
  }
  return nr;
}

/**
 * `gup_fast_fallback()` (mm/gup.c, v6.12), behind `get_user_pages_fast()`,
 * `get_user_pages_fast_only()` and `pin_user_pages_fast()`: the lockless walk, then the slow
 * path (`__gup_longterm_locked()`) for the rest unless FOLL_FAST_ONLY. A partial result is never
 * an errno: the caller must release what the fast path took.
 */
export function gupFastFallback(
  s: GupState, call: GupCall, task: Process, start: number, nrPages: number, flags: number, pages: PageArray, opts: GupOptions, stats: FaultStats,
): number {
  const k = s.k;
  if ((flags & ~(FAST_ALLOWED | FOLL_TOUCH | FOLL_UNLOCKABLE)) !== 0) {
    return refuseCall(k, call, task, start, nrPages, flags, EINVAL, "a flag GUP-fast does not take (gup_fast_fallback)", opts);
  }
  const bad = checkGupArgs(task, start, nrPages);
  if (bad < 0) return finishCall(k, call, task, start, nrPages, flags, bad, 0, 0, 0, pages, opts);
  if (nrPages === 0) return finishCall(k, call, task, start, nrPages, flags, 0, 0, 0, 0, pages, opts);
  // MMF_HAS_PINNED is set before the range is looked at: a refused pin still marks the mm.
  mmSetHasPinnedFlag(s, task.mm!, flags);
  const range = gupFastCheckRange(start, nrPages);
  if (range < 0) return finishCall(k, call, task, start, nrPages, flags, range, 0, 0, 0, pages, opts);
  start = pageAlignDown(start);
  const fast = gupFast(s, task, start, nrPages, flags, pages);
  if (fast === nrPages || (flags & FOLL_FAST_ONLY) !== 0) return finishCall(k, call, task, start, nrPages, flags, fast, fast, 0, 0, pages, opts);
  const r = gupLongtermLocked(s, task, start + fast * PAGE_SIZE, nrPages - fast, flags | FOLL_TOUCH | FOLL_UNLOCKABLE, pages, fast, opts, stats);
  const total = r.nr < 0 ? (fast > 0 ? fast : r.nr) : fast + r.nr;
  return finishCall(k, call, task, start, nrPages, flags, total, fast, Math.max(0, r.nr), r.migrated, pages, opts);
}
