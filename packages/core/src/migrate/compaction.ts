/**
 * Memory compaction of a zone (mm/compaction.c): a migrate scanner walks up from the bottom of
 * the zone, a free scanner down from the top, and movable pages move up until the scanners meet,
 * leaving free contiguous memory below. The migrate scanner skips anonymous pages that hold more
 * references than mappings ("racy check" in `isolate_migratepages_block`): pinned pages stay.
 * @module
 */
import type { MigrateContext } from "./context.js";
import { PG_ALLOC, PG_ANON, PG_TAIL } from "../memory/page-flags.js";
import { ZoneId } from "../memory/zones.js";
import { folioMovable, migrateFolio } from "./migrate.js";

/** Compact one zone (`compact_zone`, mm/compaction.c, v6.12). Returns pages migrated and pages that could not move. */
export function compactZone(k: MigrateContext, zone: ZoneId): { migrated: number; failed: number } {
  const span = k.memory.zones[zone];
  const f = k.frames;
  let free = span.end - 1;
  let migrated = 0;
  let failed = 0;
  for (let pfn = span.start; pfn < free; pfn++) {
    const flags = f.flags[pfn];
    if ((flags & PG_ALLOC) === 0 || (flags & PG_TAIL) !== 0) continue;
    if (!folioMovable(k, pfn) || f.order[pfn] !== 0) continue;
    if ((flags & PG_ANON) !== 0 && f.refcount[pfn] > f.mapcount[pfn]) {
      failed++;
      continue;
    }
    while (free > pfn && k.memory.isAllocated(free)) free--;
    if (free <= pfn) break;
    const r = migrateFolio(k, pfn, "movable", free);
    if (r >= 0) migrated++;
    else failed++;
  }
  k.vmstat.nr_migrate_failed += failed;
  return { migrated, failed };
}

/** Compact `zone`, or every zone but PMEM (`compact_node`, mm/compaction.c, v6.12). Emits one `migrate` event per zone. */
export function compact(k: MigrateContext, zone?: ZoneId): { migrated: number; failed: number } {
  const zones = zone !== undefined ? [zone] : [ZoneId.NORMAL, ZoneId.MOVABLE, ZoneId.CMA];
  let migrated = 0;
  let failed = 0;
  for (const z of zones) {
    if (k.memory.zoneFrames(z) === 0) continue;
    const r = compactZone(k, z);
    migrated += r.migrated;
    failed += r.failed;
    k.events.emit("migrate", { reason: "compaction", migrated: r.migrated, failed: r.failed, zone: k.memory.zones[z].name });
  }
  return { migrated, failed };
}
