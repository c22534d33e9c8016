/**
 * Memory compaction of a zone (mm/compaction.c): a migrate scanner walks up from the bottom of
 * the zone, a free scanner down from the top, and movable pages move up until the scanners meet,
 * leaving free contiguous memory below. The migrate scanner skips anonymous pages that hold more
 * references than mappings ("racy check" in `isolate_migratepages_block`): pinned pages stay.
 * Below MIGRATE_SYNC it also skips folios under writeback (ISOLATE_ASYNC_MIGRATE); in
 * MIGRATE_SYNC (`compact_node()`, the compact_memory sysctl) it waits for them.
 * @module
 */
import type { MigrateContext } from "./context.js";
import { folioWaitWritebackOnClock } from "../fs/writeback.js";
import { PG_ALLOC, PG_ANON, PG_SWAPCACHE, PG_TAIL, PG_WRITEBACK } from "../memory/page-flags.js";
import { ZoneId } from "../memory/zones.js";
import { folioMovable, migrateFolio, type MigrateMode } from "./migrate.js";

/**
 * Compact one zone (`compact_zone`, mm/compaction.c, v6.12) in `mode` (`cc->mode`). Returns pages
 * migrated and pages that could not move. Below MIGRATE_SYNC, `isolate_migratepages()` asks for
 * ISOLATE_ASYNC_MIGRATE and `isolate_migratepages_block()` leaves a folio under writeback where it
 * is ("PageWriteback would require blocking"): counted failed here, as the pinned pages the racy
 * check skips are. In MIGRATE_SYNC the folio is isolated and `migrate_folio_unmap()` waits for the
 * IO; the model waits before it picks the free frame, so the wait cannot take it.
 */
export function compactZone(k: MigrateContext, zone: ZoneId, mode: MigrateMode = "sync"): { migrated: number; failed: number } {
  const span = k.memory.zones[zone];
  const f = k.frames;
  let free = span.end - 1;
  let migrated = 0;
  let failed = 0;
  for (let pfn = span.start; pfn < free; pfn++) {
    let flags = f.flags[pfn];
    if ((flags & PG_ALLOC) === 0 || (flags & PG_TAIL) !== 0) continue;
    if ((flags & PG_WRITEBACK) !== 0 && folioMovable(k, pfn)) {
      if (mode !== "sync" || folioWaitWritebackOnClock(k, pfn) < 0) {
        failed++;
        continue;
      }
      flags = f.flags[pfn];
      if ((flags & PG_ALLOC) === 0 || (flags & PG_TAIL) !== 0) continue;
    }
    if (!folioMovable(k, pfn) || f.order[pfn] !== 0) continue;
    // The "racy check": more references than mappings (and the swap cache) explain.
    if ((flags & PG_ANON) !== 0 && f.refcount[pfn] > f.mapcount[pfn] + ((flags & PG_SWAPCACHE) !== 0 ? 1 : 0)) {
      failed++;
      continue;
    }
    while (free > pfn && k.memory.isAllocated(free)) free--;
    if (free <= pfn) break;
    const r = migrateFolio(k, pfn, "movable", mode, free);
    if (r >= 0) migrated++;
    else failed++;
  }
  k.vmstat.nr_migrate_failed += failed;
  return { migrated, failed };
}

/**
 * Compact `zone`, or every zone but PMEM, in `mode`: MIGRATE_SYNC is `compact_node(pgdat, false)`
 * (the compact_memory sysctl), MIGRATE_SYNC_LIGHT kcompactd and proactive compaction, MIGRATE_ASYNC
 * direct compaction's first attempt (mm/compaction.c, v6.12). Emits one `migrate` event per zone.
 */
export function compact(k: MigrateContext, zone?: ZoneId, mode: MigrateMode = "sync"): { migrated: number; failed: number } {
  const zones = zone !== undefined ? [zone] : [ZoneId.NORMAL, ZoneId.MOVABLE, ZoneId.CMA];
  let migrated = 0;
  let failed = 0;
  for (const z of zones) {
    if (k.memory.zoneFrames(z) === 0) continue;
    const r = compactZone(k, z, mode);
    migrated += r.migrated;
    failed += r.failed;
    k.events.emit("migrate", { reason: "compaction", migrated: r.migrated, failed: r.failed, zone: k.memory.zones[z].name });
  }
  return { migrated, failed };
}
