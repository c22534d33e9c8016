/**
 * "Who wins" on a timed figure: the leader (lowest median) wins alone only when its interval
 * does not overlap any other contender's; a contender whose interval reaches the leader's, or
 * whose figure rests on too few measurements to have an interval, ties with it.
 * @module
 */
import { MAIN_SERIES } from "../probe/sample-probe.js";
import type { CellResult } from "../runner/cell.js";
import { overlaps, sumIntervals, timeEvidence, type TimeInterval } from "../runner/time-interval.js";

/** One contender's timed figure. */
export interface TimedEntry {
  /** Contender. */
  readonly who: string;
  /** The figure (a median). */
  readonly value: number;
  /** Its interval, or undefined with too few measurements to have one. */
  readonly interval?: TimeInterval;
}

/** Who leads, and whether the lead is inside the noise. */
export interface NoiseLead {
  /** The leader and every contender it cannot be told from, in entry order. */
  readonly winners: readonly string[];
  /** True when more than one contender shares the lead. */
  readonly tie: boolean;
}

/** The leader of `entries` (lowest value) and those tied with it; undefined for no entry. */
export function leadWithinNoise(entries: readonly TimedEntry[]): NoiseLead | undefined {
  if (entries.length === 0) return undefined;
  const leader = entries.reduce((a, e) => (e.value < a.value ? e : a));
  const tied = (e: TimedEntry) => e === leader || leader.interval === undefined || e.interval === undefined || overlaps(leader.interval, e.interval);
  const winners = entries.filter(tied).map((e) => e.who);
  return { winners, tie: winners.length > 1 };
}

/** A cell's pin + release wall-clock ns/page (main series) with its interval; undefined when either was not timed. */
export function pinPlusRelease(who: string, c: CellResult): TimedEntry | undefined {
  const main = c.series.find((s) => s.id === MAIN_SERIES);
  if (main?.wallNsPerPage.pin == null || main.wallNsPerPage.release == null) return undefined;
  const pin = timeEvidence(c, "pin");
  const release = timeEvidence(c, "release");
  const interval = pin.interval !== undefined && release.interval !== undefined ? sumIntervals(pin.interval, release.interval) : undefined;
  return { who, value: main.wallNsPerPage.pin + main.wallNsPerPage.release, ...(interval !== undefined ? { interval } : {}) };
}

/** `12.3 ns/page [10.0..15.1]`, or `12.3 ns/page (n<3)` without an interval. */
export function entryText(e: TimedEntry): string {
  return `${e.who} ${e.value.toFixed(1)} ns/page ${e.interval !== undefined ? `[${e.interval.low.toFixed(1)}..${e.interval.high.toFixed(1)}]` : "(too few samples for an interval)"}`;
}
