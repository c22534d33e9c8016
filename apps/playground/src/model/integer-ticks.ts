/**
 * Ticks for an axis of step indices: only whole steps (never 2.5), spaced 1, 2 or 5 × 10^k
 * steps apart so that at most a given number fit.
 */

/** The step indices to tick between `min` and `max` (inclusive), at most `maxTicks` of them (at least 2 allowed). */
export function integerTicks(min: number, max: number, maxTicks: number): number[] {
  const lo = Math.ceil(min);
  const hi = Math.floor(max);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) return [];
  const room = Math.max(2, Math.floor(maxTicks));
  let incr = 1;
  for (let k = 1; (hi - lo) / incr + 1 > room; k *= 10) {
    incr = [1, 2, 5].map((m) => m * k).find((c) => (hi - lo) / c + 1 <= room) ?? 10 * k;
  }
  const out: number[] = [];
  for (let v = Math.ceil(lo / incr) * incr; v <= hi; v += incr) out.push(v === 0 ? 0 : v); // never -0
  return out;
}

/** A step index as text: an integer, or "" for a value that is not one (uPlot may ask about any x). */
export function stepLabel(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isInteger(v) ? "" : String(v);
}
