/**
 * `bench compare BASE NEW`: per cell, whether the new run is slower or faster than the baseline
 * beyond the noise its measurements record (the two intervals are apart beyond the run-to-run
 * noise, see {@link timeEvidence} and {@link apartBeyondRunNoise}), and every exact result that differs (hazards, refusals, false
 * positives). The ratio is still said mitata-style ("1.23 x slower than baseline").
 * @module
 */
import { BenchInputError } from "./bench-input-error.js";
import type { CellResult } from "./cell.js";
import { exactChanges, type ExactChange, type ExactKind } from "./compare-exact.js";
import type { BenchResults } from "./results.js";
import { apartBeyondRunNoise, timeEvidence, type TimedMetric, type TimeInterval } from "./time-interval.js";

/** What the intervals say about one timed metric of one cell. */
export type TimeVerdict = "no change" | "slower" | "faster" | "too few samples";

/** One compared timed metric of one cell. */
export interface Comparison {
  /** Cell id. */
  readonly cell: string;
  /** `pin` or `release` (wall-clock ns/page of the main series). */
  readonly metric: TimedMetric;
  /** Baseline value (the median the results report). */
  readonly base: number;
  /** New value. */
  readonly current: number;
  /** current / base. */
  readonly ratio: number;
  /**
   * `slower` or `faster` only when the two intervals are apart beyond the run-to-run noise
   * ({@link apartBeyondRunNoise}) and the ratio is beyond the tolerance; `too few samples` when a side has fewer than `MIN_INTERVAL_VALUES` (3)
   * measurements; otherwise `no change`.
   */
  readonly verdict: TimeVerdict;
  /** The baseline's interval `[low, high]`, when it has one. */
  readonly baseInterval: readonly [number, number] | null;
  /** The new run's interval, when it has one. */
  readonly currentInterval: readonly [number, number] | null;
  /** How many measurements each side's interval rests on (baseline, new). */
  readonly n: readonly [number, number];
  /** `seeds` when both sides have a spread over seeds, else `samples` (one run's timed samples). */
  readonly from: TimeInterval["from"];
  /** "1.23 x slower than baseline" or "1.10 x faster than baseline": the ratio, whatever the verdict. */
  readonly text: string;
}

/** How many timed comparisons got each verdict. */
export type VerdictCounts = Readonly<Record<TimeVerdict, number>>;

/** What `--fail-on` can name: the timing (a cell slower beyond its noise) or a kind of exact result. */
export type FailOnKind = "time" | ExactKind;

/** The whole comparison. */
export interface CompareReport {
  /** Timing comparisons, one per cell and timed metric both runs measured. */
  readonly comparisons: readonly Comparison[];
  /** How many comparisons got each verdict. */
  readonly verdicts: VerdictCounts;
  /** Exact results that differ: hazards by class and outcome, refusals by errno, false positives, and other exact metrics. */
  readonly exact: readonly ExactChange[];
  /** Cells only in the baseline. */
  readonly onlyInBase: readonly string[];
  /** Cells only in the new run. */
  readonly onlyInNew: readonly string[];
  /** What changed: `time` when a cell is slower or faster beyond its noise, and each kind of exact result that differs. */
  readonly changed: readonly FailOnKind[];
  /** The tolerance used (0.1 = 10%): a ratio within it is no change even when the intervals are apart. */
  readonly tolerance: number;
  /** How the two runs differ in size or seed, when `allowMismatch` let them be compared anyway. */
  readonly mismatches: readonly string[];
}

/** Options of {@link compareResults}. */
export interface CompareOptions {
  /** Compare runs of different sizes or seeds (their differences are then in `mismatches`). */
  readonly allowMismatch?: boolean;
  /** What to call the baseline and the new run in messages (default `the baseline`, `the new run`). */
  readonly names?: readonly [string, string];
}

/** How many cell ids a message lists from each side. */
const SHOWN_IDS = 3;

function someIds(ids: readonly string[]): string {
  if (ids.length === 0) return "no cell";
  const more = ids.length - SHOWN_IDS;
  return `${ids.slice(0, SHOWN_IDS).join(", ")}${more > 0 ? ` (and ${more} more)` : ""}`;
}

/** The context fields that make timings comparable: what differs between the runs, one line each. */
export function runMismatches(base: BenchResults, current: BenchResults, names: readonly [string, string]): string[] {
  const fields = [["size", (r: BenchResults) => r.context.size], ["seed", (r: BenchResults) => r.context.seed]] as const;
  return fields.filter(([, get]) => get(base) !== get(current)).map(([field, get]) => `${field} differs: ${names[0]} ${get(base)}, ${names[1]} ${get(current)}`);
}

/** `N.NN x slower|faster than baseline`. */
export function ratioText(ratio: number): string {
  if (!Number.isFinite(ratio)) return "not comparable";
  if (Math.abs(ratio - 1) < 0.005) return "same as baseline";
  return ratio > 1 ? `${ratio.toFixed(2)} x slower than baseline` : `${(1 / ratio).toFixed(2)} x faster than baseline`;
}

function interval(i: TimeInterval | undefined): readonly [number, number] | null {
  return i === undefined ? null : [i.low, i.high];
}

/** Compare one timed metric of a cell; undefined when either run did not time it. */
function compareTime(id: string, b: CellResult, n: CellResult, metric: TimedMetric, tolerance: number): Comparison | undefined {
  const be = timeEvidence(b, metric);
  const ne = timeEvidence(n, metric);
  if (be.median === null || ne.median === null || be.median <= 0) return undefined;
  const ratio = ne.median / be.median;
  let verdict: TimeVerdict = "too few samples";
  if (be.interval !== undefined && ne.interval !== undefined) {
    verdict = !apartBeyondRunNoise(be.interval, ne.interval) || Math.abs(ratio - 1) <= tolerance ? "no change" : ratio > 1 ? "slower" : "faster";
  }
  return {
    cell: id, metric, base: be.median, current: ne.median, ratio, verdict, baseInterval: interval(be.interval), currentInterval: interval(ne.interval),
    n: [be.n, ne.n], from: be.from === "seeds" && ne.from === "seeds" ? "seeds" : "samples", text: ratioText(ratio),
  };
}

/**
 * Compare `current` against `base`. A timed metric is `slower` or `faster` only when the two
 * runs' intervals do not overlap and the ratio is beyond `tolerance` (relative, e.g. 0.1); exact
 * results are compared exactly. Throws {@link BenchInputError} when the runs share no cell id, or
 * differ in size or seed without `allowMismatch`.
 */
export function compareResults(base: BenchResults, current: BenchResults, tolerance: number, opts: CompareOptions = {}): CompareReport {
  const names = opts.names ?? ["the baseline", "the new run"];
  const mismatches = runMismatches(base, current, names);
  if (mismatches.length > 0 && opts.allowMismatch !== true) {
    throw new BenchInputError(`the runs are not comparable: ${mismatches.join("; ")}; compare runs of the same size and seed, or pass --allow-mismatch`, "--allow-mismatch");
  }
  const baseCells = new Map(base.cells.map((c) => [c.id, c]));
  const newCells = new Map(current.cells.map((c) => [c.id, c]));
  if (![...newCells.keys()].some((id) => baseCells.has(id))) {
    throw new BenchInputError(`no cell ids are shared, so there is nothing to compare: ${names[0]} has ${someIds([...baseCells.keys()])}; ${names[1]} has ${someIds([...newCells.keys()])}`);
  }
  const comparisons: Comparison[] = [];
  const exact: ExactChange[] = [];
  for (const [id, n] of newCells) {
    const b = baseCells.get(id);
    if (b === undefined) continue;
    for (const metric of ["pin", "release"] as const) {
      const c = compareTime(id, b, n, metric, tolerance);
      if (c !== undefined) comparisons.push(c);
    }
    exact.push(...exactChanges(b, n));
  }
  const verdicts: Record<TimeVerdict, number> = { "no change": 0, slower: 0, faster: 0, "too few samples": 0 };
  for (const c of comparisons) verdicts[c.verdict] += 1;
  const kinds = new Set(exact.map((e) => e.kind));
  const changed: FailOnKind[] = [...(verdicts.slower + verdicts.faster > 0 ? ["time" as const] : []), ...(["hazards", "refusals", "false-positives", "other"] as const).filter((k) => kinds.has(k))];
  return {
    comparisons,
    verdicts,
    exact,
    onlyInBase: [...baseCells.keys()].filter((id) => !newCells.has(id)),
    onlyInNew: [...newCells.keys()].filter((id) => !baseCells.has(id)),
    changed,
    tolerance,
    mismatches,
  };
}
