/**
 * `gup_fast_folio_allowed()` of Linux v6.12.
 * @module
 */
import { FOLL_LONGTERM, FOLL_PIN, FOLL_WRITE, PG_ANON, PG_FILE, PG_HUGETLB, type FrameTable, type Inode } from "@pinlab/core";

/** The flags that make GUP-fast refuse file-backed folios. */
const REJECT_FILE_BACKED = FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE;

/**
 * `gup_fast_folio_allowed(folio, flags)` (mm/gup.c, Linux v6.12): may GUP-fast keep the folio
 * at `pfn`, or must it fall back to the slow path, which has the VMA?
 *
 * A long-term writable pin (FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE all set) rejects file-backed
 * folios: anonymous folios, hugetlb and shmem pass, every other file folio and a truncated one
 * (NULL mapping) falls back so `check_vma_flags()` can decide. Independently, because
 * CONFIG_SECRETMEM is on by default, every order-0 folio has its mapping read: a truncated small
 * folio falls back even for other flags (secretmem itself is not modelled). `inodeOf` resolves
 * the frame's mapping id (`folio->mapping`) to its file.
 */
export function gupFastFolioAllowed(
  frames: FrameTable, inodeOf: ((id: number) => Inode | undefined) | undefined, pfn: number, flags: number,
): boolean {
  const rejectFileBacked = (flags & REJECT_FILE_BACKED) === REJECT_FILE_BACKED;
  const checkSecretmem = !frames.isLarge(pfn);
  if (!rejectFileBacked && !checkSecretmem) return true;
  const fl = frames.flags[pfn];
  // hugetlb neither requires dirty tracking nor can be secretmem.
  if ((fl & PG_HUGETLB) !== 0) return true;
  // The mapping may have been truncated: cannot tell, fall back.
  if ((fl & (PG_ANON | PG_FILE)) === 0) return false;
  // Anonymous folios pose no problem.
  if ((fl & PG_ANON) !== 0) return true;
  if (!rejectFileBacked) return true;
  // The only remaining allowed file system is shmem (shmem_mapping).
  const inode = inodeOf?.(frames.mapping[pfn]);
  return inode !== undefined && inode.fs.swapBacked;
}
