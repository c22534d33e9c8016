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

/** A rectangle in CSS pixels. */
export interface Rect {
  /** Left. */
  readonly x: number;
  /** Top. */
  readonly y: number;
  /** Width. */
  readonly w: number;
  /** Height. */
  readonly h: number;
}

/** A point in CSS pixels. */
export type Point = readonly [x: number, y: number];

/** The cells of a run of consecutive frames joined into one shape (a large folio's block). */
export interface RunShape {
  /** The run's cells row by row, merged: the partial first row, the full rows, the partial last row (gaps not taken out). */
  readonly rects: readonly Rect[];
  /** Its outline: one closed polygon, or two when the run wraps a row without its pieces touching; right and bottom edges inset by `gap`, as cells are. */
  readonly outlines: ReadonlyArray<readonly Point[]>;
  /** The largest of `rects`, where a label fits best. */
  readonly labelRect: Rect;
}

/**
 * The shape of the `count` cells from region index `start` (all in one zone), `gap` pixels kept
 * free on right and bottom edges as between cells. Undefined when `start` is not shown.
 */
export function runShape(layout: GridLayout, start: number, count: number, gap = 0): RunShape | undefined {
  const band = layout.bands.find((b) => start >= b.zone.offset && start < b.zone.offset + b.zone.shown);
  if (band === undefined || count < 1) return undefined;
  const { cell, cols } = layout;
  const k0 = start - band.zone.offset;
  const k1 = Math.min(k0 + count, band.zone.shown) - 1;
  const r0 = Math.floor(k0 / cols);
  const c0 = k0 % cols;
  const r1 = Math.floor(k1 / cols);
  const c1 = (k1 % cols) + 1;
  const X = (c: number): number => c * cell;
  const Y = (r: number): number => band.cellsTop + r * cell;
  const rect = (a: number, b: number, top: number, bottom: number): Rect => ({ x: X(a), y: Y(top), w: X(b) - X(a), h: Y(bottom) - Y(top) });
  const box = (r: Rect): Point[] => [[r.x, r.y], [r.x + r.w - gap, r.y], [r.x + r.w - gap, r.y + r.h - gap], [r.x, r.y + r.h - gap]];
  let rects: Rect[];
  let outlines: Point[][];
  if (r0 === r1) {
    rects = [rect(c0, c1, r0, r0 + 1)];
    outlines = [box(rects[0])];
  } else if (r1 === r0 + 1 && c1 <= c0) {
    rects = [rect(c0, cols, r0, r0 + 1), rect(0, c1, r1, r1 + 1)];
    outlines = rects.map(box);
  } else {
    const top = c0 > 0 ? r0 + 1 : r0;
    const bottom = c1 < cols ? r1 : r1 + 1;
    rects = [];
    if (c0 > 0) rects.push(rect(c0, cols, r0, r0 + 1));
    if (bottom > top) rects.push(rect(0, cols, top, bottom));
    if (c1 < cols) rects.push(rect(0, c1, r1, r1 + 1));
    const g = gap;
    const poly: Point[] = [[X(c0), Y(r0)], [X(cols) - g, Y(r0)]];
    if (c1 < cols) poly.push([X(cols) - g, Y(r1) - g], [X(c1) - g, Y(r1) - g], [X(c1) - g, Y(r1 + 1) - g]);
    else poly.push([X(cols) - g, Y(r1 + 1) - g]);
    poly.push([X(0), Y(r1 + 1) - g]);
    if (c0 > 0) poly.push([X(0), Y(r0 + 1)], [X(c0), Y(r0 + 1)]);
    outlines = [poly];
  }
  const labelRect = rects.reduce((a, b) => (b.w * b.h > a.w * a.h ? b : a));
  return { rects, outlines, labelRect };
}
