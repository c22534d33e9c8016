/**
 * The GUP rules of Linux v6.12 that do not depend on how pins are counted.
 * @module
 */
import { EINVAL, FOLL_LONGTERM, FOLL_PIN, type PinPolicy, type PolicyContext } from "@pinlab/core";
import { checkVmaLongtermV612 } from "./check-vma-longterm.js";
import { gupFastFolioAllowed } from "./gup-fast-folio-allowed.js";
import { gupMustUnshare } from "./gup-must-unshare.js";
import { folioIsLongtermPinnable } from "./longterm-pinnable.js";

/** The hooks {@link v612Rules} provides. */
export type V612Rules = Pick<PinPolicy, "checkFlags" | "forkMustCopy" | "mustUnshare" | "checkLongtermVma" | "fastFolioAllowed" | "longtermPinnable">;

/**
 * The FOLL_LONGTERM rule of `is_valid_gup_args()` (mm/gup.c, v6.12): "LONGTERM can only be
 * specified when pinning". Returns EINVAL or 0.
 */
export function checkFlagsV612(flags: number): number {
  return (flags & FOLL_LONGTERM) !== 0 && (flags & FOLL_PIN) === 0 ? EINVAL : 0;
}

/**
 * The v6.12 rule hooks, given the policy's `folio_maybe_dma_pinned()`:
 *
 * - `checkFlags`: `is_valid_gup_args()`'s FOLL_LONGTERM-needs-FOLL_PIN rule;
 * - `forkMustCopy`: `folio_needs_cow_for_dma()` (include/linux/mm.h), i.e. maybe-pinned (core
 *   already checked MMF_HAS_PINNED and PageAnonExclusive, as `__folio_try_dup_anon_rmap` does);
 * - `mustUnshare`: `gup_must_unshare()` (mm/internal.h);
 * - `checkLongtermVma`: the FOLL_LONGTERM part of `check_vma_flags()` (mm/gup.c);
 * - `fastFolioAllowed`: `gup_fast_folio_allowed()` (mm/gup.c);
 * - `longtermPinnable`: `folio_is_longterm_pinnable()` (include/linux/mm.h).
 */
export function v612Rules(ctx: PolicyContext<unknown>, maybeDmaPinned: (pfn: number) => boolean): V612Rules {
  const memory = ctx.memory;
  const frames = memory.frames;
  const inodeOf = ctx.inodeOf;
  return {
    checkFlags: checkFlagsV612,
    forkMustCopy: (_mm, head) => maybeDmaPinned(head),
    mustUnshare: (vma, flags, pfn) => gupMustUnshare(frames, vma, flags, pfn),
    checkLongtermVma: checkVmaLongtermV612,
    fastFolioAllowed: (pfn, flags) => gupFastFolioAllowed(frames, inodeOf, pfn, flags),
    longtermPinnable: (pfn) => folioIsLongtermPinnable(memory, pfn),
  };
}
