/**
 * The spread of a metric over a cell's seeds (`--seeds N`): median, min, max and, from 3 seeds,
 * a 95% confidence interval.
 * @module
 */
import { tCritical } from "../probe/stats.js";

/** A metric over a cell's seeds. */
export interface Spread {
  /** Seeds that gave a value (a rate is null when the workload asked nothing). */
  readonly n: number;
  /** The median; for an even `n`, the lower of the two middle values, so it is always a value some seed gave. */
  readonly median: number;
  /** Smallest value. */
  readonly min: number;
  /** Largest value. */
  readonly max: number;
  /**
   * From 3 seeds: the 95% confidence interval of the mean over seeds, mean ± t(0.975, n-1) x s/√n
   * (Student's t, s the sample standard deviation), clipped to the metric's range ([0, 1] for a
   * rate, >= 0 otherwise).
   */
  readonly ci95?: readonly [number, number];
}

/** The lower median of `values` (the middle one, or the lower middle one of an even count); NaN for none. */
export function lowerMedian(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** The spread of `values` (one per seed); undefined for none. `max` bounds the interval (1 for a rate). */
export function spreadOf(values: readonly number[], max = Number.POSITIVE_INFINITY): Spread | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const spread = { n, median: lowerMedian(values), min: Math.min(...values), max: Math.max(...values) };
  if (n < 3) return spread;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = tCritical(n - 1) * sd / Math.sqrt(n);
  return { ...spread, ci95: [Math.max(0, mean - half), Math.min(max, mean + half)] };
}
