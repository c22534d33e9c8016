/**
 * The long-term part of `check_vma_flags()` in Linux v6.12.
 * @module
 */
import { EFAULT, EOPNOTSUPP, FOLL_WRITE, type Vma } from "@pinlab/core";
import { writableFileMappingAllowed } from "./writable-file-mapping.js";

/** `vma_is_fsdax(vma)` (include/linux/fs.h, v6.12): a DAX file mapping (device-DAX is not modelled). */
export function vmaIsFsdax(vma: Vma): boolean {
  return vma.file !== null && vma.file.fs.dax;
}

/**
 * The FOLL_LONGTERM rules of `check_vma_flags()` (mm/gup.c, Linux v6.12), in the kernel's order:
 * `vma_is_fsdax` gives EOPNOTSUPP (a pin would lock filesystem blocks: DAX has no page cache to
 * migrate), then a write to a non-anonymous VMA that `writable_file_mapping_allowed()` refuses
 * gives EFAULT. Returns an errno (positive) or 0.
 */
export function checkVmaLongtermV612(vma: Vma, flags: number): number {
  return checkVmaLongterm(vma, flags, true, true);
}

/**
 * The FOLL_LONGTERM rules of `check_vma_flags()` as an era has them: the FS-DAX refusal
 * (`fsdax`: `get_user_pages_longterm()`, 2bb6d2837083, v4.15) and the writable-file-mapping one
 * (`fileWrite`: 8ac268436e6d, v6.5), each only when the era has it. Returns an errno or 0.
 */
export function checkVmaLongterm(vma: Vma, flags: number, fsdax: boolean, fileWrite: boolean): number {
  if (fsdax && vmaIsFsdax(vma)) return EOPNOTSUPP;
  if (fileWrite && (flags & FOLL_WRITE) !== 0 && !vma.isAnonymous && !writableFileMappingAllowed(vma, flags)) return EFAULT;
  return 0;
}
