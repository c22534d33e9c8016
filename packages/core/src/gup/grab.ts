/**
 * Taking and dropping GUP references, one folio at a time: `try_grab_folio()` and
 * `gup_put_folio()` (mm/gup.c, v6.12), the `NR_FOLL_PIN_*` accounting that goes with them, the
 * model's per-folio bookkeeping of who holds what, and the one helper that finds a run of pages
 * of one folio (the unit every grab and every put works in).
 * @module
 */
import type { KernelContext } from "../kernel/context.js";
import type { FrameTable } from "../memory/frame-table.js";
import { PG_TAIL, PG_ZERO } from "../memory/page-flags.js";
import type { FastPathDeclaration, GrabMode } from "../policy/pin-policy.js";
import { fastPlanOf, type FastPlan } from "./fast-plan.js";

/**
 * Outstanding GUP references per folio head, by call family, and the scratch arrays of one
 * release call (model bookkeeping, not kernel state: it is what lets a release with the wrong
 * call be caught before any count moves).
 */
export class GupRefs {
  /** Outstanding get-family references per folio head. */
  readonly get: Int32Array;
  /** Outstanding pin-family references per folio head. */
  readonly pin: Int32Array;
  /** Scratch of one release call: the folio runs its check found (heads). */
  runHeads = new Int32Array(512);
  /** Scratch of one release call: the folio runs its check found (pages per run). */
  runPages = new Int32Array(512);

  /** Bookkeeping for a machine of `nrFrames` frames. */
  constructor(nrFrames: number) {
    this.get = new Int32Array(nrFrames);
    this.pin = new Int32Array(nrFrames);
  }

  /** The per-folio counts of one family. */
  of(mode: GrabMode): Int32Array {
    return mode === "pin" ? this.pin : this.get;
  }

  /** Record `refs` references of `mode` handed out on the folio at `head`. */
  track(head: number, refs: number, mode: GrabMode): void {
    this.of(mode)[head] += refs;
  }

  /** Take back `refs` references of `mode` on the folio at `head`. */
  untrack(head: number, refs: number, mode: GrabMode): void {
    this.of(mode)[head] -= refs;
  }

  /** Make the run scratch arrays hold at least `n` runs. */
  reserveRuns(n: number): void {
    if (this.runHeads.length < n) {
      this.runHeads = new Int32Array(n);
      this.runPages = new Int32Array(n);
    }
  }
}

/** What GUP's internal functions share: the kernel and the reference bookkeeping. */
export interface GupState {
  /** The kernel. */
  readonly k: KernelContext;
  /** Outstanding references per folio. */
  readonly refs: GupRefs;
  /** The order-0 fast loops' plan ({@link fastPlanOf}), built on first use; null when the policy declares none. */
  plan?: FastPlan | null;
  /** The declaration {@link plan} was built from (a test may take it away: the plan follows). */
  planFrom?: FastPathDeclaration;
}

/**
 * The fast loops' plan of `s`'s kernel, built again only when the policy's declaration changed;
 * null (ask the hooks) while any of the policy's hooks is not the one the declaration describes.
 */
export function planOf(s: GupState): FastPlan | null {
  const policy = s.k.policy;
  const decl = policy.fastPath;
  if (decl === undefined) return null;
  const h = decl.hooks;
  if (h.grab !== policy.grab || h.release !== policy.release || h.longtermPinnable !== policy.longtermPinnable || h.fastFolioAllowed !== policy.fastFolioAllowed) return null;
  let p = s.plan;
  if (p === undefined || s.planFrom !== decl) {
    p = s.plan = fastPlanOf(s.k);
    s.planFrom = decl;
  }
  return p;
}

/** `FOLL_PIN` counted as a pin, or as a plain reference (a policy whose FOLL_PIN degrades, `countsPins` false). */
function pinCounted(k: KernelContext, mode: GrabMode): boolean {
  return mode === "pin" && k.policy.countsPins;
}

/**
 * The pages of one folio that follow each other from `pfn`, up to `max` pages: the run that one
 * `try_grab_folio(folio, refs)` takes and one `gup_put_folio(folio, refs)` drops. `pfns[at + j]`
 * is the frame the `j`-th entry holds (a `pages[]` slot, a PTE table's frame column); with `bits`,
 * an entry counts only when `bits[at + j]` has every bit of `need` (present, writable). Every GUP
 * walk and every release finds its runs with this.
 */
export function folioRun(f: FrameTable, pfn: number, max: number, pfns: ArrayLike<number>, at: number, bits?: ArrayLike<number>, need = 0): number {
  const head = (f.flags[pfn] & PG_TAIL) === 0 ? pfn : f.head(pfn);
  const limit = Math.min(max, head + f.nrPages(head) - pfn);
  let run = 1;
  if (bits === undefined) {
    while (run < limit && pfns[at + run] === pfn + run) run++;
  } else {
    while (run < limit && pfns[at + run] === pfn + run && (bits[at + run] & need) === need) run++;
  }
  return run;
}

/**
 * `try_grab_folio(folio, refs, flags)` (mm/gup.c, v6.12), and `try_grab_folio_fast()` on the
 * GUP-fast path: take `refs` references of kind `mode` on the folio at `head` the active policy's
 * way (a plain reference for FOLL_GET, a pin for FOLL_PIN), and book them to the folio. False
 * when the policy refuses (a refcount overflow: -ENOMEM). The `NR_FOLL_PIN_ACQUIRED` count is
 * {@link gupStatAcquired}'s, once the caller keeps the references.
 */
export function tryGrabFolio(s: GupState, head: number, refs: number, mode: GrabMode): boolean {
  if (!s.k.policy.grab(head, refs, mode)) return false;
  s.refs.track(head, refs, mode);
  return true;
}

/**
 * Give back a grab that was never counted in vmstat: the policy refused a long-term pin of a file
 * page right after {@link tryGrabFolio} took it (the vaddr_pin RFC's layout check).
 */
export function ungrabFolio(s: GupState, head: number, refs: number, mode: GrabMode): void {
  s.refs.untrack(head, refs, mode);
  s.k.policy.release(head, refs, mode);
}

/**
 * The `node_stat_mod_folio(folio, NR_FOLL_PIN_ACQUIRED, refs)` of `try_grab_folio()` (mm/gup.c,
 * v6.12), the one place either GUP path counts what it took: pins in `nr_foll_pin_acquired`
 * (never for the shared zero page from v6.5, "mm: Don't pin ZERO_PAGE in pin_user_pages()"), plain
 * references in the model's `nr_gup_get_acquired`.
 */
export function gupStatAcquired(k: KernelContext, head: number, refs: number, mode: GrabMode): void {
  if (pinCounted(k, mode)) {
    if ((k.frames.flags[head] & PG_ZERO) === 0 || k.era.zeroPagePinned) k.vmstat.nr_foll_pin_acquired += refs;
  } else {
    k.vmstat.nr_gup_get_acquired += refs;
  }
}

/**
 * `gup_put_folio(folio, refs, flags)` (mm/gup.c, v6.12): drop `refs` references of kind `mode`
 * on the folio at `head` the policy's way (the folio may be freed), and count them in
 * `nr_foll_pin_released` (which the zero page never reaches) or `nr_gup_get_released`. The
 * per-folio bookkeeping is the caller's.
 */
export function gupPutFolio(k: KernelContext, head: number, refs: number, mode: GrabMode): void {
  const policy = k.policy;
  policy.release(head, refs, mode);
  if (mode === "get" || !policy.countsPins) k.vmstat.nr_gup_get_released += refs;
  else if ((k.frames.flags[head] & PG_ZERO) === 0 || k.era.zeroPagePinned) k.vmstat.nr_foll_pin_released += refs;
}
