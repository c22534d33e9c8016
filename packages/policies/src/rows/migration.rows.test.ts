/**
 * Reference §11 rows 21-23 (and the migration half of row 6): what extra references and pins do
 * to migration, compaction and long-term pinning out of ZONE_MOVABLE / CMA.
 *
 *   p's address space:  [ buf: private anonymous, 1 page, written ]
 *   zones: NORMAL | MOVABLE | CMA   (user pages are allocated MOVABLE first)
 */
import {
  EAGAIN, EBUSY, ENOMEM, FOLL_LONGTERM, FOLL_WRITE, Gfp, ZoneId, compact, migrateFolio, type Process,
} from "@pinlab/core";
import type { Lab } from "../test-support/lab.js";
import { rowTable } from "../test-support/row-table.js";

/** One written private anonymous page. */
function anonPage(l: Lab): { p: Process; a: number; pfn: number } {
  const p = l.spawn("p");
  const a = l.map(p, 1);
  l.touch(p, a, 1, true);
  l.check();
  return { p, a, pfn: l.pfnAt(p, a) };
}

/** Migrate the page mapped at `a`: "moved", or the errno. */
function migrate(l: Lab, p: Process, a: number): string | number {
  const r = migrateFolio(l.k, l.pfnAt(p, a), Gfp.MOVABLE, "sync");
  l.check();
  return r >= 0 ? "moved" : r;
}

type MigrateOutcome = { whileHeld: string | number; compactionFailed: number; afterRelease: string | number };

rowTable<MigrateOutcome>([
  {
    row: 21,
    title: "migration / compaction of an anonymous page under an in-flight FOLL_GET direct IO",
    expect: {
      // The refcount freeze fails (EAGAIN, 10 retries); the compaction prefilter skips it (refcount - 1 > mapcount).
      "legacy-get": { whileHeld: -EAGAIN, compactionFailed: 1, afterRelease: "moved" },
      "pin-bias": { whileHeld: -EAGAIN, compactionFailed: 1, afterRelease: "moved" },
      "vaddr-pin": { whileHeld: -EAGAIN, compactionFailed: 1, afterRelease: "moved" },
      "exact-pincount": { whileHeld: -EAGAIN, compactionFailed: 1, afterRelease: "moved" },
    },
    run(l) {
      const { p, a } = anonPage(l);
      const pages: number[] = [];
      if (l.gup.getUserPagesFast(p, a, 1, FOLL_WRITE, pages) !== 1) throw new Error("get failed");
      l.check();
      const whileHeld = migrate(l, p, a);
      const compactionFailed = compact(l.k, ZoneId.NORMAL).failed;
      l.check();
      l.gup.putPage(pages[0]);
      return { whileHeld, compactionFailed, afterRelease: migrate(l, p, a) };
    },
  },
  {
    row: 22,
    title: "migration of a FOLL_PIN'd anonymous page",
    expect: {
      // No pin is visible: it fails like any extra reference, on the freeze.
      "legacy-get": { whileHeld: -EAGAIN, compactionFailed: 1, afterRelease: "moved" },
      // AnonExclusive cannot be cleared while maybe pinned: EBUSY before any retry.
      "pin-bias": { whileHeld: -EBUSY, compactionFailed: 1, afterRelease: "moved" },
      "vaddr-pin": { whileHeld: -EBUSY, compactionFailed: 1, afterRelease: "moved" },
      "exact-pincount": { whileHeld: -EBUSY, compactionFailed: 1, afterRelease: "moved" },
    },
    run(l) {
      const { p, a } = anonPage(l);
      const pages: number[] = [];
      if (l.gup.pinUserPagesFast(p, a, 1, FOLL_WRITE, pages) !== 1) throw new Error("pin failed");
      l.check();
      const whileHeld = migrate(l, p, a);
      const compactionFailed = compact(l.k, ZoneId.NORMAL).failed;
      l.check();
      l.gup.unpinUserPage(pages[0]);
      return { whileHeld, compactionFailed, afterRelease: migrate(l, p, a) };
    },
  },
]);

/** Reserve every free frame of `zone` (kernel allocations: PG_RESERVED, ignored by the checker); returns them. */
function fillZone(l: Lab, zone: number): number[] {
  const span = l.k.memory.zones[zone];
  const taken: number[] = [];
  for (let pfn = span.start; pfn < span.end; pfn++) {
    if (l.k.memory.isAllocated(pfn)) continue;
    l.k.memory.takeRange(pfn, 1);
    taken.push(pfn);
  }
  return taken;
}

type LongtermOutcome = { ret: number; migrated: number; zone: string; pinsLeft: number };

/**
 * p's page lands in `from` (the zones before it are filled), NORMAL gets `normalRoom` free frames,
 * then an RDMA-like long-term writable pin; report where the pinned page lives and how many pins
 * stayed behind, then unpin.
 */
function longtermPin(l: Lab, from: number, normalRoom: number): LongtermOutcome {
  const normal = fillZone(l, ZoneId.NORMAL);
  if (from === ZoneId.CMA) fillZone(l, ZoneId.MOVABLE);
  const { p, a } = anonPage(l);
  if (l.k.memory.zoneOf(l.pfnAt(p, a)) !== from) throw new Error("page not in the intended zone");
  for (const pfn of normal.slice(0, normalRoom)) l.k.memory.releaseRange(pfn, 1);
  const pages: number[] = [];
  const ret = l.gup.pinUserPagesFast(p, a, 1, FOLL_LONGTERM | FOLL_WRITE, pages);
  const migrated = l.lastGup.migrated;
  l.check();
  const pinsLeft = l.k.vmstat.nr_foll_pin_acquired - l.k.vmstat.nr_foll_pin_released + (l.k.vmstat.nr_gup_get_acquired - l.k.vmstat.nr_gup_get_released);
  const zone = l.k.memory.zoneName(ret > 0 ? pages[0] : l.pfnAt(p, a));
  if (ret > 0) l.gup.unpinUserPages(pages, ret);
  return { ret, migrated, zone, pinsLeft };
}

const ZONES = { memory: "4MiB", movable: "2MiB", cma: "2MiB" } as const;

rowTable<LongtermOutcome>([
  {
    row: "6/23a",
    title: "long-term pin of a ZONE_MOVABLE page, room in ZONE_NORMAL",
    machine: ZONES,
    expect: {
      // 2019 migrated CMA pages only: the pin strands ZONE_MOVABLE memory.
      "legacy-get": { ret: 1, migrated: 0, zone: "movable", pinsLeft: 1 },
      // Pin, find it unpinnable, unpin, migrate to NORMAL, pin again.
      "pin-bias": { ret: 1, migrated: 1, zone: "normal", pinsLeft: 1 },
      "vaddr-pin": { ret: 1, migrated: 1, zone: "normal", pinsLeft: 1 },
      "exact-pincount": { ret: 1, migrated: 1, zone: "normal", pinsLeft: 1 },
    },
    run: (l) => longtermPin(l, ZoneId.MOVABLE, 8),
  },
  {
    row: "23a",
    title: "long-term pin of a ZONE_MOVABLE page, ZONE_NORMAL full: the migration target allocation fails",
    machine: ZONES,
    expect: {
      "legacy-get": { ret: 1, migrated: 0, zone: "movable", pinsLeft: 1 },
      // All pages of the request are unpinned and GUP returns ENOMEM: no partial long-term pin survives.
      "pin-bias": { ret: -ENOMEM, migrated: 0, zone: "movable", pinsLeft: 0 },
      "vaddr-pin": { ret: -ENOMEM, migrated: 0, zone: "movable", pinsLeft: 0 },
      "exact-pincount": { ret: -ENOMEM, migrated: 0, zone: "movable", pinsLeft: 0 },
    },
    run: (l) => longtermPin(l, ZoneId.MOVABLE, 0),
  },
  {
    row: "23b",
    title: "long-term pin of a CMA page, ZONE_NORMAL full",
    machine: ZONES,
    expect: {
      // check_and_migrate_cma_pages() also fails to allocate: ENOMEM in 2019 too.
      "legacy-get": { ret: -ENOMEM, migrated: 0, zone: "cma", pinsLeft: 0 },
      "pin-bias": { ret: -ENOMEM, migrated: 0, zone: "cma", pinsLeft: 0 },
      "vaddr-pin": { ret: -ENOMEM, migrated: 0, zone: "cma", pinsLeft: 0 },
      "exact-pincount": { ret: -ENOMEM, migrated: 0, zone: "cma", pinsLeft: 0 },
    },
    run: (l) => longtermPin(l, ZoneId.CMA, 0),
  },
  {
    row: "23c",
    title: "long-term pin of a CMA page, room in ZONE_NORMAL",
    machine: ZONES,
    expect: {
      "legacy-get": { ret: 1, migrated: 1, zone: "normal", pinsLeft: 1 },
      "pin-bias": { ret: 1, migrated: 1, zone: "normal", pinsLeft: 1 },
      "vaddr-pin": { ret: 1, migrated: 1, zone: "normal", pinsLeft: 1 },
      "exact-pincount": { ret: 1, migrated: 1, zone: "normal", pinsLeft: 1 },
    },
    run: (l) => longtermPin(l, ZoneId.CMA, 8),
  },
]);
