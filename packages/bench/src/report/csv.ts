/**
 * The CSV report: one row per cell, one column per metric (hazard class x outcome and refusal
 * errno columns are the union over the run). A swept run adds a `sweep_TARGET.KEY` column per
 * sweep after `seed` (empty where the sweep does not apply); a run with several seeds adds a
 * `seeds` column and, at the end, `_min`, `_max`, `_ci95_lo` and `_ci95_hi` columns of each metric
 * with a spread (the metric's own column holds the median).
 * @module
 */
import type { CellResult } from "../runner/cell.js";
import type { BenchResults } from "../runner/results.js";
import { sweepName, sweepValueText } from "../runner/sweep.js";
import { HAZARD_CLASSES, OUTCOMES } from "./analysis.js";

/** The CSV column of a metric the cells' `spread` holds (`wallNsPerPage.pin` is `wall_pin_ns_per_page`). */
export function spreadColumn(path: string): string {
  const fixed: Record<string, string> = {
    "wallNsPerPage.pin": "wall_pin_ns_per_page", "wallNsPerPage.release": "wall_release_ns_per_page", simNsPerPage: "sim_ns_per_page",
    "simSplit.pin": "sim_pin_ns_per_page", "simSplit.release": "sim_release_ns_per_page", falsePositiveRate: "false_positive_rate",
    falseNegativeRate: "false_negative_rate", accountingBytes: "accounting_bytes",
  };
  if (fixed[path] !== undefined) return fixed[path];
  const [group, ...rest] = path.split(".");
  return `${group === "hazards" ? "hazard" : group}_${rest.join("_")}`;
}

function field(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Render a run as CSV (RFC 4180, header row first). */
export function renderCsv(results: BenchResults): string {
  const errnos = [...new Set(results.cells.flatMap((c) => Object.keys(c.metrics.refused)))].sort();
  const counters = [...new Set(results.cells.flatMap((c) => Object.keys(c.counters)))].sort();
  const sweeps = results.context.sweeps ?? [];
  const multiSeed = (results.context.seeds ?? 1) > 1;
  const spreads = [...new Set(results.cells.flatMap((c) => Object.keys(c.spread ?? {})))];
  const header = [
    "workload", "variant", "device", "policy", "kernel", "seed", ...sweeps.map((s) => `sweep_${sweepName(s)}`), ...(multiSeed ? ["seeds"] : []),
    ...HAZARD_CLASSES.flatMap((h) => OUTCOMES.map((o) => `hazard_${h}_${o}`)),
    ...errnos.map((e) => `refused_${e}`),
    "false_positive_rate", "false_negative_rate", "accounting_bytes", "accounting_bytes_per_frame",
    "sim_ns_per_page", "sim_pin_ns_per_page", "sim_release_ns_per_page",
    "wall_pin_ns_per_page", "wall_pin_rme_pct", "wall_pin_p99", "wall_release_ns_per_page", "wall_release_rme_pct", "wall_release_p99", "samples",
    ...counters.map((c) => `counter_${c}`), "deterministic", "duration_ms", "error",
    ...spreads.flatMap((k) => ["min", "max", "ci95_lo", "ci95_hi"].map((x) => `${spreadColumn(k)}_${x}`)),
  ];
  const row = (c: CellResult) => {
    const m = c.metrics;
    const main = c.series.find((s) => s.id === "main");
    return [
      c.workload, c.variant, c.device, c.policy, c.kernel, c.seed,
      ...sweeps.map((s) => (c.sweep !== undefined && Object.hasOwn(c.sweep, sweepName(s)) ? sweepValueText(c.sweep[sweepName(s)]) : null)), ...(multiSeed ? [c.replicates?.length ?? 1] : []),
      ...HAZARD_CLASSES.flatMap((h) => OUTCOMES.map((o) => m.hazards[h]?.[o] ?? 0)),
      ...errnos.map((e) => m.refused[e] ?? 0),
      m.falsePositiveRate, m.falseNegativeRate, m.accountingBytes, m.accountingBytesPerFrame,
      m.simNsPerPage, m.simSplit.pin, m.simSplit.release,
      m.wallNsPerPage.pin, main?.pin?.rme, main?.pin?.p99, m.wallNsPerPage.release, main?.release?.rme, main?.release?.p99, main?.pin?.samples ?? main?.release?.samples,
      ...counters.map((k) => c.counters[k] ?? 0), c.deterministic, Math.round(c.durationMs), c.error,
      ...spreads.flatMap((k) => {
        const s = c.spread?.[k];
        return [s?.min, s?.max, s?.ci95?.[0], s?.ci95?.[1]];
      }),
    ].map(field).join(",");
  };
  return `${[header.join(","), ...results.cells.map(row)].join("\n")}\n`;
}
