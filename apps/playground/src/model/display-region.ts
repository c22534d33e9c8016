/**
 * Which frames the grid shows, and where: for each zone, the frames from its start up to the last
 * one any of the compared runs ever used. Unused tails (most of a large machine) are not shown,
 * only counted. The same region is used for every column, so a frame sits at the same place in
 * each of them.
 */
import type { ZoneSpan } from "@pinlab/core";

/** One zone as the grid shows it. */
export interface DisplayZone {
  /** Zone name. */
  readonly name: string;
  /** First PFN. */
  readonly start: number;
  /** Frames in the zone. */
  readonly total: number;
  /** Frames shown (from `start`). */
  readonly shown: number;
  /** Index in the region of the zone's first frame. */
  readonly offset: number;
}

/** The shown frames of a machine, zone by zone. */
export class DisplayRegion {
  /** Zones, in PFN order (zones with no frames are left out). */
  readonly zones: readonly DisplayZone[];
  /** Frames shown in all. */
  readonly size: number;

  /** A region for `zones` showing `used[i]` frames of zone `i` (at least `minShown` when the zone has them). */
  constructor(zones: readonly ZoneSpan[], used: readonly number[], minShown = 0) {
    const out: DisplayZone[] = [];
    let offset = 0;
    zones.forEach((z, i) => {
      const total = z.end - z.start;
      if (total === 0) return;
      const shown = Math.min(total, Math.max(used[i] ?? 0, minShown));
      out.push({ name: z.name, start: z.start, total, shown, offset });
      offset += shown;
    });
    this.zones = out;
    this.size = offset;
  }

  /** The region index of `pfn`, or -1 when it is not shown. */
  indexOf(pfn: number): number {
    for (const z of this.zones) {
      if (pfn >= z.start && pfn < z.start + z.shown) return z.offset + (pfn - z.start);
    }
    return -1;
  }

  /** The PFN at region index `i`. */
  pfnAt(i: number): number {
    for (const z of this.zones) if (i >= z.offset && i < z.offset + z.shown) return z.start + (i - z.offset);
    throw new RangeError(`index ${i} outside the region of ${this.size} frames`);
  }

  /** The zone shown at region index `i`. */
  zoneAt(i: number): DisplayZone | undefined {
    return this.zones.find((z) => i >= z.offset && i < z.offset + z.shown);
  }
}

/** The region covering every frame any of `runs` used (runs of one machine, so zones agree). */
export function regionFor(runs: ReadonlyArray<{ readonly zones: readonly ZoneSpan[]; readonly used: readonly number[] }>): DisplayRegion {
  const withZones = runs.find((r) => r.zones.length > 0);
  if (withZones === undefined) return new DisplayRegion([], []);
  const used = withZones.zones.map((_, i) => Math.max(0, ...runs.map((r) => r.used[i] ?? 0)));
  return new DisplayRegion(withZones.zones, used);
}
