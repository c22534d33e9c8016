/**
 * `--seeds N`: one cell's N seed runs (replicates) made into one result. The cell's metrics,
 * series, curves and counters are medians over its seeds (the lower median for an even count, see
 * {@link lowerMedian}), its `spread` holds median, min, max and a 95% interval of each numeric
 * metric, and its `replicates` keep every seed's own result, so nothing is lost.
 * @module
 */
import type { AuditTally } from "../probe/pin-audit.js";
import type { CurvePoint, HazardTally } from "../probe/sample-probe.js";
import type { SampleStats } from "../probe/stats.js";
import type { SimTotals } from "../cost-model/sim-ledger.js";
import type { CellMetrics, CellResult, Replicate, SeriesResult, WallNsPerPage } from "./cell.js";
import { lowerMedian, spreadOf, type Spread } from "./spread.js";

type NumberRecord = Readonly<Record<string, number>>;

/** The median of the values that are not null; null when all are. */
function medianOrNull(values: readonly (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => v !== null && v !== undefined);
  return present.length === 0 ? null : lowerMedian(present);
}

/** Key by key medians of records (the union of their keys, in order of first appearance; a missing key counts 0). */
function medianRecord(records: readonly NumberRecord[]): Record<string, number> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((k) => [k, lowerMedian(records.map((r) => r[k] ?? 0))]));
}

/** Medians of two-level records (hazards by class then outcome, refusals by operation then errno). */
function medianNested(records: readonly Readonly<Record<string, NumberRecord | undefined>>[]): Record<string, Record<string, number>> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((k) => [k, medianRecord(records.map((r) => r[k] ?? {}))]));
}

function medianSplit(splits: readonly WallNsPerPage[]): WallNsPerPage {
  return { pin: medianOrNull(splits.map((s) => s.pin)), release: medianOrNull(splits.map((s) => s.release)) };
}

/** Medians of each metric over seeds. */
export function medianMetrics(ms: readonly CellMetrics[]): CellMetrics {
  return {
    hazards: medianNested(ms.map((m) => m.hazards)) as HazardTally,
    falsePositiveRate: medianOrNull(ms.map((m) => m.falsePositiveRate)),
    falseNegativeRate: medianOrNull(ms.map((m) => m.falseNegativeRate)),
    audit: medianRecord(ms.map((m) => m.audit as unknown as NumberRecord)) as unknown as AuditTally,
    refused: medianRecord(ms.map((m) => m.refused)),
    refusedBy: medianNested(ms.map((m) => m.refusedBy)),
    accountingBytes: lowerMedian(ms.map((m) => m.accountingBytes)),
    accountingBytesPerFrame: lowerMedian(ms.map((m) => m.accountingBytesPerFrame)),
    simNsPerPage: medianOrNull(ms.map((m) => m.simNsPerPage)),
    simSplit: medianSplit(ms.map((m) => m.simSplit)),
    sim: medianRecord(ms.map((m) => m.sim as unknown as NumberRecord)) as unknown as SimTotals,
    wallNsPerPage: medianSplit(ms.map((m) => m.wallNsPerPage)),
  };
}

/**
 * The seeds' sample statistics of one window as one: samples summed, min and max over every seed,
 * every other figure (median, mean, p75, p99, rme) the median over seeds.
 */
export function combineStats(stats: readonly (SampleStats | null)[]): SampleStats | null {
  const s = stats.filter((x): x is SampleStats => x !== null);
  if (s.length === 0) return null;
  const med = (f: (x: SampleStats) => number) => lowerMedian(s.map(f));
  return {
    samples: s.reduce((a, x) => a + x.samples, 0), mean: med((x) => x.mean), rme: med((x) => x.rme), median: med((x) => x.median),
    p75: med((x) => x.p75), p99: med((x) => x.p99), min: Math.min(...s.map((x) => x.min)), max: Math.max(...s.map((x) => x.max)),
  };
}

/** Each series (by id, in order of first appearance) as medians over the seeds that have it. */
export function medianSeries(perSeed: readonly (readonly SeriesResult[])[]): SeriesResult[] {
  const ids = [...new Set(perSeed.flatMap((ss) => ss.map((s) => s.id)))];
  return ids.map((id) => {
    const ss = perSeed.map((x) => x.find((s) => s.id === id)).filter((s): s is SeriesResult => s !== undefined);
    const pin = combineStats(ss.map((s) => s.pin));
    const release = combineStats(ss.map((s) => s.release));
    return {
      id,
      wallNsPerPage: { pin: pin?.median ?? null, release: release?.median ?? null },
      pin, release,
      simNsPerPage: medianOrNull(ss.map((s) => s.simNsPerPage)),
      simSplit: medianSplit(ss.map((s) => s.simSplit)),
      pages: lowerMedian(ss.map((s) => s.pages)),
    };
  });
}

/** Each curve point (by curve and x, in order of first appearance) with each value the median over the seeds that have it. */
export function medianCurves(perSeed: readonly (readonly CurvePoint[])[]): CurvePoint[] {
  const points = new Map<string, { curve: string; x: number; values: NumberRecord[] }>();
  for (const ps of perSeed) {
    for (const p of ps) {
      const key = JSON.stringify([p.curve, p.x]);
      const at = points.get(key) ?? { curve: p.curve, x: p.x, values: [] };
      at.values.push(p.values);
      points.set(key, at);
    }
  }
  return [...points.values()].map((p) => {
    const keys = [...new Set(p.values.flatMap((v) => Object.keys(v)))];
    return { curve: p.curve, x: p.x, values: Object.fromEntries(keys.map((k) => [k, lowerMedian(p.values.filter((v) => k in v).map((v) => v[k]))])) };
  });
}

/**
 * The spread over seeds of each reported metric, by path: `wallNsPerPage.pin|release`,
 * `simNsPerPage`, `simSplit.pin|release`, `falsePositiveRate`, `falseNegativeRate`,
 * `accountingBytes`, `hazards.CLASS.OUTCOME` and `refused.ERRNO` (the classes, outcomes and errnos
 * some seed saw; a seed that did not see one counts 0). A metric no seed measured is left out.
 */
export function metricSpreads(ms: readonly CellMetrics[]): Record<string, Spread> {
  const out: Record<string, Spread> = {};
  const add = (path: string, values: readonly (number | null | undefined)[], max?: number) => {
    const s = spreadOf(values.filter((v): v is number => v !== null && v !== undefined), max);
    if (s !== undefined) out[path] = s;
  };
  add("wallNsPerPage.pin", ms.map((m) => m.wallNsPerPage.pin));
  add("wallNsPerPage.release", ms.map((m) => m.wallNsPerPage.release));
  add("simNsPerPage", ms.map((m) => m.simNsPerPage));
  add("simSplit.pin", ms.map((m) => m.simSplit.pin));
  add("simSplit.release", ms.map((m) => m.simSplit.release));
  add("falsePositiveRate", ms.map((m) => m.falsePositiveRate), 1);
  add("falseNegativeRate", ms.map((m) => m.falseNegativeRate), 1);
  add("accountingBytes", ms.map((m) => m.accountingBytes));
  const hazards = medianNested(ms.map((m) => m.hazards));
  for (const [cls, outcomes] of Object.entries(hazards)) {
    for (const o of Object.keys(outcomes)) add(`hazards.${cls}.${o}`, ms.map((m) => (m.hazards as Record<string, NumberRecord | undefined>)[cls]?.[o] ?? 0));
  }
  for (const e of Object.keys(medianRecord(ms.map((m) => m.refused)))) add(`refused.${e}`, ms.map((m) => m.refused[e] ?? 0));
  return out;
}

/** A seed's run as a replicate: its own measurements, without what every seed of the cell shares. */
export function toReplicate(r: CellResult): Replicate {
  return {
    seed: r.seed, metrics: r.metrics, series: r.series, curves: r.curves, counters: r.counters, deterministic: r.deterministic, durationMs: r.durationMs,
    ...(r.error !== undefined ? { error: r.error } : {}),
  };
}

/**
 * One cell's seed runs (replicate 0 first) as one result: the spec, seed (replicate 0's),
 * parameters and options of replicate 0; medians over the seeds that did not fail; `durationMs`
 * the sum; `error` the first failed seed's; `replicates` and `spread` added.
 */
export function aggregateReplicates(runs: readonly CellResult[]): CellResult {
  const first = runs[0];
  const ok = runs.filter((r) => r.error === undefined);
  const use = ok.length > 0 ? ok : [first];
  const failed = runs.findIndex((r) => r.error !== undefined);
  const { metrics: _m, series: _s, curves: _c, counters: _k, deterministic: _d, durationMs: _t, error: _e, replicates: _r, spread: _p, ...spec } = first;
  return {
    ...spec,
    metrics: medianMetrics(use.map((r) => r.metrics)),
    series: medianSeries(use.map((r) => r.series)),
    curves: medianCurves(use.map((r) => r.curves)),
    counters: medianRecord(use.map((r) => r.counters)),
    deterministic: runs.every((r) => r.deterministic),
    durationMs: runs.reduce((a, r) => a + r.durationMs, 0),
    ...(failed >= 0 ? { error: `seed ${runs[failed].seed} (replicate ${failed} of ${runs.length}): ${runs[failed].error}` } : {}),
    replicates: runs.map(toReplicate),
    spread: metricSpreads(use.map((r) => r.metrics)),
  };
}
