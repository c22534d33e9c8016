/**
 * `bench merge`: put the shards of one matrix back together. The shards must come from the same
 * matrix (seed, size, workloads, policies, devices, parameters); the merged cells are in
 * canonical order, so the result equals an unsharded run apart from wall-clock timings.
 * @module
 */
import { findWorkload, listWorkloads } from "../workloads/registry.js";
import { BenchInputError } from "./bench-input-error.js";
import type { CellResult } from "./cell.js";
import { RESULTS_FORMAT, type BenchResults } from "./results.js";
import { gupGoals, matrixGoal, scalingGoal } from "./speed-goals.js";

/** The canonical order of cells: workloads in registry order, variants as declared, policies as given. */
export function canonicalOrder(cells: readonly CellResult[], policies: readonly string[]): CellResult[] {
  const wOrder = listWorkloads().map((w) => w.meta.id);
  const vOrder = (c: CellResult) => findWorkload(c.workload)?.meta.variants.findIndex((v) => v.id === c.variant) ?? -1;
  return [...cells].sort((a, b) => wOrder.indexOf(a.workload) - wOrder.indexOf(b.workload) || vOrder(a) - vOrder(b) || policies.indexOf(a.policy) - policies.indexOf(b.policy));
}

/** Merge shard results; throws {@link BenchInputError} when they are not parts of one matrix. */
export function mergeResults(parts: readonly BenchResults[]): BenchResults {
  if (parts.length === 0) throw new BenchInputError("bench merge needs at least one result");
  const first = parts[0].context;
  const key = (r: BenchResults) => JSON.stringify([r.context.seed, r.context.size, r.context.policies, r.context.devices, r.context.params, r.context.matrixCells]);
  for (const p of parts) {
    if (key(p) !== key(parts[0])) {
      throw new BenchInputError(`the results are not shards of one matrix: seed, size, policies, devices, parameters and matrix size must agree (${key(parts[0])} vs ${key(p)})`);
    }
  }
  const byId = new Map<string, CellResult>();
  for (const p of parts) {
    for (const c of p.cells) {
      if (byId.has(c.id)) throw new BenchInputError(`cell ${c.id} appears in more than one result: merge distinct shards`);
      byId.set(c.id, c);
    }
  }
  const cells = canonicalOrder([...byId.values()], first.policies);
  const workloads = listWorkloads().map((w) => w.meta.id).filter((id) => cells.some((c) => c.workload === id));
  const durationMs = Math.max(...parts.map((p) => p.context.durationMs));
  const workers = Math.max(...parts.map((p) => p.context.workers));
  const missing = first.matrixCells - cells.length;
  return {
    format: RESULTS_FORMAT,
    context: {
      ...first,
      shard: null,
      workloads,
      durationMs,
      workers,
      mergedFrom: parts.map((p) => p.context.shard ?? { index: 1, count: 1 }),
      goals: [...gupGoals(cells, { load: Math.max(...parts.map((p) => Math.max(p.context.loadAverage.start[0], p.context.loadAverage.end[0]))), cores: first.cores }), matrixGoal({ durationMs, workers, isDefaultMatrix: false, mergedParts: parts.length }), scalingGoal(first.scaling)],
      ...(missing > 0 ? { note: `${missing} of ${first.matrixCells} cells are missing` } : {}),
    },
    cells,
  };
}
