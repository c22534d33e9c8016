/**
 * The CSV report: one row per cell, one column per metric (hazard class x outcome and refusal
 * errno columns are the union over the run).
 * @module
 */
import type { CellResult } from "../runner/cell.js";
import type { BenchResults } from "../runner/results.js";
import { HAZARD_CLASSES, OUTCOMES } from "./analysis.js";

function field(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Render a run as CSV (RFC 4180, header row first). */
export function renderCsv(results: BenchResults): string {
  const errnos = [...new Set(results.cells.flatMap((c) => Object.keys(c.metrics.refused)))].sort();
  const counters = [...new Set(results.cells.flatMap((c) => Object.keys(c.counters)))].sort();
  const header = [
    "workload", "variant", "device", "policy", "seed",
    ...HAZARD_CLASSES.flatMap((h) => OUTCOMES.map((o) => `hazard_${h}_${o}`)),
    ...errnos.map((e) => `refused_${e}`),
    "false_positive_rate", "false_negative_rate", "accounting_bytes", "accounting_bytes_per_frame",
    "sim_ns_per_page", "sim_pin_ns_per_page", "sim_release_ns_per_page",
    "wall_pin_ns_per_page", "wall_pin_rme_pct", "wall_pin_p99", "wall_release_ns_per_page", "wall_release_rme_pct", "wall_release_p99", "samples",
    ...counters.map((c) => `counter_${c}`), "deterministic", "duration_ms", "error",
  ];
  const row = (c: CellResult) => {
    const m = c.metrics;
    const main = c.series.find((s) => s.id === "main");
    return [
      c.workload, c.variant, c.device, c.policy, c.seed,
      ...HAZARD_CLASSES.flatMap((h) => OUTCOMES.map((o) => m.hazards[h]?.[o] ?? 0)),
      ...errnos.map((e) => m.refused[e] ?? 0),
      m.falsePositiveRate, m.falseNegativeRate, m.accountingBytes, m.accountingBytesPerFrame,
      m.simNsPerPage, m.simSplit.pin, m.simSplit.release,
      m.wallNsPerPage.pin, main?.pin?.rme, main?.pin?.p99, m.wallNsPerPage.release, main?.release?.rme, main?.release?.p99, main?.pin?.samples ?? main?.release?.samples,
      ...counters.map((k) => c.counters[k] ?? 0), c.deterministic, Math.round(c.durationMs), c.error,
    ].map(field).join(",");
  };
  return `${[header.join(","), ...results.cells.map(row)].join("\n")}\n`;
}
