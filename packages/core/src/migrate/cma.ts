/**
 * Contiguous allocation from the CMA area (`cma_alloc` -> `alloc_contig_range`, mm/cma.c,
 * mm/page_alloc.c): find a run of frames in the area, migrate every page in it elsewhere, and
 * hand the run to the caller. A page that cannot move (pinned, or otherwise held) makes that run
 * fail with EBUSY; cma_alloc then tries the next run. When no run works the allocation fails:
 * EBUSY when some run was tried, ENOMEM when no run was free in the CMA bitmap at all.
 * @module
 */
import { EBUSY, EINVAL, ENOMEM } from "../errno.js";
import type { MigrateContext } from "./context.js";
import { Gfp } from "../memory/physical-memory.js";
import { PG_RESERVED, PG_TAIL } from "../memory/page-flags.js";
import { ZoneId } from "../memory/zones.js";
import { migrateFolioSplitting } from "./migrate.js";

/** A successful CMA allocation. */
export interface CmaAllocation {
  /** First frame. */
  readonly pfn: number;
  /** Frames. */
  readonly pages: number;
}

/**
 * `bitmap_find_next_zero_area()` (lib/bitmap.c, v6.12) over the CMA bitmap, as `cma_alloc()`
 * searches it: the first window of `pages` frames from `start` (ending by `end`) that overlaps no
 * earlier CMA allocation, or -1. A window over an allocation is never tried, so an area with no
 * free window fails with ENOMEM, not EBUSY.
 */
export function bitmapFindNextZeroArea(k: MigrateContext, start: number, end: number, pages: number): number {
  const f = k.frames;
  while (start + pages <= end) {
    let allocated = -1;
    for (let pfn = start + pages - 1; pfn >= start && allocated < 0; pfn--) if ((f.flags[pfn] & PG_RESERVED) !== 0) allocated = pfn;
    if (allocated < 0) return start;
    start = allocated + 1;
  }
  return -1;
}

/** Allocate `pages` contiguous frames from the CMA area (`cma_alloc`, mm/cma.c, v6.12). Returns the allocation or `-errno`. */
export function cmaAlloc(k: MigrateContext, pages: number): CmaAllocation | number {
  if (!Number.isSafeInteger(pages) || pages <= 0) return -EINVAL;
  const span = k.memory.zones[ZoneId.CMA];
  let migrated = 0;
  let sawBusy = false;
  const f = k.frames;
  let start = span.start;
  for (;;) {
    start = bitmapFindNextZeroArea(k, start, span.end, pages);
    if (start < 0) break;
    // Move everything out of [start, start + pages); stop at the first page that will not move.
    let blocker = -1;
    for (let pfn = start; pfn < start + pages; pfn++) {
      if (!k.memory.isAllocated(pfn) || (f.flags[pfn] & PG_TAIL) !== 0) continue;
      const head = f.head(pfn);
      if (head < start || head + f.nrPages(head) > start + pages) {
        blocker = pfn;
        break;
      }
      // alloc_contig_range() (mm/page_alloc.c, v6.12): its compact_control has .mode = MIGRATE_SYNC.
      // A THP with no 2 MiB target outside the area is split and moved in pieces (migrate_pages_batch()).
      const r = migrateFolioSplitting(k, head, Gfp.NOT_CMA, "sync");
      migrated += r.migrated;
      if (r.failedFolios > 0) {
        blocker = pfn;
        break;
      }
    }
    if (blocker < 0 && k.memory.rangeFree(start, pages)) {
      k.memory.takeRange(start, pages);
      k.events.emit("cma_alloc", { pages, ok: true, migrated });
      if (migrated > 0) k.events.emit("migrate", { reason: "contig_range", migrated, failed: 0, zone: "cma" });
      return { pfn: start, pages };
    }
    sawBusy = true;
    start = blocker >= 0 ? blocker + 1 : start + 1;
  }
  const errno = sawBusy ? EBUSY : ENOMEM;
  k.events.emit("cma_alloc", { pages, ok: false, migrated, errno: String(errno) });
  return -errno;
}
