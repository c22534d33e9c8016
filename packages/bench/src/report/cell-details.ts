/**
 * What the report shows when a cell of the raw table is opened: the command that runs that one
 * cell again (same seed, so the same hazards, refusals and audit answers), its parameters,
 * options, seed and sweep, the story its workload tells, each timed series with its samples'
 * statistics, every counter, and each seed's own result.
 * @module
 */
import type { CellResult } from "../runner/cell.js";
import type { BenchContext } from "../runner/results.js";
import { sweepValueText } from "../runner/sweep.js";
import { findWorkload } from "../workloads/registry.js";
import { esc, fmtCounts, fmtNs } from "./format.js";

/** Quote `text` for a POSIX shell when it holds anything but plain characters. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * `pinlab bench ...` that runs this cell alone: the run's size and seed (a cell's seed derives
 * from the run's and the cell's id), its workload, policy and device, its era when the run had a
 * kernel axis, its swept values, the run's parameter overrides of its workload, and `--seeds`.
 */
export function reproduceCommand(c: CellResult, ctx: Pick<BenchContext, "seed" | "kernelAxis" | "params" | "seeds">): string {
  const args = ["pinlab", "bench", "--size", c.size, "--seed", String(ctx.seed), "--workloads", c.workload, "--policies", c.policy, "--devices", c.device];
  if (ctx.kernelAxis != null && c.kernel !== undefined) args.push("--kernels", c.kernel);
  for (const [name, value] of Object.entries(c.sweep ?? {})) args.push("--sweep", `${name}=${sweepValueText(value)}`);
  for (const [key, value] of Object.entries(ctx.params[c.workload] ?? {})) args.push("--param", `${c.workload}.${key}=${sweepValueText(value)}`);
  if ((ctx.seeds ?? 1) > 1) args.push("--seeds", String(ctx.seeds));
  return args.map(shellWord).join(" ");
}

function row(key: string, value: string): string {
  return `<tr><th>${esc(key)}</th><td>${value}</td></tr>`;
}

function json(v: unknown): string {
  return `<code>${esc(JSON.stringify(v))}</code>`;
}

/** The opened cell: a small table of facts, its timed series, and its seeds. */
export function renderCellDetails(c: CellResult, ctx: BenchContext): string {
  const w = findWorkload(c.workload)?.meta;
  const facts = [
    row("cell", `<code>${esc(c.id)}</code>`),
    row("reproduce", `<code class="cmd">${esc(reproduceCommand(c, ctx))}</code>`),
    row("seed", `${c.seed} <span class="muted">(from the run's seed ${ctx.seed} and the cell id)</span>`),
    row("size and parameters", `${esc(c.size)} ${json(c.params)}`),
    row("policy options", json(c.policyOptions)),
    ...(c.sweep !== undefined ? [row("swept", json(c.sweep))] : []),
    ...(w !== undefined ? [row("story", `${esc(w.summary)}<br><span class="muted">models: ${esc(w.models)}; look for: ${esc(w.lookFor)}; source: ${esc(w.source)}</span>`)] : []),
    row("counters", esc(fmtCounts(c.counters) || "-")),
    ...(c.error !== undefined ? [row("error", `<span class="fail">${esc(c.error)}</span>`)] : []),
  ];
  const stats = (s: CellResult["series"][number]["pin"]) => (s === null ? "-" : `median ${fmtNs(s.median)}, min ${fmtNs(s.min)}, max ${fmtNs(s.max)}, mean ±${s.rme.toFixed(0)}%, p99 ${fmtNs(s.p99)}, n=${s.samples}`);
  const series = c.series.length === 0 ? "" : `<table class="series"><tr><th>series</th><th>pin ns/page</th><th>release ns/page</th><th>pages</th></tr>${c.series.map((s) =>
    `<tr><td>${esc(s.id)}</td><td>${esc(stats(s.pin))}</td><td>${esc(stats(s.release))}</td><td class="num">${s.pages}</td></tr>`).join("")}</table>`;
  const seeds = c.replicates === undefined ? "" : `<table class="seeds"><tr><th>seed</th><th>hazards</th><th>refused</th><th>wall pin</th><th>wall release</th></tr>${c.replicates.map((r) =>
    `<tr><td>${r.seed}</td><td>${json(r.metrics.hazards)}</td><td>${json(r.metrics.refused)}</td><td class="num">${esc(fmtNs(r.metrics.wallNsPerPage.pin))}</td><td class="num">${esc(fmtNs(r.metrics.wallNsPerPage.release))}</td></tr>`).join("")}</table>`;
  return `<div class="cell-details"><table class="facts">${facts.join("")}</table>${series}${seeds}</div>`;
}
