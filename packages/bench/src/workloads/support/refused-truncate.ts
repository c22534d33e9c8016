/**
 * A truncate the policy refused while a device held pages of the file is a hazard prevented:
 * recorded through the oracle's own API for refusals made on behalf of the mm or a policy.
 * @module
 */
import { errnoName, type Inode, type KernelInstance } from "@pinlab/core";

/**
 * After a truncate of `inode` was refused with `errno`, record a prevented hazard for every
 * frame of the file a holder (device) still holds: `dma_to_freed` on FS-DAX (the block would
 * have been reused), `dma_to_truncated` on a page-cache file. Returns how many were recorded.
 */
export function recordRefusedTruncate(inst: KernelInstance, inode: Inode, errno: number): number {
  let n = 0;
  const cls = inode.fs.dax ? "dma_to_freed" : "dma_to_truncated";
  for (const [index, pfn] of inode.cache) {
    for (const holder of inst.oracle.holdersOf(pfn)) {
      inst.oracle.prevented(cls, holder, pfn, `truncate of "${inode.name}" was refused with ${errnoName(errno) ?? errno} while ${holder} holds page ${index}`);
      n++;
    }
  }
  return n;
}
