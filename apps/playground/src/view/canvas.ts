/** Canvas helpers: sizing for the device pixel ratio, and colours of cells. */
import { classifyFrame, KIND_COLORS, MARKER_COLORS, type FrameClass } from "../model/frame-state.js";

/** Size a canvas to `width` x `height` CSS pixels at the device pixel ratio; returns its 2D context scaled to CSS pixels. */
export function sizeCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  const w = Math.max(1, Math.round(width));
  const hgt = Math.max(1, Math.round(height));
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(hgt * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(hgt * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${hgt}px`;
  }
  const ctx = canvas.getContext("2d");
  if (ctx === null) throw new Error("no 2D canvas context");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/** Draw one frame cell (fill by state, markers over it) at (x, y) of size `s` (gap included). */
export function drawCell(ctx: CanvasRenderingContext2D, c: FrameClass, x: number, y: number, s: number, w = s): void {
  const gap = s >= 6 ? 1 : 0;
  const cw = w - gap;
  const ch = s - gap;
  ctx.fillStyle = KIND_COLORS[c.kind];
  ctx.fillRect(x, y, cw, ch);
  if (c.writeback && s >= 6) {
    ctx.strokeStyle = MARKER_COLORS.writeback;
    ctx.lineWidth = Math.max(1, s / 8);
    ctx.beginPath();
    ctx.moveTo(x, y + ch);
    ctx.lineTo(x + cw, y);
    ctx.stroke();
  }
  if (c.dirty && s >= 8) {
    ctx.fillStyle = MARKER_COLORS.dirty;
    const t = Math.max(3, Math.floor(s / 2.5));
    ctx.beginPath();
    ctx.moveTo(x + cw - t, y);
    ctx.lineTo(x + cw, y);
    ctx.lineTo(x + cw, y + t);
    ctx.closePath();
    ctx.fill();
  }
  if (c.pinned) {
    const lw = s >= 10 ? 2.5 : s >= 6 ? 1.5 : 1;
    ctx.strokeStyle = MARKER_COLORS.pinned;
    ctx.lineWidth = lw;
    ctx.strokeRect(x + lw / 2, y + lw / 2, cw - lw, ch - lw);
  }
  if (c.held && s >= 6) {
    ctx.fillStyle = MARKER_COLORS.held;
    ctx.beginPath();
    ctx.arc(x + cw / 2, y + ch / 2, Math.max(1.2, s / 6), 0, Math.PI * 2);
    ctx.fill();
  }
}

/** Classify the frame row `row` (undefined = not shown: free). */
export function classOf(row: ArrayLike<number> | undefined, held: boolean): FrameClass {
  return row === undefined ? { kind: "free", pinned: false, held, dirty: false, writeback: false } : classifyFrame(row, held);
}
