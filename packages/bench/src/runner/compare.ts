/**
 * `bench compare BASE NEW`: per cell, how much slower or faster the new run is, mitata-style
 * ("1.23 x slower than baseline"), with a tolerance; a regression beyond it fails the command.
 * @module
 */
import { BenchInputError } from "./bench-input-error.js";
import type { CellResult } from "./cell.js";
import type { BenchResults } from "./results.js";

/** One compared metric of one cell. */
export interface Comparison {
  /** Cell id. */
  readonly cell: string;
  /** `pin` or `release` (wall-clock ns/page, median). */
  readonly metric: "pin" | "release";
  /** Baseline value. */
  readonly base: number;
  /** New value. */
  readonly current: number;
  /** current / base. */
  readonly ratio: number;
  /** True when ratio > 1 + tolerance. */
  readonly regression: boolean;
  /** "1.23 x slower than baseline" or "1.10 x faster than baseline". */
  readonly text: string;
}

/** A cell whose deterministic results changed (hazards, refusals, false-positive rate...). */
export interface Changed {
  /** Cell id. */
  readonly cell: string;
  /** What changed. */
  readonly what: string;
}

/** The whole comparison. */
export interface CompareReport {
  /** Timing comparisons. */
  readonly comparisons: readonly Comparison[];
  /** Cells only in the baseline. */
  readonly onlyInBase: readonly string[];
  /** Cells only in the new run. */
  readonly onlyInNew: readonly string[];
  /** Deterministic changes. */
  readonly changed: readonly Changed[];
  /** Regressions beyond the tolerance. */
  readonly regressions: number;
  /** The tolerance used (0.1 = 10%). */
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

function outcomeKey(c: CellResult): Record<string, unknown> {
  const m = c.metrics;
  return { hazards: m.hazards, refused: m.refused, falsePositiveRate: m.falsePositiveRate, falseNegativeRate: m.falseNegativeRate, accountingBytes: m.accountingBytes, simNsPerPage: m.simNsPerPage, error: c.error ?? null };
}

/**
 * Compare `current` against `base` with `tolerance` (relative, e.g. 0.1). Throws
 * {@link BenchInputError} when the runs share no cell id, or differ in size or seed without
 * `allowMismatch`.
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
  const changed: Changed[] = [];
  for (const [id, n] of newCells) {
    const b = baseCells.get(id);
    if (b === undefined) continue;
    for (const metric of ["pin", "release"] as const) {
      const bv = b.metrics.wallNsPerPage[metric];
      const nv = n.metrics.wallNsPerPage[metric];
      if (bv === null || nv === null || bv <= 0) continue;
      const ratio = nv / bv;
      comparisons.push({ cell: id, metric, base: bv, current: nv, ratio, regression: ratio > 1 + tolerance, text: ratioText(ratio) });
    }
    const bk = outcomeKey(b);
    const nk = outcomeKey(n);
    for (const k of Object.keys(bk)) {
      if (JSON.stringify(bk[k]) !== JSON.stringify(nk[k])) changed.push({ cell: id, what: `${k}: ${JSON.stringify(bk[k])} -> ${JSON.stringify(nk[k])}` });
    }
  }
  return {
    comparisons,
    onlyInBase: [...baseCells.keys()].filter((id) => !newCells.has(id)),
    onlyInNew: [...newCells.keys()].filter((id) => !baseCells.has(id)),
    changed,
    regressions: comparisons.filter((c) => c.regression).length,
    tolerance,
    mismatches,
  };
}
