import { inject, injectable } from "tsyringe";
import { KERNEL } from "../di/tokens.js";
import { EFAULT, EINVAL, ENOMEM, EOPNOTSUPP, ModelError, errnoName } from "../errno.js";
import type { HolderRef } from "../events/event-types.js";
import type { Inode } from "../fs/inode.js";
import type { Kernel } from "../kernel/kernel.js";
import { Gfp } from "../memory/physical-memory.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_DAX, PG_DIRTY, PG_FILE, PG_ZERO } from "../memory/page-flags.js";
import { FAULT_FLAG_UNSHARE, FAULT_FLAG_WRITE, handleMmFault, type FaultStats } from "../mm/fault.js";
import { PTE_HUGE, PTE_INDEX_MASK, PTE_PRESENT, PTE_SPECIAL, PTE_WRITE, PTRS_PER_PTE } from "../mm/page-table.js";
import type { Process } from "../mm/process.js";
import { TASK_SIZE } from "../mm/mm-struct.js";
import { VM_HUGETLB, VM_IO, VM_MAYWRITE, VM_PFNMAP, VM_READ, VM_SHARED, VM_WRITE, type Vma } from "../mm/vma.js";
import { migrateFolio } from "../migrate/migrate.js";
import type { GrabMode, VaddrPinOwner } from "../policy/pin-policy.js";
import { PAGE_SIZE } from "../sim/units.js";
import {
  FOLL_ANON, FOLL_FAST_ONLY, FOLL_FORCE, FOLL_GET, FOLL_HONOR_NUMA_FAULT, FOLL_LONGTERM, FOLL_NOFAULT, FOLL_PCI_P2PDMA,
  FOLL_PIN, FOLL_REMOTE, FOLL_SPLIT_PMD, FOLL_TOUCH, FOLL_UNLOCKABLE, FOLL_WRITE, follFlagNames,
} from "./foll-flags.js";
import { validateGupFlags } from "./validate.js";

/** An output array of frame numbers (`struct page **pages`). */
export type PageArray = number[] | Uint32Array;

/** Extra, model-only arguments of a GUP call. */
export interface GupOptions {
  /** Who will hold the references (a device, a scenario handle); the oracle tracks holders. */
  readonly holder?: HolderRef;
  /** The `*locked` argument of the calls that take one (must be 1). */
  readonly locked?: number;
  /** The vaddr_pin owner (vaddr_pin_pages* calls). */
  readonly owner?: VaddrPinOwner;
}

/** Extra, model-only arguments of a release call. */
export interface ReleaseOptions {
  /** Who held the references. */
  readonly holder?: HolderRef;
  /** The vaddr_pin owner the pages were pinned through. */
  readonly owner?: VaddrPinOwner;
}

/** The first `n` entries of a pages array, without copying a typed array (observers read it during the call only). */
function firstPages(pages: PageArray, n: number): ArrayLike<number> {
  return pages instanceof Uint32Array ? pages.subarray(0, n) : pages.length === n ? pages : pages.slice(0, n);
}

/** Bits the GUP-fast entry accepts (`gup_fast_fallback`'s WARN_ON_ONCE mask). */
const FAST_ALLOWED = FOLL_WRITE | FOLL_LONGTERM | FOLL_FORCE | FOLL_PIN | FOLL_GET | FOLL_FAST_ONLY | FOLL_NOFAULT | FOLL_PCI_P2PDMA | FOLL_HONOR_NUMA_FAULT;

/** `addr & PAGE_MASK`. */
function pageAlignDown(addr: number): number {
  return addr - (addr % PAGE_SIZE);
}

/** What one internal walk produced. */
interface WalkResult {
  /** Pages grabbed (or faulted in, without a pages array), or -errno when none. */
  nr: number;
  /** Folios migrated by the long-term loop. */
  migrated: number;
}

/**
 * The GUP API of one kernel instance: `get_user_pages*`, `pin_user_pages*`, the release calls
 * and the vaddr_pin calls of the 2019 RFC, with the kernel's names in camelCase (mm/gup.c,
 * Linux v6.12). How references are counted is the active {@link PinPolicy}'s business.
 *
 * Every call returns what the kernel's returns: a number of pages (possibly fewer than asked;
 * the caller releases those) or a negative errno. Each call emits one `gup` or `release` event.
 * Outstanding references are tracked per folio and per call family, so a release with the wrong
 * call is caught, reported as a `misuse` event and refused without touching any count.
 */
@injectable()
export class Gup {
  /** Outstanding get-family references per folio head (model bookkeeping, not kernel state). */
  readonly getRefs: Int32Array;
  /** Outstanding pin-family references per folio head (model bookkeeping, not kernel state). */
  readonly pinRefs: Int32Array;
  /** Scratch for the misuse check of one release call: releases asked per folio head (zero between calls). */
  private readonly need: Int32Array;
  /** Scratch of one release call: the folio runs its check found (head, pages), reused by the release. */
  private runHeads = new Int32Array(512);
  private runPages = new Int32Array(512);
  private readonly stats: FaultStats = {};

  /** Build the GUP layer of `kernel`. */
  constructor(@inject(KERNEL) private readonly k: Kernel) {
    this.getRefs = new Int32Array(k.frames.nrFrames);
    this.pinRefs = new Int32Array(k.frames.nrFrames);
    this.need = new Int32Array(k.frames.nrFrames);
  }

  // ---------------------------------------------------------------------------------------------
  // get_user_pages family

  /** `get_user_pages(start, nr_pages, gup_flags, pages)` (v6.12): -EINVAL on bad flags; takes FOLL_GET refs when `pages` is given. */
  getUserPages(task: Process, start: number, nrPages: number, gupFlags: number, pages?: PageArray, opts: GupOptions = {}): number {
    const v = validateGupFlags(this.k.policy, gupFlags, FOLL_TOUCH, pages !== undefined);
    if (!v.ok) return this.refuse("get_user_pages", task, start, nrPages, gupFlags, v.errno, opts);
    return this.slowCall("get_user_pages", task, start, nrPages, v.flags, pages, opts);
  }

  /** `get_user_pages_remote(mm, start, nr_pages, gup_flags, pages, locked)` (v6.12): as get_user_pages on another process's mm. */
  getUserPagesRemote(task: Process, start: number, nrPages: number, gupFlags: number, pages?: PageArray, opts: GupOptions = {}): number {
    const v = validateGupFlags(this.k.policy, gupFlags, FOLL_TOUCH | FOLL_REMOTE, pages !== undefined, opts.locked);
    if (!v.ok) return this.refuse("get_user_pages_remote", task, start, nrPages, gupFlags, v.errno, opts);
    return this.slowCall("get_user_pages_remote", task, start, nrPages, v.flags, pages, opts);
  }

  /** `get_user_pages_fast(start, nr_pages, gup_flags, pages)` (v6.12): lockless walk, then the slow path for the rest. */
  getUserPagesFast(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, opts: GupOptions = {}): number {
    const v = validateGupFlags(this.k.policy, gupFlags, FOLL_GET, pages !== undefined);
    if (!v.ok) return this.refuse("get_user_pages_fast", task, start, nrPages, gupFlags, v.errno, opts);
    return this.fastCall("get_user_pages_fast", task, start, nrPages, v.flags, pages, opts);
  }

  /** `get_user_pages_fast_only()` (v6.12): the lockless walk alone, never faulting. */
  getUserPagesFastOnly(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, opts: GupOptions = {}): number {
    const v = validateGupFlags(this.k.policy, gupFlags, FOLL_GET, pages !== undefined);
    if (!v.ok) return this.refuse("get_user_pages_fast_only", task, start, nrPages, gupFlags, v.errno, opts);
    return this.fastCall("get_user_pages_fast_only", task, start, nrPages, v.flags | FOLL_FAST_ONLY, pages, opts);
  }

  // ---------------------------------------------------------------------------------------------
  // pin_user_pages family

  /** `pin_user_pages(start, nr_pages, gup_flags, pages)` (v6.12): returns 0 (not an errno) on bad flags. */
  pinUserPages(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, opts: GupOptions = {}): number {
    const v = validateGupFlags(this.k.policy, gupFlags, FOLL_PIN, pages !== undefined);
    if (!v.ok) return this.refuse("pin_user_pages", task, start, nrPages, gupFlags, v.errno, opts, 0);
    return this.slowCall("pin_user_pages", task, start, nrPages, v.flags, pages, opts);
  }

  /** `pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages, locked)` (v6.12): returns 0 on bad flags. */
  pinUserPagesRemote(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, opts: GupOptions = {}): number {
    const v = validateGupFlags(this.k.policy, gupFlags, FOLL_PIN | FOLL_TOUCH | FOLL_REMOTE, pages !== undefined, opts.locked);
    if (!v.ok) return this.refuse("pin_user_pages_remote", task, start, nrPages, gupFlags, v.errno, opts, 0);
    return this.slowCall("pin_user_pages_remote", task, start, nrPages, v.flags, pages, opts);
  }

  /** `pin_user_pages_fast(start, nr_pages, gup_flags, pages)` (v6.12): -EINVAL on bad flags. */
  pinUserPagesFast(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, opts: GupOptions = {}): number {
    const v = validateGupFlags(this.k.policy, gupFlags, FOLL_PIN, pages !== undefined);
    if (!v.ok) return this.refuse("pin_user_pages_fast", task, start, nrPages, gupFlags, v.errno, opts);
    return this.fastCall("pin_user_pages_fast", task, start, nrPages, v.flags, pages, opts);
  }

  // ---------------------------------------------------------------------------------------------
  // vaddr_pin (Ira Weiny's 2019 RFC, patches 09-15/19; John Hubbard's vaddr_pin_pages_remote)

  /**
   * `vaddr_pin_pages(addr, nr_pages, gup_flags, pages, vaddr_pin)` (Ira Weiny's RFC v2 15/19, Aug 2019): a long-term pin
   * charged to an owner (a file, e.g. the RDMA context, or an mm). -EINVAL without an owner.
   * Under policies without file pins it is pin_user_pages with FOLL_LONGTERM.
   */
  vaddrPinPages(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, owner: VaddrPinOwner, opts: GupOptions = {}): number {
    if (owner.file === undefined && owner.pid === undefined) return this.refuse("vaddr_pin_pages", task, start, nrPages, gupFlags, EINVAL, opts);
    const v = validateGupFlags(this.k.policy, gupFlags | FOLL_LONGTERM, FOLL_PIN, pages !== undefined);
    if (!v.ok) return this.refuse("vaddr_pin_pages", task, start, nrPages, gupFlags, v.errno, opts);
    return this.slowCall("vaddr_pin_pages", task, start, nrPages, v.flags, pages, { ...opts, owner });
  }

  /** `vaddr_pin_pages_remote()` (Hubbard, Aug 2019): FOLL_TOUCH | FOLL_REMOTE | FOLL_PIN, owner required. */
  vaddrPinPagesRemote(task: Process, start: number, nrPages: number, gupFlags: number, pages: PageArray, owner: VaddrPinOwner, opts: GupOptions = {}): number {
    if (owner.file === undefined && owner.pid === undefined) return this.refuse("vaddr_pin_pages_remote", task, start, nrPages, gupFlags, EINVAL, opts);
    const v = validateGupFlags(this.k.policy, gupFlags, FOLL_PIN | FOLL_TOUCH | FOLL_REMOTE, pages !== undefined);
    if (!v.ok) return this.refuse("vaddr_pin_pages_remote", task, start, nrPages, gupFlags, v.errno, opts);
    return this.slowCall("vaddr_pin_pages_remote", task, start, nrPages, v.flags, pages, { ...opts, owner });
  }

  /** `vaddr_unpin_pages(pages, nr_pages, vaddr_pin)` (RFC v2 15/19, Aug 2019): unpin and drop the owner's file-pin krefs. */
  vaddrUnpinPages(pages: PageArray, nrPages: number, owner: VaddrPinOwner, pid: number, opts: ReleaseOptions = {}): void {
    this.releaseFilePins(pages, nrPages, owner, pid);
    this.release("vaddr_unpin_pages", pages, nrPages, "pin", false, { ...opts, owner });
  }

  /** `vaddr_unpin_pages_dirty_lock(pages, nr_pages, vaddr_pin, make_dirty)` (RFC v2 15/19, Aug 2019): dirty, unpin, drop the file-pin krefs. */
  vaddrUnpinPagesDirtyLock(pages: PageArray, nrPages: number, owner: VaddrPinOwner, pid: number, makeDirty: boolean, opts: ReleaseOptions = {}): void {
    this.releaseFilePins(pages, nrPages, owner, pid);
    this.release("vaddr_unpin_pages_dirty_lock", pages, nrPages, "pin", makeDirty, { ...opts, owner });
  }

  // ---------------------------------------------------------------------------------------------
  // Releases

  /** `unpin_user_page(page)` (mm/gup.c, v6.12): release one pin (`gup_put_folio`). */
  unpinUserPage(pfn: number, opts: ReleaseOptions = {}): void {
    this.release("unpin_user_page", [pfn], 1, "pin", false, opts);
  }

  /** `unpin_user_pages(pages, npages)` (mm/gup.c, v6.12): release pins, batched per folio run. */
  unpinUserPages(pages: PageArray, nrPages: number, opts: ReleaseOptions = {}): void {
    this.release("unpin_user_pages", pages, nrPages, "pin", false, opts);
  }

  /** `unpin_user_pages_dirty_lock(pages, npages, make_dirty)` (mm/gup.c, v6.12): dirty each folio not already dirty, then unpin. */
  unpinUserPagesDirtyLock(pages: PageArray, nrPages: number, makeDirty: boolean, opts: ReleaseOptions = {}): void {
    this.release("unpin_user_pages_dirty_lock", pages, nrPages, "pin", makeDirty, opts);
  }

  /** `unpin_user_page_range_dirty_lock(page, npages, make_dirty)` (mm/gup.c, v6.12): as above for physically contiguous frames. */
  unpinUserPageRangeDirtyLock(pfn: number, nrPages: number, makeDirty: boolean, opts: ReleaseOptions = {}): void {
    const pages = new Uint32Array(nrPages);
    for (let i = 0; i < nrPages; i++) pages[i] = pfn + i;
    this.release("unpin_user_page_range_dirty_lock", pages, nrPages, "pin", makeDirty, opts);
  }

  /** `put_page(page)` (include/linux/mm.h, v6.12): release one FOLL_GET reference taken by get_user_pages*. */
  putPage(pfn: number, opts: ReleaseOptions = {}): void {
    this.release("put_page", [pfn], 1, "get", false, opts);
  }

  /** Release FOLL_GET references of many pages: a loop of `put_page()` (v6.12), as drivers do. */
  putPages(pages: PageArray, nrPages: number, opts: ReleaseOptions & { dirty?: boolean } = {}): void {
    this.release("put_page", pages, nrPages, "get", opts.dirty === true, opts);
  }

  /** Outstanding references GUP handed out on the folio at `head`, by family. */
  outstanding(head: number): { get: number; pin: number } {
    return { get: this.getRefs[head], pin: this.pinRefs[head] };
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  private refuse(call: string, task: Process, start: number, nrPages: number, flags: number, errno: number, opts: GupOptions, ret = -errno): number {
    this.k.events.emit("gup", {
      call, pid: task.pid, start, nrPages, flags: follFlagNames(flags), mode: (flags & FOLL_PIN) !== 0 || call.startsWith("pin") || call.startsWith("vaddr") ? "pin" : "get",
      got: Math.max(0, ret), errno: errnoName(errno) ?? String(errno), fastPages: 0, slowPages: 0, migrated: 0,
      ...(opts.holder !== undefined ? { holder: opts.holder.name } : {}),
    });
    return ret;
  }

  /**
   * Common range checks; returns 0 or -errno. An unaligned `start` is fine: gup_fast_fallback()
   * rounds it down (`start & PAGE_MASK`) and __get_user_pages() follows the page containing it
   * (v6.12). A negative address is a huge unsigned one, past TASK_SIZE_MAX: EFAULT.
   */
  private checkRange(task: Process, start: number, nrPages: number): number {
    if (task.mm === null || !task.alive) return -EFAULT;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(nrPages) || nrPages < 0) return -EINVAL;
    if (start < 0 || pageAlignDown(start) + nrPages * PAGE_SIZE > TASK_SIZE) return -EFAULT;
    return 0;
  }

  private slowCall(call: string, task: Process, start: number, nrPages: number, flags: number, pages: PageArray | undefined, opts: GupOptions): number {
    const bad = this.checkRange(task, start, nrPages);
    if (bad < 0) return this.finish(call, task, start, nrPages, flags, bad, 0, 0, 0, pages, opts);
    start = pageAlignDown(start);
    // __get_user_pages_locked: get_user_pages* take FOLL_GET on their own when given pages.
    if (pages !== undefined && (flags & FOLL_PIN) === 0) flags |= FOLL_GET;
    const r = this.gupLongtermLocked(task, start, nrPages, flags, pages, 0, opts);
    return this.finish(call, task, start, nrPages, flags, r.nr, 0, Math.max(0, r.nr), r.migrated, pages, opts);
  }

  private fastCall(call: string, task: Process, start: number, nrPages: number, flags: number, pages: PageArray, opts: GupOptions): number {
    if ((flags & ~(FAST_ALLOWED | FOLL_TOUCH | FOLL_UNLOCKABLE)) !== 0) return this.refuse(call, task, start, nrPages, flags, EINVAL, opts);
    const bad = this.checkRange(task, start, nrPages);
    if (bad < 0) return this.finish(call, task, start, nrPages, flags, bad, 0, 0, 0, pages, opts);
    start = pageAlignDown(start);
    const mm = task.mm!;
    if ((flags & FOLL_PIN) !== 0 && this.k.policy.countsPins) mm.hasPinned = true;
    const fast = this.gupFast(task, start, nrPages, flags, pages);
    if (fast === nrPages || (flags & FOLL_FAST_ONLY) !== 0) return this.finish(call, task, start, nrPages, flags, fast, fast, 0, 0, pages, opts);
    const r = this.gupLongtermLocked(task, start + fast * PAGE_SIZE, nrPages - fast, flags | FOLL_TOUCH | FOLL_UNLOCKABLE, pages, fast, opts);
    // The caller must release what the fast path took, so a partial success is never an errno.
    const total = r.nr < 0 ? (fast > 0 ? fast : r.nr) : fast + r.nr;
    return this.finish(call, task, start, nrPages, flags, total, fast, Math.max(0, r.nr), r.migrated, pages, opts);
  }

  private finish(
    call: string, task: Process, start: number, nrPages: number, flags: number, ret: number, fastPages: number, slowPages: number,
    migrated: number, pages: PageArray | undefined, opts: GupOptions,
  ): number {
    const mode: GrabMode = (flags & FOLL_PIN) !== 0 ? "pin" : "get";
    const got = Math.max(0, ret);
    // One object shape for every call (absent keys are `undefined`, which JSON leaves out, so
    // the hashed text is the same as with conditional keys).
    this.k.events.emit("gup", {
      call, pid: task.pid, start, nrPages, flags: follFlagNames(flags), mode, got,
      errno: ret < 0 ? (errnoName(ret) ?? String(-ret)) : undefined,
      fastPages, slowPages, migrated, holder: opts.holder?.name,
    });
    // Every grab is reported, anonymous ones too: the oracle follows holders only, but other
    // observers (the bench's cost ledger) count every page a GUP call grabbed.
    if (got > 0 && pages !== undefined && this.k.observers.length > 0 && (flags & (FOLL_GET | FOLL_PIN)) !== 0) {
      this.k.observe("onGrab", opts.holder, firstPages(pages, got), { pid: task.pid, start, flags, mode: this.k.policy.countsPins ? mode : "get" });
    }
    return ret;
  }

  /**
   * `__gup_longterm_locked`: for FOLL_LONGTERM, pin, then check every pinned folio is long-term
   * pinnable; if not, unpin everything, migrate the offenders out of MOVABLE/CMA and pin again
   * (`check_and_migrate_movable_pages`), until all are pinnable or migration fails (ENOMEM).
   */
  private gupLongtermLocked(task: Process, start: number, nrPages: number, flags: number, pages: PageArray | undefined, offset: number, opts: GupOptions): WalkResult {
    if ((flags & FOLL_LONGTERM) === 0) return { nr: this.getUserPagesLocked(task, start, nrPages, flags, pages, offset, opts), migrated: 0 };
    let migrated = 0;
    for (;;) {
      const nr = this.getUserPagesLocked(task, start, nrPages, flags, pages, offset, opts);
      if (nr <= 0 || pages === undefined) return { nr, migrated };
      const unpinnable: number[] = [];
      const seen = new Set<number>();
      for (let i = 0; i < nr; i++) {
        const head = this.k.frames.head(pages[offset + i]);
        if (seen.has(head)) continue;
        seen.add(head);
        if (!this.k.policy.longtermPinnable(head)) unpinnable.push(head);
      }
      if (unpinnable.length === 0) return { nr, migrated };
      // migrate_longterm_unpinnable_folios(): unpin the whole request, then migrate.
      this.releaseInternal(pages, offset, nr, (flags & FOLL_PIN) !== 0 ? "pin" : "get", false);
      let failed = 0;
      for (const head of unpinnable) {
        const r = migrateFolio(this.k, head, Gfp.PINNABLE);
        if (r >= 0) migrated += this.k.frames.nrPages(r);
        else failed++;
      }
      this.k.events.emit("migrate", { reason: "longterm_pin", migrated, failed });
      this.k.observe("onLongtermMigration", opts.holder, migrated, failed > 0 ? ENOMEM : 0);
      if (failed > 0) return { nr: -ENOMEM, migrated };
      // -EAGAIN: pin the range again.
    }
  }

  /**
   * `__get_user_pages_locked` + `__get_user_pages`: walk the range page by page under the mmap
   * lock: check each new VMA (`check_vma_flags`), follow the page table, fault when the PTE is
   * missing, not writable enough or must be unshared, then grab. Returns pages or -errno when
   * none (a partial result stands).
   */
  private getUserPagesLocked(task: Process, start: number, nrPages: number, flags: number, pages: PageArray | undefined, offset: number, opts: GupOptions): number {
    const k = this.k;
    const mm = task.mm!;
    if ((flags & FOLL_PIN) !== 0 && k.policy.countsPins) mm.hasPinned = true;
    const mode: GrabMode = (flags & FOLL_PIN) !== 0 ? "pin" : "get";
    const grab = (flags & (FOLL_GET | FOLL_PIN)) !== 0;
    const f = k.frames;
    const pt = mm.pageTable;
    let vma: Vma | undefined;
    let i = 0;
    while (i < nrPages) {
      const addr = start + i * PAGE_SIZE;
      const vpn = addr / PAGE_SIZE;
      if (vma === undefined || !vma.contains(addr)) {
        vma = mm.findVma(addr);
        if (vma === undefined) return i > 0 ? i : -EFAULT;
        const err = this.checkVmaFlags(vma, flags);
        if (err !== 0) return i > 0 ? i : err;
      }
      // follow_page_mask(), faulting until the PTE allows what we need.
      let tries = 0;
      let pfn: number;
      for (;;) {
        const bits = pt.bits(vpn);
        if ((bits & PTE_PRESENT) !== 0) {
          pfn = pt.pfn(vpn);
          const writeOk = (flags & FOLL_WRITE) === 0 || this.canFollowWritePte(bits, pfn, vma, flags);
          const unshare = writeOk && (bits & PTE_WRITE) === 0 && k.policy.mustUnshare(vma, flags, pfn);
          if (writeOk && !unshare) break;
          if ((flags & FOLL_NOFAULT) !== 0 || ++tries > 3) return i > 0 ? i : -EFAULT;
          const r = handleMmFault(k, vma, vpn, writeOk ? FAULT_FLAG_UNSHARE : FAULT_FLAG_WRITE, this.stats);
          if (r < 0) return i > 0 ? i : r;
          continue;
        }
        if ((flags & FOLL_NOFAULT) !== 0 || ++tries > 3) return i > 0 ? i : -EFAULT;
        const r = handleMmFault(k, vma, vpn, (flags & FOLL_WRITE) !== 0 ? FAULT_FLAG_WRITE : 0, this.stats);
        if (r < 0) return i > 0 ? i : r;
      }
      if ((pt.bits(vpn) & PTE_SPECIAL) !== 0 && pfn !== k.memory.zeroPfn) return i > 0 ? i : -EFAULT;
      // A run of consecutive pages of one folio is grabbed at once (try_grab_folio(folio, refs)).
      const head = f.head(pfn);
      const folioEnd = head + f.nrPages(head);
      let run = 1;
      while (i + run < nrPages && pfn + run < folioEnd && vma.contains(addr + run * PAGE_SIZE) && pt.pfn(vpn + run) === pfn + run) run++;
      if (grab) {
        if (!k.policy.grab(head, run, mode)) return i > 0 ? i : -ENOMEM;
        this.track(head, run, mode);
        if ((flags & FOLL_LONGTERM) !== 0 && (f.flags[pfn] & PG_FILE) !== 0) {
          const inode = k.inodes.get(f.mapping[pfn]);
          if (inode !== undefined) {
            const err = k.policy.longtermFilePage({ vma, inode, pfn, pid: task.pid, flags, owner: opts.owner, fast: false, nrPages: run });
            if (err !== 0) {
              this.untrack(head, run, mode);
              k.policy.release(head, run, mode);
              return i > 0 ? i : -err;
            }
          }
        }
        if (mode === "pin" && k.policy.countsPins) {
          // try_grab_folio() (v6.12): a pin of the shared zero page is neither taken nor counted
          // in NR_FOLL_PIN_ACQUIRED (commit "mm: Don't pin ZERO_PAGE in pin_user_pages()").
          if ((f.flags[head] & PG_ZERO) === 0) k.vmstat.nr_foll_pin_acquired += run;
        } else k.vmstat.nr_gup_get_acquired += run;
      }
      if (pages !== undefined) for (let j = 0; j < run; j++) pages[offset + i + j] = pfn + j;
      i += run;
    }
    return i;
  }

  /** `check_vma_flags()` (v6.12); the era-dependent long-term rules are the policy's. */
  private checkVmaFlags(vma: Vma, flags: number): number {
    const vf = vma.flags;
    const write = (flags & FOLL_WRITE) !== 0;
    if ((vf & (VM_IO | VM_PFNMAP)) !== 0) return -EFAULT;
    if ((flags & FOLL_ANON) !== 0 && !vma.isAnonymous) return -EFAULT;
    if ((flags & FOLL_LONGTERM) !== 0) {
      const err = this.k.policy.checkLongtermVma(vma, flags);
      if (err !== 0) return -err;
    }
    if ((flags & FOLL_SPLIT_PMD) !== 0 && (vf & VM_HUGETLB) !== 0) return -EOPNOTSUPP;
    if (write) {
      if ((vf & VM_WRITE) === 0) {
        if ((flags & FOLL_FORCE) === 0) return -EFAULT;
        if ((vf & VM_HUGETLB) !== 0) return -EFAULT;
        if (!vma.isCow) return -EFAULT;
      }
    } else if ((vf & VM_READ) === 0 && (flags & FOLL_FORCE) === 0) {
      return -EFAULT;
    }
    return 0;
  }

  /** `can_follow_write_pte()` (v6.12): may GUP write through this PTE without a write fault? */
  private canFollowWritePte(bits: number, pfn: number, vma: Vma, flags: number): boolean {
    if ((bits & PTE_WRITE) !== 0) return true;
    if ((flags & FOLL_FORCE) === 0) return false;
    if ((vma.flags & VM_SHARED) !== 0) return false;
    if ((vma.flags & VM_MAYWRITE) === 0) return false;
    if ((vma.flags & VM_WRITE) !== 0) return false;
    const fl = this.k.frames.flags[pfn];
    return (fl & PG_ANON) !== 0 && (fl & PG_ANON_EXCLUSIVE) !== 0;
  }

  /**
   * `gup_fast()` + `gup_fast_pte_range()`: walk present PTEs without the mmap lock and stop at the
   * first page that needs anything (a fault, a special PTE, an unpinnable folio, unsharing).
   * Backs off entirely when fork is write-protecting the mm (`write_protect_seq`).
   */
  private gupFast(task: Process, start: number, nrPages: number, flags: number, pages: PageArray): number {
    const k = this.k;
    const mm = task.mm!;
    const policy = k.policy;
    const f = k.frames;
    const pin = (flags & FOLL_PIN) !== 0;
    const mode: GrabMode = pin ? "pin" : "get";
    const write = (flags & FOLL_WRITE) !== 0;
    const longterm = (flags & FOLL_LONGTERM) !== 0;
    // gup_fast() (v6.12) samples mm->write_protect_seq for FOLL_PIN only ("mm/gup: prevent gup_fast
    // from racing with COW during fork", 2020). A policy whose FOLL_PIN degrades to FOLL_GET
    // (countsPins false: a kernel before both) has no such check.
    const forkSeq = pin && policy.countsPins;
    const seq = mm.writeProtectSeq;
    if (forkSeq && (seq & 1) !== 0) return 0;
    let nr = 0;
    let vpn = start / PAGE_SIZE;
    const endVpn = vpn + nrPages;
    const pfnTab = f.flags;
    outer: while (vpn < endVpn) {
      const t = mm.pageTable.table(vpn);
      if (t === undefined) break;
      const tableEnd = Math.min(endVpn, (Math.floor(vpn / PTRS_PER_PTE) + 1) * PTRS_PER_PTE);
      while (vpn < tableEnd) {
        const idx = vpn & PTE_INDEX_MASK;
        const bits = t.bits[idx];
        if ((bits & PTE_PRESENT) === 0 || (bits & PTE_SPECIAL) !== 0) break outer;
        if (write && (bits & PTE_WRITE) === 0) break outer;
        const pfn = t.pfn[idx];
        const head = (pfnTab[pfn] & 0x40) === 0 ? pfn : f.head(pfn); // PG_TAIL
        // The frames go into pages[] as the run is found (past `nr` they count only once grabbed).
        let run = 1;
        pages[nr] = pfn;
        if ((bits & PTE_HUGE) !== 0) {
          // The rest of the folio's PTEs in this table, as one run: each present, writable when
          // writing, and mapping the next subpage (gup_fast_pmd_leaf() takes a PMD leaf at once).
          const limit = Math.min(tableEnd - vpn, head + f.nrPages(head) - pfn);
          const tp = t.pfn;
          const tb = t.bits;
          const need = write ? PTE_PRESENT | PTE_WRITE : PTE_PRESENT;
          while (run < limit && tp[idx + run] === pfn + run && (tb[idx + run] & need) === need) {
            pages[nr + run] = pfn + run;
            run++;
          }
        }
        // gup_fast_pte_range() / gup_fast_pmd_leaf() (v6.12): a devmap (FS-DAX) entry under
        // FOLL_LONGTERM always falls back, so the slow path's check_vma_flags() decides.
        if (longterm && (pfnTab[pfn] & PG_DAX) !== 0) break outer;
        if (longterm && !policy.longtermPinnable(head)) break outer;
        if (!policy.fastFolioAllowed(pfn, flags)) break outer;
        if ((bits & PTE_WRITE) === 0 && policy.mustUnshare(undefined, flags, pfn)) break outer;
        if (!policy.grab(head, run, mode)) break outer;
        if (mode === "pin") this.pinRefs[head] += run;
        else this.getRefs[head] += run;
        nr += run;
        vpn += run;
      }
    }
    // try_grab_folio_fast() counts NR_FOLL_PIN_ACQUIRED as it grabs (v6.12), so the counter moves
    // before the fork check; giving the pages back below counts them as released.
    if (nr > 0) {
      if (mode === "pin" && policy.countsPins) k.vmstat.nr_foll_pin_acquired += nr;
      else k.vmstat.nr_gup_get_acquired += nr;
    }
    if (forkSeq && mm.writeProtectSeq !== seq) {
      // Raced with fork: give everything back (gup_fast_unpin_user_pages) and let the slow path
      // do it under the lock.
      this.releaseInternal(pages, 0, nr, mode, false);
      return 0;
    }
    return nr;
  }

  private track(head: number, refs: number, mode: GrabMode): void {
    if (mode === "pin") this.pinRefs[head] += refs;
    else this.getRefs[head] += refs;
  }

  private untrack(head: number, refs: number, mode: GrabMode): void {
    if (mode === "pin") this.pinRefs[head] -= refs;
    else this.getRefs[head] -= refs;
  }

  private releaseFilePins(pages: PageArray, nrPages: number, owner: VaddrPinOwner, pid: number): void {
    const inodes: Inode[] = [];
    for (let i = 0; i < nrPages; i++) {
      const pfn = pages[i];
      if ((this.k.frames.flags[pfn] & PG_FILE) !== 0) {
        const inode = this.k.inodes.get(this.k.frames.mapping[pfn]);
        if (inode !== undefined) inodes.push(inode);
      }
    }
    this.k.policy.releaseFilePages(owner, pid, inodes);
  }

  /**
   * Release, with misuse checks first (nothing is changed when any page fails them). The check
   * takes the references off the per-folio bookkeeping run by run, which is the release's own
   * bookkeeping when every page passes; when one fails, what was taken off is put back and only
   * then is the per-folio tally of the message built. The good path allocates nothing.
   */
  private release(call: string, pages: PageArray, nrPages: number, mode: GrabMode, dirty: boolean, opts: ReleaseOptions): void {
    const f = this.k.frames;
    const refs = mode === "pin" ? this.pinRefs : this.getRefs;
    // Run by run (consecutive frames of one folio, as gup_put_folio takes them), so a huge folio
    // is looked up once per run, not once per subpage.
    let checked = 0;
    let bad = false;
    this.reserveRuns(nrPages);
    const heads = this.runHeads;
    const lens = this.runPages;
    let runs = 0;
    while (checked < nrPages) {
      const pfn = pages[checked];
      if (!f.valid(pfn)) {
        bad = true;
        break;
      }
      const head = f.head(pfn);
      const end = head + f.nrPages(head);
      let run = 1;
      while (checked + run < nrPages && pages[checked + run] === pfn + run && pfn + run < end) run++;
      refs[head] -= run;
      heads[runs] = head;
      lens[runs++] = run;
      checked += run;
      if (refs[head] < 0) {
        bad = true;
        break;
      }
    }
    if (bad) {
      for (let i = 0; i < checked; i++) refs[f.head(pages[i])]++;
      this.misuseOf(call, pages, nrPages, mode, opts);
    }
    this.putRuns(heads, lens, runs, mode, dirty);
    this.k.events.emit("release", { call, pages: nrPages, dirty, mode, holder: opts.holder?.name });
    if (this.k.observers.length > 0) this.k.observe("onRelease", opts.holder, firstPages(pages, nrPages));
  }

  /** Find what is wrong with a release the check refused, and report it (the first folio that fails). */
  private misuseOf(call: string, pages: PageArray, nrPages: number, mode: GrabMode, opts: ReleaseOptions): never {
    const f = this.k.frames;
    const need = this.need;
    // Count the releases per folio in the scratch array ...
    for (let i = 0; i < nrPages; i++) {
      const pfn = pages[i];
      if (!f.valid(pfn)) {
        for (let j = 0; j < i; j++) need[f.head(pages[j])] = 0;
        return this.misuse(call, pfn, `frame ${pfn} does not exist`, opts);
      }
      need[f.head(pfn)]++;
    }
    // ... check each folio once (zeroing its count as it goes), and stop at the first that fails.
    let bad = -1;
    let message = "";
    for (let i = 0; i < nrPages; i++) {
      const head = f.head(pages[i]);
      const n = need[head];
      if (n === 0) continue;
      need[head] = 0;
      if (bad >= 0) continue;
      const have = mode === "pin" ? this.pinRefs[head] : this.getRefs[head];
      if (have >= n) continue;
      const other = mode === "pin" ? this.getRefs[head] : this.pinRefs[head];
      bad = head;
      message = other > 0
        ? `${call} on frame ${head}, which holds ${mode === "pin" ? "FOLL_GET references (use put_page)" : "FOLL_PIN pins (use unpin_user_page)"}`
        : `${call} on frame ${head}: ${n} release(s) but only ${have} ${mode === "pin" ? "pin(s)" : "reference(s)"} outstanding`;
    }
    return this.misuse(call, bad, message, opts);
  }

  private misuse(call: string, pfn: number, message: string, opts: ReleaseOptions): never {
    this.k.events.emit("misuse", { call, pfn, message, ...(opts.holder !== undefined ? { holder: opts.holder.name } : {}) });
    throw new ModelError("release-mismatch", message);
  }

  /**
   * `gup_put_folio` over runs of one folio, dirtying first when asked (`unpin_user_pages_dirty_lock`),
   * taking the references off the per-folio bookkeeping too.
   */
  private releaseInternal(pages: PageArray, offset: number, nrPages: number, mode: GrabMode, dirty: boolean): void {
    const f = this.k.frames;
    this.reserveRuns(nrPages);
    const heads = this.runHeads;
    const lens = this.runPages;
    let runs = 0;
    let i = 0;
    while (i < nrPages) {
      const pfn = pages[offset + i];
      const head = f.head(pfn);
      const end = head + f.nrPages(head);
      let run = 1;
      while (i + run < nrPages && pages[offset + i + run] === pfn + run && pfn + run < end) run++;
      this.untrack(head, run, mode);
      heads[runs] = head;
      lens[runs++] = run;
      i += run;
    }
    this.putRuns(heads, lens, runs, mode, dirty);
  }

  /** Make the run scratch arrays hold at least `n` runs. */
  private reserveRuns(n: number): void {
    if (this.runHeads.length < n) {
      this.runHeads = new Int32Array(n);
      this.runPages = new Int32Array(n);
    }
  }

  /**
   * `gup_put_folio(folio, refs)` for each run (head, pages) whose bookkeeping is already done,
   * dirtying each folio first when asked; the vmstat counter moves once for the call.
   */
  private putRuns(heads: Int32Array, lens: Int32Array, runs: number, mode: GrabMode, dirty: boolean): void {
    const k = this.k;
    const flags = k.frames.flags;
    const policy = k.policy;
    const pinCounted = mode === "pin" && policy.countsPins;
    let counted = 0;
    for (let r = 0; r < runs; r++) {
      const head = heads[r];
      const run = lens[r];
      if (dirty && (flags[head] & PG_ZERO) === 0 && (flags[head] & PG_DIRTY) === 0) flags[head] |= PG_DIRTY;
      policy.release(head, run, mode);
      // gup_put_folio() (v6.12) returns before NR_FOLL_PIN_RELEASED for the zero page.
      if (!pinCounted || (flags[head] & PG_ZERO) === 0) counted += run;
    }
    if (pinCounted) k.vmstat.nr_foll_pin_released += counted;
    else k.vmstat.nr_gup_get_released += counted;
  }
}
