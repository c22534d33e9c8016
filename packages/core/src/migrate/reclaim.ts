/**
 * Reclaim (`shrink_folio_list`, mm/vmscan.c, v6.12). Clean file pages: unmap the page from every
 * process (`try_to_unmap`), then, if the policy says it may be DMA-pinned, re-activate it and
 * stop. Otherwise strip its buffers (`filemap_release_folio`) and try to take it out of the page
 * cache (`__remove_mapping`, which freezes the refcount and fails if anyone else holds a
 * reference). A FOLL_GET holder thus leaves a page in the cache without its buffers: the root of
 * the ext4 "dirty page without buffers" bug. With a swap device, a reclaim of everything then
 * swaps anonymous folios out (mm/vmscan-anon.ts); without one, anonymous memory is not even
 * scanned (`can_reclaim_anon_pages()`).
 * @module
 */
import type { MigrateContext } from "./context.js";
import type { Inode } from "../fs/inode.js";
import { PG_DIRTY, PG_PRIVATE, PG_WRITEBACK } from "../memory/page-flags.js";
import { rmapList } from "../mm/rmap.js";
import { zapPte } from "../mm/pte-ops.js";
import { anonLruFolios, shrinkAnonFolios } from "../mm/vmscan-anon.js";
import { PAGE_SIZE } from "../sim/units.js";

/** Result of a reclaim pass. */
export interface ReclaimResult {
  /** Pages freed. */
  reclaimed: number;
  /** Maybe-pinned pages re-activated. */
  activated: number;
  /** Pages whose buffers were stripped. */
  buffersStripped: number;
  /** Pages that stayed because of extra references. */
  failed: number;
  /** (2.0) Anonymous pages swapped out and freed; present only when the machine has swap. */
  swapped?: number;
}

/**
 * Reclaim clean pages of `inode` (or of every file): `shrink_folio_list` (mm/vmscan.c, v6.12).
 * Dirty and under-writeback pages are skipped. A reclaim of everything on a machine with swap
 * also swaps out every anonymous folio it can (`swapped`).
 */
export function reclaim(k: MigrateContext, inode?: Inode): ReclaimResult {
  const res: ReclaimResult = { reclaimed: 0, activated: 0, buffersStripped: 0, failed: 0 };
  const files = inode !== undefined ? [inode] : [...k.files.values()];
  const f = k.frames;
  for (const file of files) {
    // Only file pages that can be dropped and read back: shmem folios are swap-backed
    // (shrink_folio_list would add_to_swap and write them out; pinlab swaps only anonymous
    // folios, so like a kernel without swap it cannot reclaim them), hugetlbfs is never on the
    // LRU, and FS-DAX has no page cache.
    if (!file.fs.pageCache || file.fs.huge || file.fs.swapBacked) continue;
    for (const index of [...file.cache.keys()].sort((a, b) => a - b)) {
      const pfn = file.cache.get(index)!;
      if ((f.flags[pfn] & (PG_DIRTY | PG_WRITEBACK)) !== 0) continue;
      for (const { vma, vpn } of rmapList(k, pfn)) {
        const addr = vpn * PAGE_SIZE;
        k.notifiers.invalidateRange(vma.mm, addr, addr + PAGE_SIZE, "clear");
        zapPte(k, vma, vpn);
      }
      // A PTE may have been dirty: then the page is dirty now and stays.
      if ((f.flags[pfn] & PG_DIRTY) !== 0) continue;
      if (k.policy.maybeDmaPinned(pfn)) {
        res.activated++;
        continue;
      }
      if ((f.flags[pfn] & PG_PRIVATE) !== 0) {
        f.flags[pfn] &= ~PG_PRIVATE;
        k.memory.put(pfn);
        res.buffersStripped++;
      }
      if (f.refcount[pfn] !== 1) {
        res.failed++;
        continue;
      }
      file.cache.delete(index);
      k.observe("onFree", pfn, 1);
      k.memory.put(pfn);
      res.reclaimed++;
    }
  }
  if (inode === undefined && k.swap !== null) res.swapped = shrinkAnonFolios(k, anonLruFolios(k));
  k.events.emit("reclaim", { ...(inode !== undefined ? { file: inode.name } : {}), ...res });
  // shrink_slab() -> the huge zero page shrinker (shrink_huge_zero_page_scan()), on a reclaim of
  // everything: the huge zero folio goes once no mm uses it.
  if (inode === undefined) k.memory.shrinkHugeZeroPage();
  return res;
}
