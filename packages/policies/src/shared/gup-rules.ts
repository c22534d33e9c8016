/**
 * The GUP rules that changed across kernel eras and do not depend on how pins are counted.
 * @module
 */
import { EINVAL, FOLL_LONGTERM, FOLL_PIN, FOLL_REMOTE, ZoneId, type EraRules, type PinPolicy, type PolicyContext } from "@pinlab/core";
import { checkVmaLongterm } from "./check-vma-longterm.js";
import { gupFastFolioAllowed } from "./gup-fast-folio-allowed.js";
import { gupMustUnshare } from "./gup-must-unshare.js";
import { folioIsLongtermPinnable, isCmaPinnable } from "./longterm-pinnable.js";

/** The hooks {@link gupRules} provides. */
export type GupRules = Pick<PinPolicy, "checkFlags" | "forkMustCopy" | "mustUnshare" | "checkLongtermVma" | "fastFolioAllowed" | "longtermPinnable"> & {
  /** The zones `longtermPinnable` refuses for an order-0 anonymous frame (the fast path's zone bounds). */
  readonly longtermUnpinnableZones: readonly ZoneId[];
};

/**
 * The FOLL_LONGTERM rule of `is_valid_gup_args()` (mm/gup.c, v6.12): "LONGTERM can only be
 * specified when pinning". Returns EINVAL or 0.
 */
export function checkFlagsV612(flags: number): number {
  return (flags & FOLL_LONGTERM) !== 0 && (flags & FOLL_PIN) === 0 ? EINVAL : 0;
}

/**
 * Flag rules before `is_valid_gup_args()` (v6.3): FOLL_LONGTERM needs no FOLL_PIN
 * (`get_user_pages()` routed it into `__gup_longterm_locked()`, v5.2+), but
 * `get_user_pages_remote()` refused FOLL_LONGTERM with -EINVAL ("FIXME: Current FOLL_LONGTERM
 * behavior is incompatible with FAULT_FLAG_ALLOW_RETRY because of the FS DAX check requirement on
 * vmas", v5.2 to v5.5; the model keeps the refusal for every era before v6.5). Returns an errno or 0.
 */
export function checkFlags2019(flags: number): number {
  return (flags & FOLL_LONGTERM) !== 0 && (flags & FOLL_REMOTE) !== 0 ? EINVAL : 0;
}

/**
 * `gup_must_unshare()` as the era has it (`EraRules.unshare`): never before v5.19; from v5.19
 * (a7f226604170) only for anonymous pages; from v6.2 (84209e87c696) also the zero page and page
 * cache of a COW mapping under FOLL_LONGTERM, v6.12's form.
 */
function mustUnshareRule(rules: EraRules, frames: PolicyContext<unknown>["memory"]["frames"]): PinPolicy["mustUnshare"] {
  if (rules.unshare === "none") return () => false;
  if (rules.unshare === "anon") return (vma, flags, pfn) => gupMustUnshare(frames, vma, flags & ~FOLL_LONGTERM, pfn);
  return (vma, flags, pfn) => gupMustUnshare(frames, vma, flags, pfn);
}

/**
 * The rule hooks of the kernel era `ctx.era`, given the policy's `folio_maybe_dma_pinned()`:
 *
 * - `checkFlags`: `is_valid_gup_args()`'s FOLL_LONGTERM-needs-FOLL_PIN rule from v6.5 (v6.3),
 *   {@link checkFlags2019} before;
 * - `forkMustCopy`: `folio_needs_cow_for_dma()` (include/linux/mm.h), i.e. maybe-pinned; core asks
 *   it only in eras that copy at fork (v5.9+), and only of an mm with MMF_HAS_PINNED;
 * - `mustUnshare`: `gup_must_unshare()` (mm/internal.h) as the era has it;
 * - `checkLongtermVma`: the FOLL_LONGTERM part of `check_vma_flags()` (mm/gup.c): FS-DAX from
 *   v4.15, writable file mappings from v6.5;
 * - `fastFolioAllowed`: `gup_fast_folio_allowed()` (mm/gup.c) from v6.5, every folio before;
 * - `longtermPinnable`: `folio_is_longterm_pinnable()` (include/linux/mm.h) from v5.13, CMA only
 *   from v5.1, anything before.
 */
export function gupRules(ctx: PolicyContext<unknown>, maybeDmaPinned: (pfn: number) => boolean): GupRules {
  const memory = ctx.memory;
  const frames = memory.frames;
  const inodeOf = ctx.inodeOf;
  const rules = ctx.era.rules;
  const fsdax = rules.longtermFsdax === "refused";
  const fileWrite = rules.longtermFileWrite === "refused";
  return {
    checkFlags: rules.longtermNeedsPin ? checkFlagsV612 : checkFlags2019,
    forkMustCopy: (_mm, head) => maybeDmaPinned(head),
    mustUnshare: mustUnshareRule(rules, frames),
    checkLongtermVma: (vma, flags) => checkVmaLongterm(vma, flags, fsdax, fileWrite),
    fastFolioAllowed: fileWrite ? (pfn, flags) => gupFastFolioAllowed(frames, inodeOf, pfn, flags) : () => true,
    longtermPinnable: rules.longtermMigrate === "cma-movable" ? (pfn) => folioIsLongtermPinnable(memory, pfn)
      : rules.longtermMigrate === "cma" ? (pfn) => isCmaPinnable(memory, pfn) : () => true,
    longtermUnpinnableZones: rules.longtermMigrate === "cma-movable" ? [ZoneId.CMA, ZoneId.MOVABLE] : rules.longtermMigrate === "cma" ? [ZoneId.CMA] : [],
  };
}
