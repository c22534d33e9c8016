/**
 * `bench merge`: put the shards of one matrix back together. The shards must come from the same
 * matrix (seed, size, workloads, policies, kernel axis, devices, parameters, sweeps, seeds); the merged cells
 * are in canonical order, so the result equals an unsharded run apart from wall-clock timings.
 * A shard holds every seed of its cells, so merging never combines seeds.
 * @module
 */
import { eraIndex } from "@pinlab/core";
import { findWorkload, listWorkloads } from "../workloads/registry.js";
import { BenchInputError } from "./bench-input-error.js";
import type { CellResult } from "./cell.js";
import { erasInOrder } from "./kernel-axis.js";
import type { Shard } from "./shard.js";
import { RESULTS_FORMAT, type BenchResults, type ContributedWorkload } from "./results.js";
import type { Sweep } from "./sweep.js";
import { compareRanks, sweepRank } from "./sweep-expand.js";
import { gupGoals, matrixGoal, scalingGoal } from "./speed-goals.js";

/** Workload ids in report order: the built-in ones, then the contributed ones (plugin workloads, `--scenarios`) as the results list them. */
function workloadOrder(contributed: readonly ContributedWorkload[]): string[] {
  return [...listWorkloads().map((w) => w.meta.id), ...contributed.map((w) => w.id)];
}

/**
 * The canonical order of cells: workloads in registry order (then the contributed ones, as
 * `contributed` lists them), variants as declared, policies as given, kernel eras oldest first,
 * then swept values in product order.
 */
export function canonicalOrder(cells: readonly CellResult[], policies: readonly string[], sweeps: readonly Sweep[] = [], contributed: readonly ContributedWorkload[] = []): CellResult[] {
  const wOrder = workloadOrder(contributed);
  const vOrder = (c: CellResult) => findWorkload(c.workload)?.meta.variants.findIndex((v) => v.id === c.variant) ?? contributed.find((w) => w.id === c.workload)?.variants.indexOf(c.variant) ?? -1;
  return [...cells].sort((a, b) => wOrder.indexOf(a.workload) - wOrder.indexOf(b.workload) || vOrder(a) - vOrder(b) || policies.indexOf(a.policy) - policies.indexOf(b.policy)
    || eraIndex(a.kernel ?? "") - eraIndex(b.kernel ?? "") || compareRanks(sweepRank(a, sweeps), sweepRank(b, sweeps)));
}

/** The context fields every shard of one matrix shares, with how to name them in a message. */
const MATRIX_FIELDS = [
  ["seed", (r: BenchResults) => r.context.seed],
  ["size", (r: BenchResults) => r.context.size],
  ["policies", (r: BenchResults) => r.context.policies],
  ["kernels", (r: BenchResults) => r.context.kernelAxis ?? null],
  ["devices", (r: BenchResults) => r.context.devices],
  ["parameters", (r: BenchResults) => r.context.params],
  ["sweeps", (r: BenchResults) => r.context.sweeps ?? []],
  ["seeds", (r: BenchResults) => r.context.seeds ?? 1],
  ["contributed workloads", (r: BenchResults) => (r.context.contributedWorkloads ?? []).map((w) => w.id)],
  ["matrix size", (r: BenchResults) => r.context.matrixCells],
] as const;

/** Throw naming the first field on which `p` is not a shard of the same matrix as `first`. */
function checkSameMatrix(first: BenchResults, firstName: string, p: BenchResults, name: string): void {
  for (const [field, get] of MATRIX_FIELDS) {
    const a = JSON.stringify(get(first));
    const b = JSON.stringify(get(p));
    if (a !== b) throw new BenchInputError(`the results are not shards of one matrix: ${field} differs (${firstName}: ${a}, ${name}: ${b}); seed, size, policies, kernels, devices, parameters, sweeps, seeds, contributed workloads and matrix size must agree`);
  }
}

/** Throw when the shards were cut with different `--shard K/N` counts. */
function checkShardCounts(parts: readonly BenchResults[], names: readonly string[]): void {
  const sharded = parts.map((p, i) => ({ shard: p.context.shard, name: names[i] })).filter((x) => x.shard !== null);
  const other = sharded.find((x) => x.shard!.count !== sharded[0].shard!.count);
  if (other !== undefined) {
    const a = sharded[0];
    throw new BenchInputError(`the results are not shards of one split: ${a.name} is shard ${a.shard!.index}/${a.shard!.count} but ${other.name} is shard ${other.shard!.index}/${other.shard!.count}; merge the parts of one --shard K/N`);
  }
}

/**
 * Merge shard results; throws {@link BenchInputError} when they are not parts of one matrix.
 * `names` (the files they came from, by default `result 1`, `result 2`...) are used in messages.
 */
export function mergeResults(parts: readonly BenchResults[], names: readonly string[] = parts.map((_, i) => `result ${i + 1}`)): BenchResults {
  if (parts.length === 0) throw new BenchInputError("bench merge needs at least one result");
  const first = parts[0].context;
  parts.forEach((p, i) => checkSameMatrix(parts[0], names[0], p, names[i]));
  checkShardCounts(parts, names);
  const byId = new Map<string, CellResult>();
  const from = new Map<string, string>();
  parts.forEach((p, i) => {
    for (const c of p.cells) {
      if (byId.has(c.id)) throw new BenchInputError(`cell ${c.id} is in both ${from.get(c.id)} and ${names[i]}: merge distinct shards`);
      byId.set(c.id, c);
      from.set(c.id, names[i]);
    }
  });
  const cells = canonicalOrder([...byId.values()], first.policies, first.sweeps ?? [], first.contributedWorkloads ?? []);
  const workloads = workloadOrder(first.contributedWorkloads ?? []).filter((id) => cells.some((c) => c.workload === id));
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
      ...(first.kernels !== undefined ? { kernels: erasInOrder(cells.flatMap((c) => (c.kernel !== undefined ? [c.kernel] : []))) } : {}),
      mergedFrom: parts.map((p) => p.context.shard ?? { index: 1, count: 1 }),
      goals: [...gupGoals(cells, { load: Math.max(...parts.map((p) => Math.max(p.context.loadAverage.start[0], p.context.loadAverage.end[0]))), cores: first.cores }), matrixGoal({ durationMs, workers, isDefaultMatrix: false, mergedParts: parts.length }), scalingGoal(first.scaling)],
      ...(missing > 0 ? { note: `${missing} of ${first.matrixCells} cells are missing` } : {}),
    },
    cells,
  };
}

/**
 * The shards of a `--shard K/N` split that none of `given` covers (a part names its shard, a
 * merged part the shards it came from), as `K/N` texts; empty when the parts name no split.
 */
export function missingShards(given: readonly { readonly shard: Shard | null; readonly mergedFrom?: readonly Shard[] }[]): string[] {
  const covered = given.flatMap((c) => (c.shard !== null ? [c.shard] : c.mergedFrom ?? []));
  const count = covered.find((s) => s.count > 1)?.count;
  if (count === undefined) return [];
  const have = new Set(covered.filter((s) => s.count === count).map((s) => s.index));
  return Array.from({ length: count }, (_, i) => i + 1).filter((k) => !have.has(k)).map((k) => `${k}/${count}`);
}
