/**
 * Truncating an FS-DAX file with busy pages.
 * @module
 */
import { EBUSY, type TruncateRequest } from "@pinlab/core";

/**
 * The model's stand-in for `dax_layout_busy_page()` and the wait that follows it in xfs/ext4
 * truncate and hole punch (fs/dax.c, since v4.18): an FS-DAX block is not freed while its page
 * holds references the filesystem cannot explain (a GUP reference or pin). Where the kernel
 * waits for the holders, the model refuses with EBUSY. Page-cache files are not concerned: their
 * busy pages are simply orphaned.
 */
export function daxLayoutBusyCheck(req: TruncateRequest): number {
  return req.inode.fs.dax && req.busyPfns.length > 0 ? EBUSY : 0;
}
