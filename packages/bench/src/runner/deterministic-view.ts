/**
 * The part of results that does not depend on timing: what must be equal between a sharded and
 * merged run and an unsharded one with the same seed.
 * @module
 */
import type { CellResult } from "./cell.js";
import type { BenchResults } from "./results.js";

/** A cell without its wall-clock measurements. */
export function deterministicCell(c: CellResult): Record<string, unknown> {
  const { durationMs: _d, series, metrics, ...rest } = c;
  const { wallNsPerPage: _w, ...m } = metrics;
  return { ...rest, metrics: m, series: series.map((s) => ({ id: s.id, simNsPerPage: s.simNsPerPage, simSplit: s.simSplit, pages: s.pages, samples: s.pin?.samples ?? s.release?.samples ?? 0 })) };
}

/** Every cell of a run without wall-clock measurements, in order. */
export function deterministicView(r: BenchResults): Record<string, unknown>[] {
  return r.cells.map(deterministicCell);
}
