/**
 * What every GUP entry point shares: its description (kernel name, the flags it sets on its own),
 * the range check, and the one `gup` event each call emits, granted or refused.
 * @module
 */
import { EFAULT, EINVAL, EOVERFLOW, errnoName } from "../errno.js";
import type { HolderRef } from "../events/event-types.js";
import type { KernelContext } from "../kernel/context.js";
import { TASK_SIZE, type Vma } from "../mm/mm-types.js";
import type { Process } from "../mm/process.js";
import type { GrabMode, VaddrPinOwner } from "../policy/pin-policy.js";
import { PAGE_SIZE, ulongAddOverflows } from "../sim/units.js";
import { FOLL_GET, FOLL_PIN, follFlagNames } from "./foll-flags.js";

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
  /**
   * (2.0) What another thread of the process does in the window between `faultin_page()`'s COW
   * fault for a write to a VMA without VM_WRITE and the retried lookup (called with the VMA and
   * the page's address): the Dirty COW interleaving (`madvise(MADV_DONTNEED)` there). The slow
   * path only.
   */
  readonly raceAfterFault?: (vma: Vma, addr: number) => void;
}

/** One GUP entry point, as the kernel defines it. */
export interface GupCall {
  /** Its kernel name, e.g. `"pin_user_pages_fast"` (the `call` of its events). */
  readonly name: string;
  /** The FOLL_* flags the wrapper sets on its own (`to_set` of `is_valid_gup_args()`). */
  readonly toSet: number;
  /** True for `pin_user_pages()` and `pin_user_pages_remote()`, which return 0, not -EINVAL, for bad flags. */
  readonly badFlagsReturnZero?: boolean;
}

/** The kind of reference `flags` ask for: a pin with FOLL_PIN, a plain reference otherwise. */
export function grabMode(flags: number): GrabMode {
  return (flags & FOLL_PIN) !== 0 ? "pin" : "get";
}

/** The first `n` entries of a pages array, without copying a typed array (observers read it during the call only). */
export function firstPages(pages: PageArray, n: number): ArrayLike<number> {
  return pages.length === n ? pages : pages instanceof Uint32Array ? pages.subarray(0, n) : pages.slice(0, n);
}

/** `addr & PAGE_MASK`. */
export function pageAlignDown(addr: number): number {
  return addr - (addr % PAGE_SIZE);
}

/**
 * What every call checks before it walks: the task has a live mm (-EFAULT) and the model's
 * numbers are integers, `nrPages` non-negative (-EINVAL). Not the range: the slow path checks
 * none (`__get_user_pages()` finds no VMA past the last one and stops there, mm/gup.c, v6.12),
 * GUP-fast checks it up front ({@link gupFastCheckRange}). An unaligned `start` is fine:
 * `gup_fast_fallback()` rounds it down (`start & PAGE_MASK`) and `__get_user_pages()` follows the
 * page containing it.
 */
export function checkGupArgs(task: Process, start: number, nrPages: number): number {
  if (task.mm === null || !task.alive) return -EFAULT;
  if (!Number.isInteger(start) || !Number.isSafeInteger(nrPages) || nrPages < 0) return -EINVAL;
  return 0;
}

/**
 * The range check of `gup_fast_fallback()` (mm/gup.c, v6.12), after rounding `start` down:
 * -EOVERFLOW when `start + (nr_pages << PAGE_SHIFT)` wraps (`check_add_overflow()`), -EFAULT when
 * it ends past TASK_SIZE_MAX or `access_ok()` refuses it. The model's TASK_SIZE_MAX is its
 * TASK_SIZE. A negative address stands for a huge unsigned one, past TASK_SIZE_MAX: -EFAULT.
 */
export function gupFastCheckRange(start: number, nrPages: number): number {
  if (start < 0) return -EFAULT;
  // Both well inside 2^53: exact in doubles, and far from wrapping an unsigned long.
  if (start <= TASK_SIZE && nrPages <= TASK_SIZE / PAGE_SIZE) return pageAlignDown(start) + nrPages * PAGE_SIZE > TASK_SIZE ? -EFAULT : 0;
  const len = BigInt(nrPages) * BigInt(PAGE_SIZE);
  if (ulongAddOverflows(pageAlignDown(start), len)) return -EOVERFLOW;
  if (BigInt(pageAlignDown(start)) + len > BigInt(TASK_SIZE)) return -EFAULT;
  return 0;
}

/**
 * Refuse a call before it walks anything: emit its `gup` event with the errno and the `reason`
 * (what a trace shows), and return what the kernel returns: -errno, or 0 for the calls that
 * return 0 on bad flags (`badFlags`). The mode is the one the flags ask for, the wrapper's own
 * included (`to_set`: FOLL_PIN for the pin calls).
 */
export function refuseCall(
  k: KernelContext, call: GupCall, task: Process, start: number, nrPages: number, flags: number, errno: number, reason: string, opts: GupOptions,
  badFlags = false,
): number {
  const ret = badFlags && call.badFlagsReturnZero === true ? 0 : -errno;
  k.events.emit("gup", {
    call: call.name, pid: task.pid, start, nrPages, flags: follFlagNames(flags), mode: grabMode(flags | call.toSet),
    got: 0, errno: errnoName(errno) ?? String(errno), fastPages: 0, slowPages: 0, migrated: 0,
    ...(opts.holder !== undefined ? { holder: opts.holder.name } : {}), reason,
  });
  return ret;
}

/**
 * Finish a call that walked: emit its `gup` event (pages taken, fast and slow, pages migrated,
 * or the errno) and tell observers what was grabbed. Returns `ret`.
 */
export function finishCall(
  k: KernelContext, call: GupCall, task: Process, start: number, nrPages: number, flags: number, ret: number, fastPages: number, slowPages: number,
  migrated: number, pages: PageArray | undefined, opts: GupOptions,
): number {
  const mode = grabMode(flags);
  const got = Math.max(0, ret);
  // One object shape for every call (absent keys are `undefined`, which JSON leaves out, so
  // the hashed text is the same as with conditional keys).
  k.events.emit("gup", {
    call: call.name, pid: task.pid, start, nrPages, flags: follFlagNames(flags), mode, got,
    errno: ret < 0 ? (errnoName(ret) ?? String(-ret)) : undefined,
    fastPages, slowPages, migrated, holder: opts.holder?.name,
  });
  // Every grab is reported, anonymous ones too: the oracle follows holders only, but other
  // observers (the bench's cost ledger) count every page a GUP call grabbed.
  if (got > 0 && pages !== undefined && k.observers.has("onGrab") && (flags & (FOLL_GET | FOLL_PIN)) !== 0) {
    k.observe("onGrab", opts.holder, firstPages(pages, got), { pid: task.pid, start, flags, mode: k.policy.countsPins ? mode : "get" });
  }
  return ret;
}
