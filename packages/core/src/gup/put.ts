/**
 * Releasing what GUP handed out (mm/gup.c, v6.12): `unpin_user_page()`, `unpin_user_pages()`,
 * `unpin_user_pages_dirty_lock()`, `unpin_user_page_range_dirty_lock()`, and `put_page()` for
 * FOLL_GET references, each a loop of `gup_put_folio()` over folio runs. A release is checked
 * against the per-folio bookkeeping first: one with the wrong call family, or of more than is
 * held, is reported as a `misuse` event and refused before any count moves.
 * @module
 */
import { ModelError } from "../errno.js";
import type { HolderRef } from "../events/event-types.js";
import type { Inode } from "../fs/inode.js";
import { PG_ANON, PG_DIRTY, PG_FILE, PG_ZERO } from "../memory/page-flags.js";
import { NOT_PLAIN_FLAGS } from "../policy/fast-path.js";
import type { GrabMode, VaddrPinOwner } from "../policy/pin-policy.js";
import { firstPages, type PageArray } from "./call.js";
import type { FastPlan } from "./fast-plan.js";
import { folioRun, gupPutFolio, planOf, type GupState } from "./grab.js";

// The masks of the one-pass release, as constants of this module (the optimiser folds these).
/** The frame flags that decide whether a frame is plain (see `isPlainFrame`). */
const PLAIN_MASK = NOT_PLAIN_FLAGS | PG_ANON;
/** Of those, what a plain frame has: `PG_ANON` alone. */
const PG_ANON_BIT = PG_ANON;

/** Extra, model-only arguments of a release call. */
export interface ReleaseOptions {
  /** Who held the references. */
  readonly holder?: HolderRef;
  /** The vaddr_pin owner the pages were pinned through. */
  readonly owner?: VaddrPinOwner;
}

/**
 * `gup_put_folio()` on each of the first `runs` folio runs in the scratch arrays, whose
 * bookkeeping is already done; with `dirty`, each folio is marked dirty first as
 * `unpin_user_pages_dirty_lock()` does (`folio_mark_dirty()` unless already dirty).
 */
function putRuns(s: GupState, runs: number, mode: GrabMode, dirty: boolean): void {
  const k = s.k;
  const flags = k.frames.flags;
  const heads = s.refs.runHeads;
  const lens = s.refs.runPages;
  for (let r = 0; r < runs; r++) {
    const head = heads[r];
    if (dirty && (flags[head] & PG_ZERO) === 0 && (flags[head] & PG_DIRTY) === 0) flags[head] |= PG_DIRTY;
    gupPutFolio(k, head, lens[r], mode);
  }
}

/**
 * `gup_put_folio()` on every folio run of `pages[offset, offset + n)`, taking the references off
 * the bookkeeping too: what `gup_fast_unpin_user_pages()` does when GUP-fast races with fork,
 * and what `migrate_longterm_unpinnable_folios()` does before migrating (mm/gup.c, v6.12).
 */
export function gupPutPages(s: GupState, pages: PageArray, offset: number, n: number, mode: GrabMode, dirty: boolean): void {
  const f = s.k.frames;
  s.refs.reserveRuns(n);
  const heads = s.refs.runHeads;
  const lens = s.refs.runPages;
  let runs = 0;
  let i = 0;
  while (i < n) {
    const pfn = pages[offset + i];
    const run = folioRun(f, pfn, n - i, pages, offset + i);
    const head = f.head(pfn);
    s.refs.untrack(head, run, mode);
    heads[runs] = head;
    lens[runs++] = run;
    i += run;
  }
  putRuns(s, runs, mode, dirty);
}

/**
 * Release `nrPages` references of kind `mode` (`call` names the kernel call in events and
 * messages), dirtying the folios first when asked. The misuse check goes first and changes
 * nothing when any page fails it: it takes the references off the bookkeeping run by run, which
 * is the release's own bookkeeping when every page passes; when one fails, what was taken off is
 * put back and only then is the per-folio tally of the message built. The good path allocates
 * nothing. Emits one `release` event and tells observers.
 */
export function releasePages(s: GupState, call: string, pages: PageArray, nrPages: number, mode: GrabMode, dirty: boolean, opts: ReleaseOptions): void {
  const k = s.k;
  const plan = planOf(s);
  if (plan === null || !releasePlain(s, plan, pages, nrPages, mode, dirty)) releaseRuns(s, call, pages, nrPages, mode, dirty, opts);
  k.events.emit("release", { call, pages: nrPages, dirty, mode, holder: opts.holder?.name });
  if (k.observers.has("onRelease")) k.observe("onRelease", opts.holder, firstPages(pages, nrPages));
}

/**
 * `gup_put_folio()` (mm/gup.c, v6.12) over `pages[0, nrPages)` in one pass, when every page is a
 * plain frame ({@link isPlainFrame}) that keeps references after the release: the policy's
 * {@link FastPathDeclaration} as arithmetic, with the misuse check (references of this family
 * outstanding) on the way. Nothing is freed on this path, so when a page is anything else it
 * undoes what it did and returns false, for {@link releaseRuns} to do the whole call (and report a
 * misuse with nothing changed). With `dirty`, marks each page dirty once every page is released,
 * as `unpin_user_pages_dirty_lock()` does (`folio_mark_dirty()` unless dirty already).
 */
function releasePlain(s: GupState, plan: FastPlan, pages: PageArray, nrPages: number, mode: GrabMode, dirty: boolean): boolean {
  const k = s.k;
  const f = k.frames;
  const fl = f.flags;
  const rc = f.refcount;
  const nrFrames = f.nrFrames;
  const pin = mode === "pin";
  const sub = pin ? plan.pinRefs : 1;
  const counter = pin ? plan.pinCounter : undefined;
  const track = pin ? s.refs.pin : s.refs.get;
  let i = 0;
  for (; i < nrPages; i++) {
    const pfn = pages[i];
    if (!(pfn >= 0 && pfn < nrFrames && pfn === (pfn | 0))) break;
    if ((fl[pfn] & PLAIN_MASK) !== PG_ANON_BIT) break;
    if (track[pfn] <= 0) break;
    const c = rc[pfn] - sub;
    if (c <= 0) break;
    rc[pfn] = c;
    track[pfn] -= 1;
    if (counter !== undefined) counter[pfn] -= 1;
  }
  if (i < nrPages) {
    for (let j = 0; j < i; j++) {
      const pfn = pages[j];
      rc[pfn] += sub;
      track[pfn] += 1;
      if (counter !== undefined) counter[pfn] += 1;
    }
    return false;
  }
  if (dirty) for (let j = 0; j < nrPages; j++) fl[pages[j]] |= PG_DIRTY;
  if (pin && k.policy.countsPins) k.vmstat.nr_foll_pin_released += nrPages;
  else k.vmstat.nr_gup_get_released += nrPages;
  return true;
}

/**
 * The general release: the misuse check over folio runs first (changing nothing when a page
 * fails it, see {@link releasePages}), then `gup_put_folio()` per run through the policy.
 */
function releaseRuns(s: GupState, call: string, pages: PageArray, nrPages: number, mode: GrabMode, dirty: boolean, opts: ReleaseOptions): void {
  const k = s.k;
  const f = k.frames;
  const refs = s.refs.of(mode);
  let checked = 0;
  let bad = false;
  s.refs.reserveRuns(nrPages);
  const heads = s.refs.runHeads;
  const lens = s.refs.runPages;
  let runs = 0;
  while (checked < nrPages) {
    const pfn = pages[checked];
    if (!f.valid(pfn)) {
      bad = true;
      break;
    }
    const head = f.head(pfn);
    const run = releaseRun(pages, checked, pfn, Math.min(nrPages - checked, head + f.nrPages(head) - pfn));
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
    misuseOf(s, call, pages, nrPages, mode, opts);
  }
  putRuns(s, runs, mode, dirty);
}

/**
 * The pages of one folio that follow each other in `pages` from `at` (where frame `pfn` is), up
 * to `limit`: `gup_folio_next()`'s scan in `unpin_user_pages()` (mm/gup.c, v6.12). What
 * {@link folioRun} does for a release, in a loop of its own so that it stays tight.
 */
function releaseRun(pages: PageArray, at: number, pfn: number, limit: number): number {
  let run = 1;
  while (run < limit && pages[at + run] === pfn + run) run++;
  return run;
}

/** Find what is wrong with a release the check refused, and report it (the first folio that fails). */
function misuseOf(s: GupState, call: string, pages: PageArray, nrPages: number, mode: GrabMode, opts: ReleaseOptions): never {
  const f = s.k.frames;
  // Count the releases per folio (a map: this path is taken only by a release that is refused) ...
  const need = new Map<number, number>();
  for (let i = 0; i < nrPages; i++) {
    const pfn = pages[i];
    if (!f.valid(pfn)) return misuse(s, call, pfn, `frame ${pfn} does not exist`, opts);
    const head = f.head(pfn);
    need.set(head, (need.get(head) ?? 0) + 1);
  }
  // ... and check each folio once, in the order of the pages, stopping at the first that fails.
  let bad = -1;
  let message = "";
  for (let i = 0; i < nrPages && bad < 0; i++) {
    const head = f.head(pages[i]);
    const n = need.get(head) ?? 0;
    if (n === 0) continue;
    need.set(head, 0);
    const have = s.refs.of(mode)[head];
    if (have >= n) continue;
    const other = s.refs.of(mode === "pin" ? "get" : "pin")[head];
    bad = head;
    message = other > 0
      ? `${call} on frame ${head}, which holds ${mode === "pin" ? "FOLL_GET references (use put_page)" : "FOLL_PIN pins (use unpin_user_page)"}`
      : `${call} on frame ${head}: ${n} release(s) but only ${have} ${mode === "pin" ? "pin(s)" : "reference(s)"} outstanding`;
  }
  return misuse(s, call, bad, message, opts);
}

function misuse(s: GupState, call: string, pfn: number, message: string, opts: ReleaseOptions): never {
  s.k.events.emit("misuse", { call, pfn, message, ...(opts.holder !== undefined ? { holder: opts.holder.name } : {}) });
  throw new ModelError("release-mismatch", message);
}

/** `unpin_user_page(page)` (mm/gup.c, v6.12): release one pin (`gup_put_folio`). */
export function unpinUserPage(s: GupState, pfn: number, opts: ReleaseOptions): void {
  releasePages(s, "unpin_user_page", [pfn], 1, "pin", false, opts);
}

/** `unpin_user_pages(pages, npages)` (mm/gup.c, v6.12): release pins, batched per folio run. */
export function unpinUserPages(s: GupState, pages: PageArray, nrPages: number, opts: ReleaseOptions): void {
  releasePages(s, "unpin_user_pages", pages, nrPages, "pin", false, opts);
}

/** `unpin_user_pages_dirty_lock(pages, npages, make_dirty)` (mm/gup.c, v6.12): dirty each folio not already dirty, then unpin. */
export function unpinUserPagesDirtyLock(s: GupState, pages: PageArray, nrPages: number, makeDirty: boolean, opts: ReleaseOptions): void {
  releasePages(s, "unpin_user_pages_dirty_lock", pages, nrPages, "pin", makeDirty, opts);
}

/** `unpin_user_page_range_dirty_lock(page, npages, make_dirty)` (mm/gup.c, v6.12): as above for physically contiguous frames. */
export function unpinUserPageRangeDirtyLock(s: GupState, pfn: number, nrPages: number, makeDirty: boolean, opts: ReleaseOptions): void {
  const pages = new Uint32Array(nrPages);
  for (let i = 0; i < nrPages; i++) pages[i] = pfn + i;
  releasePages(s, "unpin_user_page_range_dirty_lock", pages, nrPages, "pin", makeDirty, opts);
}

/**
 * The file pins of a vaddr_pin owner over `pages` go (`vaddr_unpin_pages()`, Ira Weiny's RFC v2
 * 15/19, Aug 2019): the policy drops the owner's krefs on the files the pages belong to.
 */
export function releaseFilePins(s: GupState, pages: PageArray, nrPages: number, owner: VaddrPinOwner, pid: number): void {
  const k = s.k;
  const inodes: Inode[] = [];
  for (let i = 0; i < nrPages; i++) {
    const pfn = pages[i];
    if ((k.frames.flags[pfn] & PG_FILE) !== 0) {
      const inode = k.inodes.get(k.frames.mapping[pfn]);
      if (inode !== undefined) inodes.push(inode);
    }
  }
  k.policy.releaseFilePages(owner, pid, inodes);
}
