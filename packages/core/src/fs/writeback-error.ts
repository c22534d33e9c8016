/**
 * Writeback errors (include/linux/pagemap.h, mm/filemap.c, v6.12): a writeback IO that fails
 * records its error on the file's mapping (`mapping_set_error()`); the folio's writeback ends
 * (`folio_end_writeback()`) and the folio is not dirtied again, so the data that did not reach
 * the disk lives on only in the page cache, until reclaim drops the clean page. The error is
 * reported once, to the next caller that waits for writeback (`filemap_check_errors()`, behind
 * `filemap_write_and_wait_range()` as fsync uses it), and then forgotten.
 *
 * The model keeps the legacy `AS_EIO` / `AS_ENOSPC` flag only: there are no open files, so the
 * per-file-description `errseq_t` cursor (`file_check_and_advance_wb_err()`) has nothing to
 * advance.
 * @module
 */
import { EIO, ENOSPC } from "../errno.js";
import type { Inode } from "./inode.js";

/**
 * `mapping_set_error()` (include/linux/pagemap.h, v6.12): record that writeback of a page of
 * `inode` failed with `errno` (positive or negative): `AS_ENOSPC` for ENOSPC, `AS_EIO` for
 * anything else. A later error of the other kind does not clear the first.
 */
export function mappingSetError(inode: Inode, errno: number): void {
  const e = Math.abs(errno);
  if (e === 0) return;
  // Both flags may be set in the kernel; filemap_check_errors() then reports EIO, so EIO wins here.
  if (inode.mappingError !== EIO) inode.mappingError = e === ENOSPC ? ENOSPC : EIO;
}

/**
 * `filemap_check_errors()` (mm/filemap.c, v6.12): the error writeback recorded on `inode`, as
 * `-errno`, cleared as it is reported (`test_and_clear_bit`); 0 when there is none.
 */
export function filemapCheckErrors(inode: Inode): number {
  const e = inode.mappingError;
  inode.mappingError = 0;
  return e === 0 ? 0 : -e;
}
