/**
 * (issue 21) Preemption points: the named places inside a kernel operation where, on a real
 * machine, another CPU's code can run before the operation goes on (a window with no lock that
 * excludes it). The model's operations are atomic; at each point it calls
 * {@link Preemption.point}, which does nothing unless `pinlab explore` (or a scenario's
 * `concurrent` block whose `order` names a point) installed a handler: the handler then runs the
 * steps of other threads scheduled there, inside the operation, and returns.
 *
 * The points, where the kernel has them (v6.12 unless said):
 * - `gup_fast.read`: `gup_fast_pte_range()` (mm/gup.c) read the PTE (`ptep_get_lockless`), before
 *   the grab (`try_grab_folio_fast`). Nothing is held: GUP-fast runs with interrupts off, not
 *   under the mmap lock or the PTE lock.
 * - `gup_fast.grab`: after the grab, before the PTE is read again and compared
 *   (`pte_val(pte) != pte_val(ptep_get(ptep))`) and, in `gup_fast()`, `mm->write_protect_seq`
 *   is checked (`read_seqcount_retry`).
 * - `gup.faultin`: `__get_user_pages()` (mm/gup.c) after `faultin_page()` returned, before the
 *   `retry:` of `follow_page_mask()` (`cond_resched()` is there); the mmap lock is held for read.
 * - `gup.longterm_migrate`: `__gup_longterm_locked()` (mm/gup.c) after
 *   `check_and_migrate_movable_folios()` unpinned and migrated, with the mmap lock dropped,
 *   before the pages are looked up again.
 * - `fork.copy_pte`: `copy_present_pte()` (mm/memory.c) after `folio_try_dup_anon_rmap_pte()`
 *   decided the page is not maybe-pinned (it may be shared), before `ptep_set_wrprotect()` of
 *   the parent's PTE; fork holds both mms' mmap locks for write and the PTE locks, which
 *   GUP-fast does not take.
 *
 * Locks: a step that runs at a point must not need a lock the interrupted operation holds there;
 * the operation says what it holds ({@link MmapLockHold}) and lock-taking code calls
 * {@link Preemption.mmapLock}, so the handler can refuse the order ({@link WouldBlockError}):
 * the step would have waited, and that order is not a possible execution.
 * @module
 */

/** The preemption points the model has (see the module comment). */
export const PREEMPT_POINTS = ["gup_fast.read", "gup_fast.grab", "gup.faultin", "gup.longterm_migrate", "fork.copy_pte"] as const;

/** A preemption point's name. */
export type PreemptPoint = (typeof PREEMPT_POINTS)[number];

/** An mmap lock held across a point: the mm's id and how it is held. */
export interface MmapLockHold {
  /** `mm.id`. */
  readonly mm: number;
  /** `mmap_read_lock` or `mmap_write_lock`. */
  readonly mode: "read" | "write";
}

/** What runs other threads' steps at a point (installed by the scenario runner). */
export interface PreemptHandler {
  /** The running operation reached `point`, holding `holds`. */
  point(point: PreemptPoint, holds: readonly MmapLockHold[]): void;
  /** The running operation is about to take `mm`'s mmap lock as `mode`; throws {@link WouldBlockError} when it would wait. */
  mmapLock(mm: number, mode: "read" | "write"): void;
}

/**
 * Thrown by a handler when a step scheduled at a point needs a lock the interrupted operation
 * holds: on a real machine it would wait for the operation, so the order asked for cannot happen.
 */
export class WouldBlockError extends Error {
  /** `what` needs the mmap lock of mm `mm` for `mode`; it is held for `held` across `point`. */
  constructor(readonly point: PreemptPoint, readonly mm: number, readonly mode: "read" | "write", held: "read" | "write", what: string) {
    super(`${what} needs the mmap lock for ${mode}, which is held for ${held} across ${point}: it would wait, so this order cannot happen`);
    this.name = "WouldBlockError";
  }
}

/** The kernel's preemption points: no-ops until a handler is installed. */
export class Preemption {
  /** The installed handler, or null (every point is a no-op). */
  handler: PreemptHandler | null = null;

  /** The running operation reached `point` (see the module comment), holding `holds`. */
  point(point: PreemptPoint, holds: readonly MmapLockHold[] = []): void {
    this.handler?.point(point, holds);
  }

  /** The running operation takes `mm`'s mmap lock as `mode` (`mmap_read_lock` / `mmap_write_lock`). */
  mmapLock(mm: number, mode: "read" | "write"): void {
    this.handler?.mmapLock(mm, mode);
  }
}
