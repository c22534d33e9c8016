/**
 * The noise interval of a cell's wall-clock figure: the range its recorded measurements say the
 * figure lies in, so two runs (or two policies) are called different only when their intervals
 * do not overlap. Used by `bench compare` and by the report's "who wins".
 * @module
 */
import { MAIN_SERIES } from "../probe/sample-probe.js";
import type { SampleStats } from "../probe/stats.js";
import type { CellResult } from "./cell.js";
import type { Spread } from "./spread.js";

/**
 * Fewest measurements an interval is made from. Two samples give an interval of one degree of
 * freedom, and two back-to-back runs at size tiny (1-2 samples a cell) had such intervals apart
 * by up to 6x with nothing changed: fewer than 3 measurements cannot tell a change from noise.
 */
export const MIN_INTERVAL_VALUES = 3;

/** A timed window of a cell. */
export type TimedMetric = "pin" | "release";

/** Where a figure lies, as far as the recorded measurements tell. */
export interface TimeInterval {
  /** The figure itself (the median the results report). */
  readonly median: number;
  /** Lower bound. */
  readonly low: number;
  /** Upper bound. */
  readonly high: number;
  /** How many measurements the interval rests on. */
  readonly n: number;
  /**
   * `seeds`: the spread over a cell's seeds (`--seeds N`), each seed a separate run, so it holds
   * the run-to-run noise; `samples`: the timed samples of one run, which hold only the noise
   * inside that run.
   */
  readonly from: "seeds" | "samples";
}

/** The measurements behind a figure, before the minimum count is applied. */
export interface IntervalEvidence {
  /** The figure. */
  readonly median: number | null;
  /** How many measurements, and where from. */
  readonly n: number;
  /** From. */
  readonly from: "seeds" | "samples";
  /** The interval, or undefined when there are fewer than {@link MIN_INTERVAL_VALUES}. */
  readonly interval?: TimeInterval;
}

/**
 * The widest of the recorded ranges: min..max of the measurements and the 95% interval of their
 * mean (a sample's mean ± rme, a spread's `ci95`), so neither a tight range of a few samples nor a
 * narrow interval of the mean of many makes noise look like a difference.
 */
function widest(median: number, n: number, from: TimeInterval["from"], min: number, max: number, ci?: readonly [number, number]): TimeInterval {
  return { median, n, from, low: Math.min(min, ci?.[0] ?? min), high: Math.max(max, ci?.[1] ?? max) };
}

function fromSpread(s: Spread): IntervalEvidence {
  const interval = s.n >= MIN_INTERVAL_VALUES ? widest(s.median, s.n, "seeds", s.min, s.max, s.ci95) : undefined;
  return { median: s.median, n: s.n, from: "seeds", ...(interval !== undefined ? { interval } : {}) };
}

function fromSamples(s: SampleStats | null | undefined): IntervalEvidence {
  if (s === null || s === undefined) return { median: null, n: 0, from: "samples" };
  const margin = (s.mean * s.rme) / 100;
  const interval = s.samples >= MIN_INTERVAL_VALUES ? widest(s.median, s.samples, "samples", s.min, s.max, [Math.max(0, s.mean - margin), s.mean + margin]) : undefined;
  return { median: s.median, n: s.samples, from: "samples", ...(interval !== undefined ? { interval } : {}) };
}

/**
 * The evidence for a cell's wall-clock ns/page of `metric` (its main series): with `--seeds N`
 * the spread over seeds, otherwise the run's timed samples.
 */
export function timeEvidence(c: Pick<CellResult, "series" | "spread">, metric: TimedMetric): IntervalEvidence {
  const spread = c.spread?.[`wallNsPerPage.${metric}`];
  if (spread !== undefined) return fromSpread(spread);
  return fromSamples(c.series.find((s) => s.id === MAIN_SERIES)?.[metric]);
}

/** True when the two intervals share a point. */
export function overlaps(a: Pick<TimeInterval, "low" | "high">, b: Pick<TimeInterval, "low" | "high">): boolean {
  return a.low <= b.high && b.low <= a.high;
}

/**
 * True when two runs' intervals are apart beyond the noise from run to run (what `bench compare`
 * calls a change): they do not overlap, and when either rests on one run's samples they are apart
 * by more than the wider interval's own width (the run-to-run noise is taken to be at least the
 * noisier run's spread). One run's samples hold only the noise inside that run: on the 2-core VM,
 * among 6 pairs of default runs of the same code, sample ranges apart by up to 3.8x, and by more
 * than the narrower range's width in 2 pairs, never by more than the wider one's. Intervals over seeds (`--seeds N`) already hold the run-to-run
 * noise: for them not overlapping is enough.
 */
export function apartBeyondRunNoise(a: TimeInterval, b: TimeInterval): boolean {
  if (overlaps(a, b)) return false;
  if (a.from === "seeds" && b.from === "seeds") return true;
  const gap = a.low > b.high ? a.low - b.high : b.low - a.high;
  return gap > Math.max(a.high - a.low, b.high - b.low);
}

/** The interval of a sum of two figures (pin + release): the sums of the bounds. */
export function sumIntervals(a: TimeInterval, b: TimeInterval): TimeInterval {
  return { median: a.median + b.median, low: a.low + b.low, high: a.high + b.high, n: Math.min(a.n, b.n), from: a.from === b.from ? a.from : "samples" };
}
