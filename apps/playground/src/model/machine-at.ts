/**
 * One position of a recording, materialized for display: a dense frame table over the display
 * region, the present PTEs, the holders by frame, and the small views.
 */
import type { Hazard } from "@pinlab/core";
import type { DisplayRegion } from "./display-region.js";
import { FRAME_WIDTH } from "./frame-state.js";
import type { PositionViews } from "./machine-types.js";
import type { Recording } from "./recording.js";

/** A recorded position, ready to draw. */
export interface MachineAt {
  /** The position (steps run). */
  readonly pos: number;
  /** The policy. */
  readonly policy: string;
  /** (2.0) The column's name: `policy @ era`. */
  readonly label: string;
  /** The region the rows cover. */
  readonly region: DisplayRegion;
  /** Frame rows over the region (`FRAME_WIDTH` numbers per shown frame; zeros = free). */
  readonly rows: Float64Array;
  /** Present PTEs: key `pteKey(pid, vpn)` -> [pfn, bits]. */
  readonly ptes: ReadonlyMap<number, Float64Array>;
  /** Holder names by frame. */
  readonly holders: ReadonlyMap<number, readonly string[]>;
  /** Processes, devices, counters. */
  readonly views: PositionViews;
  /** Hazards recorded so far. */
  readonly hazards: readonly Hazard[];
  /** File names by inode id. */
  readonly inodeNames: ReadonlyMap<number, string>;
}

/** The frame row of `pfn` at this position, or undefined when the frame is not shown. */
export function frameRow(m: MachineAt, pfn: number): Float64Array | undefined {
  const i = m.region.indexOf(pfn);
  return i < 0 ? undefined : m.rows.subarray(i * FRAME_WIDTH, (i + 1) * FRAME_WIDTH);
}

/** Materialize position `pos` of `rec` over `region`. */
export function machineAt(rec: Recording, pos: number, region: DisplayRegion): MachineAt {
  const p = Math.max(0, Math.min(pos, rec.positions - 1));
  const rows = new Float64Array(region.size * FRAME_WIDTH);
  rec.frames.replay(p, (pfn, row) => {
    const i = region.indexOf(pfn);
    if (i < 0) return;
    if (row === null) rows.fill(0, i * FRAME_WIDTH, (i + 1) * FRAME_WIDTH);
    else rows.set(row, i * FRAME_WIDTH);
  });
  const views = rec.views[p];
  return {
    pos: p, policy: rec.policy, label: rec.label, region, rows, ptes: rec.ptes.at(p),
    holders: new Map(views.holders.map(([pfn, names]) => [pfn, names])), views,
    hazards: rec.hazardsAt(p), inodeNames: rec.inodeNames,
  };
}
