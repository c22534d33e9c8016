/**
 * Where the arrow keys move the grid's selection. A frame drawn as a cell is one stop; a large
 * folio drawn as one block is one stop too: moving into it selects its head, moving on leaves it
 * (left: the frame before its head; right: the frame after it; up and down: the first row above
 * or below it in the same column). Pure, over region indices, so it is tested without a page.
 */

/** An arrow key's direction. */
export type GridDirection = "left" | "right" | "up" | "down";

/** The arrow keys, by `KeyboardEvent.key`. */
export const ARROW_KEYS: Readonly<Record<string, GridDirection>> = { ArrowLeft: "left", ArrowRight: "right", ArrowUp: "up", ArrowDown: "down" };

/** A block's span of region indices. */
export interface Span {
  /** First index (the folio's head). */
  readonly start: number;
  /** Indices it covers. */
  readonly count: number;
}

/**
 * The region index selected after moving `dir` from `cur` (-1: nothing selected yet, which selects
 * the first stop) in a grid of `cols` columns over `size` frames; `blockOf(i)` is the block
 * covering index `i`, if any. Stays within the region; -1 only when the region is empty.
 */
export function moveSelection(cur: number, dir: GridDirection, cols: number, size: number, blockOf: (i: number) => Span | undefined): number {
  if (size <= 0) return -1;
  const stop = (i: number): number => blockOf(i)?.start ?? i;
  if (cur < 0 || cur >= size) return stop(0);
  const own = blockOf(cur);
  const s = own?.start ?? cur;
  const e = own === undefined ? cur + 1 : own.start + own.count;
  const inside = (i: number): boolean => i >= s && i < e;
  let t: number;
  switch (dir) {
    case "left": t = s - 1; break;
    case "right": t = e; break;
    case "up": t = cur - cols; while (inside(t)) t -= cols; break;
    case "down": t = cur + cols; while (inside(t)) t += cols; break;
  }
  t = Math.max(0, Math.min(size - 1, t));
  return inside(t) ? s : stop(t);
}
