/**
 * Drawing a large folio as one block of the grid: the joined shape of its cells filled by its
 * state, with the cell markers drawn once for the whole block (pinned: a thick inner outline;
 * held: a dot; dirty: a corner; writeback: a stripe) and its label written inside when it fits.
 */
import { KIND_COLORS, MARKER_COLORS, type FrameClass } from "../model/frame-state.js";
import type { Point, Rect, RunShape } from "../model/grid-layout.js";

/** Smallest label box height, in CSS pixels, the label is written in. */
const MIN_LABEL_H = 12;

/** Begin a new path of `ctx` made of the closed polygons `outlines`. */
export function tracePath(ctx: CanvasRenderingContext2D, outlines: ReadonlyArray<readonly Point[]>): void {
  ctx.beginPath();
  for (const poly of outlines) {
    poly.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
    ctx.closePath();
  }
}

/** Draw a block of shape `shape` with state and markers `c`, labelled `label`, in a grid of `cell`-pixel cells. */
export function drawBlock(ctx: CanvasRenderingContext2D, shape: RunShape, c: FrameClass, label: string, cell: number): void {
  ctx.save();
  tracePath(ctx, shape.outlines);
  ctx.fillStyle = KIND_COLORS[c.kind];
  ctx.fill();
  ctx.clip();
  // A thin inner edge so a block reads as one piece beside cells of the same state.
  ctx.strokeStyle = "rgba(17, 24, 39, 0.45)";
  ctx.lineWidth = 2;
  ctx.stroke();
  const L = shape.labelRect;
  if (c.writeback) {
    ctx.strokeStyle = MARKER_COLORS.writeback;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(L.x, L.y + L.h);
    ctx.lineTo(L.x + L.w, L.y);
    ctx.stroke();
  }
  if (c.dirty) {
    const first = shape.rects[0];
    const t = Math.max(5, Math.min(14, Math.round(cell * 1.5)));
    const right = first.x + first.w;
    ctx.fillStyle = MARKER_COLORS.dirty;
    ctx.beginPath();
    ctx.moveTo(right - t, first.y);
    ctx.lineTo(right, first.y);
    ctx.lineTo(right, first.y + t);
    ctx.closePath();
    ctx.fill();
  }
  if (c.pinned) {
    // Centred on the outline and clipped to the block: only its inner half shows.
    tracePath(ctx, shape.outlines);
    ctx.strokeStyle = MARKER_COLORS.pinned;
    ctx.lineWidth = cell >= 10 ? 5 : 3;
    ctx.stroke();
  }
  const text = L.h >= MIN_LABEL_H ? fit(ctx, label, L.w - 10 - (c.held ? 12 : 0)) : "";
  const tw = text === "" ? 0 : ctx.measureText(text).width;
  const cx = L.x + L.w / 2;
  const cy = L.y + L.h / 2;
  if (c.held) {
    ctx.fillStyle = MARKER_COLORS.held;
    ctx.beginPath();
    ctx.arc(text === "" ? cx : cx - tw / 2 - 6, cy, Math.max(2, Math.min(4, cell / 3)), 0, Math.PI * 2);
    ctx.fill();
  }
  if (text !== "") {
    ctx.fillStyle = "#111827";
    ctx.textAlign = "center";
    ctx.fillText(text, c.held ? cx + 6 : cx, cy);
  }
  ctx.restore();
}

/** Outline `shape` as the selection: dark, with a light halo. */
export function strokeSelection(ctx: CanvasRenderingContext2D, shape: RunShape): void {
  ctx.save();
  tracePath(ctx, shape.outlines);
  ctx.strokeStyle = "#facc15";
  ctx.lineWidth = 5;
  ctx.stroke();
  ctx.strokeStyle = "#111827";
  ctx.lineWidth = 2;
  ctx.stroke();
  ctx.restore();
}

/** Draw the "differs between columns" corner at the bottom left of `shape`'s last row. */
export function markDiffers(ctx: CanvasRenderingContext2D, shape: RunShape, cell: number, gap: number): void {
  const last: Rect = shape.rects[shape.rects.length - 1];
  const t = Math.max(4, Math.min(12, cell));
  const bottom = last.y + last.h - gap;
  ctx.fillStyle = "#dc2626";
  ctx.beginPath();
  ctx.moveTo(last.x, bottom);
  ctx.lineTo(last.x, bottom - t);
  ctx.lineTo(last.x + t, bottom);
  ctx.closePath();
  ctx.fill();
}

/** `s`, cut with an ellipsis to fit `w` pixels ("" when not even one character does). */
function fit(ctx: CanvasRenderingContext2D, s: string, w: number): string {
  if (ctx.measureText(s).width <= w) return s;
  let t = s;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > w) t = t.slice(0, -1);
  return t.length > 1 ? `${t}…` : "";
}
