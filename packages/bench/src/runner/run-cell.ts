/**
 * Running one cell in the current thread: warm-up samples, measured samples, and the summary.
 * Workers call this; so do tests.
 * @module
 */
import type { DependencyContainer } from "tsyringe";
import { MAIN_SERIES, SampleProbe, type SampleRecord } from "../probe/sample-probe.js";
import { falseNegativeRate, falsePositiveRate } from "../probe/pin-audit.js";
import { summarize } from "../probe/stats.js";
import { emptySimCounts, priceSimCounts } from "../cost-model/sim-ledger.js";
import { findWorkloadIn } from "../workloads/workload-catalog.js";
import { BenchInputError } from "./bench-input-error.js";
import type { CellMetrics, CellResult, CellTask, SeriesResult } from "./cell.js";
import { resolveParams } from "./resolve-params.js";
import { sweptOptions, sweptParams } from "./sweep-coordinates.js";

/** Per-page ratios of a series over samples, dropping samples that moved no page. */
function perPage(records: readonly SampleRecord[], series: string, ns: "pinNs" | "releaseNs", pages: "pinPages" | "releasePages"): number[] {
  const out: number[] = [];
  for (const r of records) {
    const t = r.timing[series];
    if (t !== undefined && t[pages] > 0) out.push(t[ns] / t[pages]);
  }
  return out;
}

/** Summarise the timed series of the measured samples. */
export function summarizeSeries(records: readonly SampleRecord[]): SeriesResult[] {
  const ids: string[] = [];
  for (const r of records) for (const id of Object.keys(r.timing)) if (!ids.includes(id)) ids.push(id);
  ids.sort((a, b) => (a === MAIN_SERIES ? -1 : b === MAIN_SERIES ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const last = records[records.length - 1];
  return ids.map((id) => {
    const pin = summarize(perPage(records, id, "pinNs", "pinPages")) ?? null;
    const release = summarize(perPage(records, id, "releaseNs", "releasePages")) ?? null;
    const t = last.timing[id];
    return {
      id,
      wallNsPerPage: { pin: pin?.median ?? null, release: release?.median ?? null },
      pin, release,
      simNsPerPage: t !== undefined && t.simPages > 0 ? (t.simGrabNs + t.simReleaseNs) / t.simPages : null,
      simSplit: t !== undefined && t.simPages > 0 ? { pin: t.simGrabNs / t.simPages, release: t.simReleaseNs / t.simPages } : { pin: null, release: null },
      pages: t?.pinPages ?? 0,
    };
  });
}

/** Run a cell with the plugins (and contributed workloads) in `container`. Workload failures become a result with `error`. */
export function runCell(task: CellTask, container: DependencyContainer): CellResult {
  const def = findWorkloadIn(container, task.workload);
  if (def === undefined) throw new BenchInputError(`unknown workload "${task.workload}"`, "--workloads");
  const variant = def.meta.variants.find((v) => v.id === task.variant);
  if (variant === undefined) throw new BenchInputError(`workload "${task.workload}" has no variant "${task.variant}"`, "--devices");
  // Swept values go on top: of the size's parameters and --param, of the run's and the workload's own policy options.
  const params = resolveParams(def, task.size, { ...task.params, ...sweptParams(task.workload, task.sweep) });
  const policyOptions = { ...(task.policyOptions ?? {}), ...(def.meta.policyOptions?.[task.policy] ?? {}), ...sweptOptions(task.policy, task.sweep) };
  const env = { params, variant, policy: task.policy, policyOptions, seed: task.seed, container, ...(task.kernel !== undefined ? { kernel: task.kernel } : {}) };
  const base = {
    id: task.id, workload: task.workload, variant: task.variant, device: task.device, policy: task.policy,
    ...(task.kernel !== undefined ? { kernel: task.kernel } : {}), ...(task.sweep !== undefined ? { sweep: task.sweep } : {}),
    seed: task.seed, size: task.size, params, policyOptions,
  };
  const t0 = performance.now();
  const samples = params.samples as number;
  const warmup = params.warmup as number;
  const records: SampleRecord[] = [];
  try {
    const runner = def.create(env);
    for (let i = 0; i < warmup; i++) {
      const probe = new SampleProbe(env);
      runner.sample(probe);
      probe.finish();
    }
    for (let i = 0; i < samples; i++) {
      const probe = new SampleProbe(env);
      runner.sample(probe);
      records.push(probe.finish());
    }
  } catch (e) {
    const err = e as Error;
    return { ...base, metrics: emptyMetrics(), series: [], curves: [], counters: {}, deterministic: true, durationMs: performance.now() - t0, error: `${err.name}: ${err.message}` };
  }
  const outcome = records[records.length - 1].outcome;
  const first = JSON.stringify(records[0].outcome);
  const deterministic = records.every((r) => JSON.stringify(r.outcome) === first);
  const series = summarizeSeries(records);
  const main = series.find((s) => s.id === MAIN_SERIES);
  const metrics: CellMetrics = {
    hazards: outcome.hazards,
    falsePositiveRate: falsePositiveRate(outcome.audit) ?? null,
    falseNegativeRate: falseNegativeRate(outcome.audit) ?? null,
    audit: outcome.audit,
    refused: outcome.refused,
    refusedBy: outcome.refusedBy,
    accountingBytes: outcome.accountingBytes,
    accountingBytesPerFrame: outcome.frames > 0 ? outcome.accountingBytes / outcome.frames : 0,
    simNsPerPage: main?.simNsPerPage ?? null,
    simSplit: main?.simSplit ?? { pin: null, release: null },
    sim: outcome.sim,
    wallNsPerPage: main?.wallNsPerPage ?? { pin: null, release: null },
  };
  return { ...base, metrics, series, curves: outcome.curves, counters: outcome.counters, deterministic, durationMs: performance.now() - t0 };
}

function emptyMetrics(): CellMetrics {
  return {
    hazards: {}, falsePositiveRate: null, falseNegativeRate: null, audit: { asked: 0, pinned: 0, unpinned: 0, falsePositives: 0, falseNegatives: 0 },
    refused: {}, refusedBy: {}, accountingBytes: 0, accountingBytesPerFrame: 0, simNsPerPage: null, simSplit: { pin: null, release: null },
    sim: priceSimCounts(emptySimCounts()),
    wallNsPerPage: { pin: null, release: null },
  };
}
