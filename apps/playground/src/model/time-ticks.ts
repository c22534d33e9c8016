/** The ruler of the timeline: tick positions 1, 2 or 5 × 10^k apart, and times as text (ns, µs, ms, s). */
import type { TimelineClock } from "./timeline.js";
import { integerTicks } from "./integer-ticks.js";

/** Ticks between `min` and `max`, at most `maxTicks`: whole steps on the step clock, round times on the virtual one. */
export function rulerTicks(min: number, max: number, maxTicks: number, clock: TimelineClock): number[] {
  if (clock === "step") return integerTicks(min, max, maxTicks);
  const span = max - min;
  if (!(span > 0) || maxTicks < 1) return [];
  const raw = span / Math.max(1, maxTicks);
  const p = 10 ** Math.floor(Math.log10(raw));
  const incr = [1, 2, 5, 10].map((m) => m * p).find((c) => c >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(min / incr) * incr; v <= max; v += incr) out.push(Math.round(v / p) * p || 0);
  return out;
}

/** A time on the ruler: `x` ns as ns, µs, ms or s; or a step index. */
export function formatTick(x: number, clock: TimelineClock): string {
  if (clock === "step") return `step ${x}`;
  const units: readonly [number, string][] = [[1e9, "s"], [1e6, "ms"], [1e3, "µs"]];
  for (const [scale, unit] of units) if (Math.abs(x) >= scale) return `${+(x / scale).toFixed(3)}${unit}`;
  return `${+x.toFixed(3)}ns`;
}
