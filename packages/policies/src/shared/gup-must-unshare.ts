/**
 * `gup_must_unshare()` of Linux v6.12.
 * @module
 */
import { FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, PG_ANON, PG_ANON_EXCLUSIVE, type FrameTable, type Vma } from "@pinlab/core";

/**
 * `gup_must_unshare(vma, flags, page)` (mm/internal.h, Linux v6.12): must GUP trigger an unshare
 * fault before taking this page read-only?
 *
 * - Only a FOLL_PIN without FOLL_WRITE is concerned: a write pin needs a writable PTE, and an
 *   anonymous page behind a writable PTE is exclusive already.
 * - An anonymous page must be PageAnonExclusive (checked per subpage, as the kernel does),
 *   otherwise a later COW could hand the process a different page than the pinned one.
 * - A file page (or the zero page, which is not anonymous) only for FOLL_LONGTERM, and only in a
 *   private COW mapping (`is_cow_mapping`), where the pin must see later writes. GUP-fast has no
 *   VMA (`vma` undefined) and answers true, so it falls back.
 */
export function gupMustUnshare(frames: FrameTable, vma: Vma | undefined, flags: number, pfn: number): boolean {
  if ((flags & (FOLL_WRITE | FOLL_PIN)) !== FOLL_PIN) return false;
  const fl = frames.flags[pfn];
  if ((fl & PG_ANON) === 0) {
    if ((flags & FOLL_LONGTERM) === 0) return false;
    if (vma === undefined) return true;
    return vma.isCow;
  }
  // KSM pages are never exclusive, so they can never be pinned (not modelled).
  return (fl & PG_ANON_EXCLUSIVE) === 0;
}
