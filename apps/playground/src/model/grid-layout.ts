/**
 * Geometry of the page-frame grid: the cell size, cells per row, and where each zone's band and
 * each frame's cell sit. Each zone starts a new row under a label band. Pure, so hit-testing and
 * drawing agree and can be tested without a canvas.
 */
import type { DisplayRegion, DisplayZone } from "./display-region.js";

/** Height of a zone's label band, in CSS pixels. */
export const BAND = 18;

/** Cell sizes tried, largest first. */
const SIZES = [18, 16, 14, 12, 10, 8, 6, 5, 4, 3];

/** One zone's place in the grid. */
export interface ZoneBand {
  /** The zone. */
  readonly zone: DisplayZone;
  /** Top of its label band. */
  readonly top: number;
  /** Top of its first row of cells. */
  readonly cellsTop: number;
  /** Rows of cells. */
  readonly rows: number;
}

/** The grid's geometry. */
export interface GridLayout {
  /** Cell size (square), in CSS pixels, including a 1 px gap when cells are large enough. */
  readonly cell: number;
  /** Cells per row. */
  readonly cols: number;
  /** Full height of the grid. */
  readonly height: number;
  /** Zone bands, top to bottom. */
  readonly bands: readonly ZoneBand[];
}

/** Lay out `region` in `width` pixels, with the largest cell size that keeps the grid within `maxHeight` (else the smallest, scrolled). */
export function layoutGrid(region: DisplayRegion, width: number, maxHeight: number): GridLayout {
  let best: GridLayout | undefined;
  for (const cell of SIZES) {
    best = layoutWith(region, width, cell);
    if (best.height <= maxHeight) return best;
  }
  return best ?? layoutWith(region, width, SIZES[SIZES.length - 1]);
}

function layoutWith(region: DisplayRegion, width: number, cell: number): GridLayout {
  const cols = Math.max(1, Math.floor(width / cell));
  const bands: ZoneBand[] = [];
  let y = 0;
  for (const zone of region.zones) {
    const rows = Math.ceil(zone.shown / cols);
    bands.push({ zone, top: y, cellsTop: y + BAND, rows });
    y += BAND + rows * cell + (rows > 0 ? 4 : 0);
  }
  return { cell, cols, height: y, bands };
}

/** The top-left corner of the cell at region index `i`. */
export function cellRect(layout: GridLayout, i: number): { x: number; y: number } | undefined {
  const band = layout.bands.find((b) => i >= b.zone.offset && i < b.zone.offset + b.zone.shown);
  if (band === undefined) return undefined;
  const k = i - band.zone.offset;
  return { x: (k % layout.cols) * layout.cell, y: band.cellsTop + Math.floor(k / layout.cols) * layout.cell };
}

/** The region index of the cell under (x, y), or -1. */
export function cellAt(layout: GridLayout, x: number, y: number): number {
  if (x < 0 || y < 0) return -1;
  const col = Math.floor(x / layout.cell);
  if (col >= layout.cols) return -1;
  for (const b of layout.bands) {
    if (y < b.cellsTop || y >= b.cellsTop + b.rows * layout.cell) continue;
    const k = Math.floor((y - b.cellsTop) / layout.cell) * layout.cols + col;
    return k < b.zone.shown ? b.zone.offset + k : -1;
  }
  return -1;
}
