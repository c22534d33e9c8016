/**
 * The part of results that does not depend on timing: what must be equal between a sharded and
 * merged run and an unsharded one with the same seed.
 * @module
 */
import type { CellMetrics, CellResult, Replicate, SeriesResult } from "./cell.js";
import type { BenchResults } from "./results.js";

function deterministicMetrics(metrics: CellMetrics): Record<string, unknown> {
  const { wallNsPerPage: _w, ...m } = metrics;
  return m;
}

function deterministicSeries(series: readonly SeriesResult[]): Record<string, unknown>[] {
  return series.map((s) => ({ id: s.id, simNsPerPage: s.simNsPerPage, simSplit: s.simSplit, pages: s.pages, samples: s.pin?.samples ?? s.release?.samples ?? 0 }));
}

function deterministicReplicate(r: Replicate): Record<string, unknown> {
  const { durationMs: _d, series, metrics, ...rest } = r;
  return { ...rest, metrics: deterministicMetrics(metrics), series: deterministicSeries(series) };
}

/** A cell without its wall-clock measurements (nor its seeds', nor the spread of wall-clock metrics). */
export function deterministicCell(c: CellResult): Record<string, unknown> {
  const { durationMs: _d, series, metrics, replicates, spread, ...rest } = c;
  return {
    ...rest, metrics: deterministicMetrics(metrics), series: deterministicSeries(series),
    ...(replicates !== undefined ? { replicates: replicates.map(deterministicReplicate) } : {}),
    ...(spread !== undefined ? { spread: Object.fromEntries(Object.entries(spread).filter(([k]) => !k.startsWith("wallNsPerPage."))) } : {}),
  };
}

/** Every cell of a run without wall-clock measurements, in order. */
export function deterministicView(r: BenchResults): Record<string, unknown>[] {
  return r.cells.map(deterministicCell);
}
