/**
 * Memory zones. pinlab lays physical memory out as consecutive PFN ranges: ZONE_NORMAL (PFN 0 is
 * the shared zero page), ZONE_MOVABLE, a CMA area, and a persistent-memory range for FS-DAX.
 * In the kernel CMA is a migratetype inside a zone and PMEM is ZONE_DEVICE; the model names them
 * as zones because that is how their rules differ.
 * @module
 */

/** Zone ids: ZONE_NORMAL, ZONE_MOVABLE, the CMA area and persistent memory (ZONE_DEVICE for FS-DAX). */
export const ZoneId = {
  /** ZONE_NORMAL. */
  NORMAL: 0,
  /** ZONE_MOVABLE: only movable allocations; long-term pins must migrate out. */
  MOVABLE: 1,
  /** A CMA area (MIGRATE_CMA pageblocks): movable allocations, reclaimed by cma_alloc. */
  CMA: 2,
  /** Persistent memory backing FS-DAX files (ZONE_DEVICE). */
  PMEM: 3,
  /**
   * ZONE_DEVICE memory a driver hands to `memremap_pages()` (mm/memremap.c, v6.12) for
   * MEMORY_DEVICE_PRIVATE or MEMORY_DEVICE_COHERENT pages (`machine.device_memory`). Laid out
   * only when the machine has some; the page allocator never hands it out.
   */
  DEVICE: 4,
} as const;

/** A zone id value. */
export type ZoneId = (typeof ZoneId)[keyof typeof ZoneId];

/** Zone names as scenarios write them. */
export const ZONE_NAMES = ["normal", "movable", "cma", "pmem", "device"] as const;

/** A zone name. */
export type ZoneName = (typeof ZONE_NAMES)[number];

/** One zone's PFN range. */
export interface ZoneSpan {
  /** Which zone. */
  readonly id: ZoneId;
  /** Its name. */
  readonly name: ZoneName;
  /** First PFN. */
  readonly start: number;
  /** One past the last PFN. */
  readonly end: number;
}

/** Frames per zone, in order NORMAL, MOVABLE, CMA, PMEM, DEVICE. */
export interface ZoneSizes {
  /** Frames in ZONE_NORMAL (including the zero page). */
  readonly normal: number;
  /** Frames in ZONE_MOVABLE. */
  readonly movable: number;
  /** Frames in the CMA area. */
  readonly cma: number;
  /** Frames of persistent memory. */
  readonly pmem: number;
  /** Frames of ZONE_DEVICE memory for device-private and device-coherent pages (0 or absent: no such zone). */
  readonly device?: number;
}

/** Lay the zones out one after another from PFN 0; ZONE_DEVICE only when it has frames (older machines keep their four zones). */
export function layoutZones(sizes: ZoneSizes): ZoneSpan[] {
  const spans: ZoneSpan[] = [];
  let at = 0;
  const order: [ZoneId, ZoneName, number][] = [
    [ZoneId.NORMAL, "normal", sizes.normal], [ZoneId.MOVABLE, "movable", sizes.movable],
    [ZoneId.CMA, "cma", sizes.cma], [ZoneId.PMEM, "pmem", sizes.pmem],
  ];
  if ((sizes.device ?? 0) > 0) order.push([ZoneId.DEVICE, "device", sizes.device ?? 0]);
  for (const [id, name, n] of order) {
    spans.push({ id, name, start: at, end: at + n });
    at += n;
  }
  return spans;
}
