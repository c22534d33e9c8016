/** The visible window of the timeline's x axis: zoomed around a point, panned, clamped to the run's extent. */

/** A visible range of x. */
export interface Viewport {
  /** The left edge. */
  readonly from: number;
  /** The right edge. */
  readonly to: number;
}

/** Least visible width, as a fraction of the whole extent. */
const MIN_FRACTION = 1e-4;

/** `v` kept inside `[min, max]`, no narrower than the least width, no wider than the extent. */
export function clampViewport(v: Viewport, min: number, max: number): Viewport {
  const full = Math.max(max - min, Number.EPSILON);
  const width = Math.min(full, Math.max(v.to - v.from, full * MIN_FRACTION));
  const from = Math.min(Math.max(v.from, min), max - width);
  return { from, to: from + width };
}

/** Zoom `v` by `factor` (> 1 zooms in) keeping `at` (an x inside it) in place. */
export function zoomViewport(v: Viewport, factor: number, at: number, min: number, max: number): Viewport {
  const from = at - (at - v.from) / factor;
  const to = at + (v.to - at) / factor;
  return clampViewport({ from, to }, min, max);
}

/** Pan `v` by `dx` (in x units). */
export function panViewport(v: Viewport, dx: number, min: number, max: number): Viewport {
  return clampViewport({ from: v.from + dx, to: v.to + dx }, min, max);
}
