/**
 * The GUP API (mm/gup.c, Linux v6.12): the public `get_user_pages*`, `pin_user_pages*` and
 * release calls, and the vaddr_pin calls of the 2019 RFC. Each entry point validates its flags
 * (`is_valid_gup_args()`, validate.ts) and hands over to the path the kernel takes: the slow
 * path (slow.ts, longterm.ts), GUP-fast (fast.ts), the grabs and puts (grab.ts, put.ts).
 * @module
 */
import { inject, injectable } from "tsyringe";
import { KERNEL } from "../kernel/context.js";
import { EINVAL } from "../errno.js";
import type { KernelContext } from "../kernel/context.js";
import type { FaultStats } from "../mm/fault-flags.js";
import type { Process } from "../mm/process.js";
import type { VaddrPinOwner } from "../policy/pin-policy.js";
import { checkGupArgs, finishCall, pageAlignDown, refuseCall, type GupCall, type GupOptions, type PageArray } from "./call.js";
import { gupFastFallback, mmSetHasPinnedFlag } from "./fast.js";
import { FOLL_FAST_ONLY, FOLL_GET, FOLL_LONGTERM, FOLL_PIN, FOLL_REMOTE, FOLL_TOUCH } from "./foll-flags.js";
import { GupRefs, type GupState } from "./grab.js";
import { gupLongtermLocked } from "./longterm.js";
import {
  releaseFilePins, releasePages, unpinUserPage, unpinUserPageRangeDirtyLock, unpinUserPages, unpinUserPagesDirtyLock, type ReleaseOptions,
} from "./put.js";
import { validateGupFlags } from "./validate.js";
import { createToken } from "../di/tokens.js";

export type { GupOptions, PageArray } from "./call.js";
export type { ReleaseOptions } from "./put.js";

/** The entry points, with the flags each sets on its own (`to_set`). */
const CALLS = {
  getUserPages: { name: "get_user_pages", toSet: FOLL_TOUCH },
  getUserPagesRemote: { name: "get_user_pages_remote", toSet: FOLL_TOUCH | FOLL_REMOTE },
  getUserPagesFast: { name: "get_user_pages_fast", toSet: FOLL_GET },
  getUserPagesFastOnly: { name: "get_user_pages_fast_only", toSet: FOLL_GET },
  pinUserPages: { name: "pin_user_pages", toSet: FOLL_PIN, badFlagsReturnZero: true },
  pinUserPagesRemote: { name: "pin_user_pages_remote", toSet: FOLL_PIN | FOLL_TOUCH | FOLL_REMOTE, badFlagsReturnZero: true },
  pinUserPagesFast: { name: "pin_user_pages_fast", toSet: FOLL_PIN },
  vaddrPinPages: { name: "vaddr_pin_pages", toSet: FOLL_PIN },
  vaddrPinPagesRemote: { name: "vaddr_pin_pages_remote", toSet: FOLL_PIN | FOLL_TOUCH | FOLL_REMOTE },
} as const satisfies Record<string, GupCall>;

/** Why a vaddr_pin call without an owner is refused. */
const NO_OWNER = "vaddr_pin without an owner (a file or an mm)";

/**
 * The GUP API of one kernel instance: `get_user_pages*`, `pin_user_pages*`, the release calls
 * and the vaddr_pin calls of the 2019 RFC, with the kernel's names in camelCase (mm/gup.c,
 * Linux v6.12). How references are counted is the active {@link PinPolicy}'s business.
 *
 * Every call returns what the kernel's returns: a number of pages (possibly fewer than asked;
 * the caller releases those) or a negative errno. Each call emits one `gup` or `release` event;
 * a refused call's event says why (`reason`). Outstanding references are tracked per folio and
 * per call family, so a release with the wrong call is caught, reported as a `misuse` event and
 * refused without touching any count.
 */
@injectable()
export class Gup {
  /** Outstanding get-family references per folio head (model bookkeeping, not kernel state). */
  readonly getRefs: Int32Array;
  /** Outstanding pin-family references per folio head (model bookkeeping, not kernel state). */
  readonly pinRefs: Int32Array;
  private readonly s: GupState;
  /** Faults of the slow path, by kind (counted, never reported: GUP's faults are part of its call). */
  private readonly stats: FaultStats = {};

  /** Build the GUP layer of `kernel`. */
  constructor(@inject(KERNEL) k: KernelContext) {
    const refs = new GupRefs(k.frames.nrFrames);
    this.s = { k, refs };
    this.getRefs = refs.get;
    this.pinRefs = refs.pin;
  }

  // get_user_pages family

  /** `get_user_pages(start, nr_pages, gup_flags, pages)` (mm/gup.c, v6.12): -EINVAL on bad flags; takes FOLL_GET refs when `pages` is given. */
  getUserPages(task: Process, start: number, nrPages: number, gupFlags: number, pages?: PageArray, opts: GupOptions = {}): number {
    return this.slow(CALLS.getUserPages, task, start, nrPages, gupFlags, pages, opts);
  }

  /** `get_user_pages_remote(mm, start, nr_pages, gup_flags, pages, locked)` (mm/gup.c, v6.12): as get_user_pages on another process's mm. */
  getUserPagesRemote(task: Process, start: number, nrPages: number, gupFlags: number, pages?: PageArray, opts: GupOptions = {}): number {
    return this.slow(CALLS.getUserPagesRemote, task, start, nrPages, gupFlags, pages, opts, opts.locked);
  }

  /** `get_user_pages_fast(start, nr_pages, gup_flags, pages)` (mm/gup.c, v6.12): lockless walk, then the slow path for the rest. */
  getUserPagesFast(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, opts: GupOptions = {}): number {
    return this.fast(CALLS.getUserPagesFast, task, start, nrPages, gupFlags, pages, opts);
  }

  /** `get_user_pages_fast_only()` (mm/gup.c, v6.12): the lockless walk alone, never faulting. */
  getUserPagesFastOnly(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, opts: GupOptions = {}): number {
    return this.fast(CALLS.getUserPagesFastOnly, task, start, nrPages, gupFlags, pages, opts, FOLL_FAST_ONLY);
  }

  // pin_user_pages family

  /** `pin_user_pages(start, nr_pages, gup_flags, pages)` (mm/gup.c, v6.12): returns 0 (not an errno) on bad flags. */
  pinUserPages(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, opts: GupOptions = {}): number {
    return this.slow(CALLS.pinUserPages, task, start, nrPages, gupFlags, pages, opts);
  }

  /** `pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages, locked)` (mm/gup.c, v6.12): returns 0 on bad flags. */
  pinUserPagesRemote(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, opts: GupOptions = {}): number {
    return this.slow(CALLS.pinUserPagesRemote, task, start, nrPages, gupFlags, pages, opts, opts.locked);
  }

  /** `pin_user_pages_fast(start, nr_pages, gup_flags, pages)` (mm/gup.c, v6.12): -EINVAL on bad flags. */
  pinUserPagesFast(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, opts: GupOptions = {}): number {
    return this.fast(CALLS.pinUserPagesFast, task, start, nrPages, gupFlags, pages, opts);
  }

  // vaddr_pin (Ira Weiny's 2019 RFC, patches 09-15/19; John Hubbard's vaddr_pin_pages_remote)

  /**
   * `vaddr_pin_pages(addr, nr_pages, gup_flags, pages, vaddr_pin)` (Ira Weiny's RFC v2 15/19, Aug 2019): a long-term pin
   * charged to an owner (a file, e.g. the RDMA context, or an mm). -EINVAL without an owner.
   * Under policies without file pins it is pin_user_pages with FOLL_LONGTERM.
   */
  vaddrPinPages(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, owner: VaddrPinOwner, opts: GupOptions = {}): number {
    const call = CALLS.vaddrPinPages;
    if (owner.file === undefined && owner.pid === undefined) return refuseCall(this.s.k, call, task, start, nrPages, gupFlags, EINVAL, NO_OWNER, opts);
    const v = validateGupFlags(this.s.k.policy, gupFlags | FOLL_LONGTERM, call.toSet, pages !== undefined);
    if (!v.ok) return refuseCall(this.s.k, call, task, start, nrPages, gupFlags, v.errno, v.reason, opts, true);
    return this.slowPath(call, task, start, nrPages, v.flags, pages, { ...opts, owner });
  }

  /** `vaddr_pin_pages_remote()` (Hubbard, Aug 2019): FOLL_TOUCH | FOLL_REMOTE | FOLL_PIN, owner required. */
  vaddrPinPagesRemote(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, owner: VaddrPinOwner, opts: GupOptions = {}): number {
    const call = CALLS.vaddrPinPagesRemote;
    if (owner.file === undefined && owner.pid === undefined) return refuseCall(this.s.k, call, task, start, nrPages, gupFlags, EINVAL, NO_OWNER, opts);
    const v = validateGupFlags(this.s.k.policy, gupFlags, call.toSet, pages !== undefined);
    if (!v.ok) return refuseCall(this.s.k, call, task, start, nrPages, gupFlags, v.errno, v.reason, opts, true);
    return this.slowPath(call, task, start, nrPages, v.flags, pages, { ...opts, owner });
  }

  /** `vaddr_unpin_pages(pages, nr_pages, vaddr_pin)` (RFC v2 15/19, Aug 2019): unpin and drop the owner's file-pin krefs. */
  vaddrUnpinPages(pages: PageArray, nrPages: number, owner: VaddrPinOwner, pid: number, opts: ReleaseOptions = {}): void {
    releaseFilePins(this.s, pages, nrPages, owner, pid);
    releasePages(this.s, "vaddr_unpin_pages", pages, nrPages, "pin", false, { ...opts, owner });
  }

  /** `vaddr_unpin_pages_dirty_lock(pages, nr_pages, vaddr_pin, make_dirty)` (RFC v2 15/19, Aug 2019): dirty, unpin, drop the file-pin krefs. */
  vaddrUnpinPagesDirtyLock(pages: PageArray, nrPages: number, owner: VaddrPinOwner, pid: number, makeDirty: boolean, opts: ReleaseOptions = {}): void {
    releaseFilePins(this.s, pages, nrPages, owner, pid);
    releasePages(this.s, "vaddr_unpin_pages_dirty_lock", pages, nrPages, "pin", makeDirty, { ...opts, owner });
  }

  // Releases (put.ts)

  /** `unpin_user_page(page)` (mm/gup.c, v6.12): release one pin (`gup_put_folio`). */
  unpinUserPage(pfn: number, opts: ReleaseOptions = {}): void {
    unpinUserPage(this.s, pfn, opts);
  }

  /** `unpin_user_pages(pages, npages)` (mm/gup.c, v6.12): release pins, batched per folio run. */
  unpinUserPages(pages: PageArray, nrPages: number, opts: ReleaseOptions = {}): void {
    unpinUserPages(this.s, pages, nrPages, opts);
  }

  /** `unpin_user_pages_dirty_lock(pages, npages, make_dirty)` (mm/gup.c, v6.12): dirty each folio not already dirty, then unpin. */
  unpinUserPagesDirtyLock(pages: PageArray, nrPages: number, makeDirty: boolean, opts: ReleaseOptions = {}): void {
    unpinUserPagesDirtyLock(this.s, pages, nrPages, makeDirty, opts);
  }

  /** `unpin_user_page_range_dirty_lock(page, npages, make_dirty)` (mm/gup.c, v6.12): as above for physically contiguous frames. */
  unpinUserPageRangeDirtyLock(pfn: number, nrPages: number, makeDirty: boolean, opts: ReleaseOptions = {}): void {
    unpinUserPageRangeDirtyLock(this.s, pfn, nrPages, makeDirty, opts);
  }

  /** `put_page(page)` (include/linux/mm.h, v6.12): release one FOLL_GET reference taken by get_user_pages*. */
  putPage(pfn: number, opts: ReleaseOptions = {}): void {
    releasePages(this.s, "put_page", [pfn], 1, "get", false, opts);
  }

  /** Release FOLL_GET references of many pages: a loop of `put_page()` (include/linux/mm.h, v6.12), as drivers do. */
  putPages(pages: PageArray, nrPages: number, opts: ReleaseOptions & { dirty?: boolean } = {}): void {
    releasePages(this.s, "put_page", pages, nrPages, "get", opts.dirty === true, opts);
  }

  /** Outstanding references GUP handed out on the folio at `head`, by family. */
  outstanding(head: number): { get: number; pin: number } {
    return { get: this.getRefs[head], pin: this.pinRefs[head] };
  }

  // The two paths

  /** A slow-path entry point: validate (`is_valid_gup_args()`, mm/gup.c, v6.12), then walk. */
  private slow(call: GupCall, task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray | undefined, opts: GupOptions, locked?: number): number {
    const v = validateGupFlags(this.s.k.policy, gupFlags, call.toSet, pages !== undefined, locked);
    if (!v.ok) return refuseCall(this.s.k, call, task, start, nrPages, gupFlags, v.errno, v.reason, opts, true);
    return this.slowPath(call, task, start, nrPages, v.flags, pages, opts);
  }

  /** A GUP-fast entry point: validate, then `gup_fast_fallback()` (mm/gup.c, v6.12). */
  private fast(call: GupCall, task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, opts: GupOptions, extra = 0): number {
    const v = validateGupFlags(this.s.k.policy, gupFlags, call.toSet, pages !== undefined);
    if (!v.ok) return refuseCall(this.s.k, call, task, start, nrPages, gupFlags, v.errno, v.reason, opts, true);
    return gupFastFallback(this.s, call, task, start, nrPages, v.flags | extra, pages, opts, this.stats);
  }

  /**
   * The locked path of `get_user_pages()` and friends: `__get_user_pages_locked()`'s own flags
   * (FOLL_GET when given pages without FOLL_PIN; MMF_HAS_PINNED for FOLL_PIN, unless there is
   * nothing to do), then `__gup_longterm_locked()` (mm/gup.c, v6.12). No range check: a range that
   * runs past the last VMA, or past TASK_SIZE, is walked up to there and the pages done so far
   * returned (EFAULT when none), as `__get_user_pages()` does.
   */
  private slowPath(call: GupCall, task: Process, start: number, nrPages: number, flags: number, pages: PageArray | undefined, opts: GupOptions): number {
    const k = this.s.k;
    const bad = checkGupArgs(task, start, nrPages);
    if (bad < 0) return finishCall(k, call, task, start, nrPages, flags, bad, 0, 0, 0, pages, opts);
    start = pageAlignDown(start);
    if (pages !== undefined && (flags & FOLL_PIN) === 0) flags |= FOLL_GET;
    if (nrPages > 0) mmSetHasPinnedFlag(this.s, task.mm!, flags);
    const r = gupLongtermLocked(this.s, task, start, nrPages, flags, pages, 0, opts, this.stats);
    return finishCall(k, call, task, start, nrPages, flags, r.nr, 0, Math.max(0, r.nr), r.migrated, pages, opts);
  }
}

/**
 * The GUP calls a driver makes: everything {@link Gup} offers but the model's bookkeeping of
 * outstanding references (what a device plugin sees).
 */
export type GupCalls = Omit<Gup, "getRefs" | "pinRefs" | "outstanding">;

/** The token of a kernel instance's GUP API (get_user_pages / pin_user_pages and friends). */
export const GUP = createToken<Gup>("GUP");
