/**
 * The self-contained HTML report: inline CSS, charts as inline SVG rendered on the server, the
 * results as embedded JSON, and the raw table's few lines of script inline; nothing is fetched
 * when it is opened. Wide tables scroll inside their own box, so the page fits a 1366 px screen.
 * @module
 */
import * as costModel from "../cost-model/constants.js";
import type { BenchResults, GoalResult } from "../runner/results.js";
import { listWorkloads } from "../workloads/registry.js";
import { headlineContrasts, hazardMatrix, wins, winnersText, OUTCOMES } from "./analysis.js";
import { sweepName, sweepValueText } from "../runner/sweep.js";
import { renderCharts } from "./charts.js";
import { esc, fmtBytes } from "./format.js";
import { kernelsText, runShape } from "./run-shape.js";
import { RAW_TABLE_CSS, RAW_TABLE_SCRIPT, renderRawTable } from "./raw-table.js";
import { renderSweepCharts } from "./sweep-charts.js";

const CSS = `
:root { --u: #c0392b; --d: #e0a526; --p: #3c9a5f; --none: #e8e8e8; --ink: #1d2330; --muted: #5c6475; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0 auto; max-width: 1200px; padding: 24px; }
h1 { margin: 0 0 4px; font-size: 24px; } h2 { margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; font-size: 18px; }
.muted { color: var(--muted); } code { font-size: 12px; background: #f3f3f5; padding: 1px 4px; border-radius: 3px; }
table { border-collapse: collapse; margin: 8px 0; } th, td { border: 1px solid #d8d8de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f5f6f8; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.matrix td { text-align: center; min-width: 120px; font-weight: 600; }
.o-undetected { background: var(--u); color: #fff; } .o-detected { background: var(--d); color: #222; } .o-prevented { background: var(--p); color: #fff; } .o-none { background: var(--none); color: #777; }
.pass { color: var(--p); font-weight: 700; } .fail { color: var(--u); font-weight: 700; } .na { color: var(--muted); }
.contrast { border: 1px solid #d8d8de; border-left: 6px solid var(--p); padding: 8px 12px; margin: 10px 0; border-radius: 4px; }
.contrast.broken { border-left-color: var(--u); } .contrast h3 { margin: 0 0 6px; font-size: 15px; }
figure.chart { margin: 16px 0; } figure.chart svg { max-width: 100%; height: auto; } figure.chart figcaption { color: var(--muted); font-size: 12px; max-width: 760px; }
table.raw { font-size: 12px; } .legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; border-radius: 3px; }
`;

function goalCell(g: GoalResult): string {
  const cls = g.pass === null ? "na" : g.pass ? "pass" : "fail";
  return `<td class="${cls}">${g.pass === null ? "not measured" : g.pass ? "PASS" : "FAIL"}</td>`;
}

function goalsTable(goals: readonly GoalResult[]): string {
  if (goals.length === 0) return "<p class=\"muted\">None measured in this run.</p>";
  return `<table class="goals"><tr><th>verdict</th><th>goal</th><th>measured</th><th>target</th><th>how</th></tr>${goals.map((g) =>
    `<tr data-goal="${esc(g.id)}">${goalCell(g)}<td>${esc(g.description)}</td><td class="num">${g.measured === null ? "-" : `${g.measured.toFixed(g.unit === "x" ? 2 : 1)} ${esc(g.unit)}`}</td><td>${esc(g.target)}</td><td class="muted">${esc(g.note)}</td></tr>`).join("")}</table>`;
}

/** Render a run as one self-contained HTML page. */
export function renderHtml(results: BenchResults): string {
  const ctx = results.context;
  const matrix = hazardMatrix(results);
  const charts = [...renderCharts(results), ...renderSweepCharts(results)];
  const contrasts = headlineContrasts(results);
  const w = wins(results);
  const p: string[] = [];
  p.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>pinlab bench report</title><style>${CSS}${RAW_TABLE_CSS}</style></head><body>`);
  p.push(`<h1>pinlab bench report</h1><p class="muted">${results.cells.length} cells (${ctx.workloads.length} workloads x ${ctx.policies.length} policies x device variants), size <code>${esc(ctx.size)}</code>, seed ${ctx.seed}, ${ctx.workers} worker(s), ${(ctx.durationMs / 1000).toFixed(1)} s, ${esc(ctx.date)}${ctx.shard !== null ? `, shard ${ctx.shard.index}/${ctx.shard.count}` : ""}${ctx.mergedFrom !== undefined ? `, merged from ${ctx.mergedFrom.length} shards` : ""}${esc(runShape(ctx))}.</p>`);
  if (kernelsText(ctx) !== "") p.push(`<p class="kernels">Kernels: ${esc(kernelsText(ctx))}.</p>`);
  const errors = results.cells.filter((c) => c.error !== undefined);
  if (errors.length > 0) p.push(`<p class="fail">${errors.length} cell(s) failed: ${errors.map((c) => esc(`${c.id}: ${c.error}`)).join("; ")}</p>`);

  p.push(`<section id="summary"><h2>Who wins what</h2><ul>${w.map((x) => `<li><strong>${esc(x.what)}</strong>: ${esc(winnersText(x))} <span class="muted">(${esc(x.detail)})</span></li>`).join("")}</ul></section>`);

  p.push(`<section id="contrasts"><h2>Headline contrasts</h2>`);
  for (const c of contrasts) {
    if (c.holds === null) {
      p.push(`<div class="contrast" data-contrast="${esc(c.id)}" data-holds="absent"><h3>${esc(c.title)}</h3><p class="muted">Not in this run (${esc(c.cells)}).</p></div>`);
      continue;
    }
    p.push(`<div class="contrast${c.holds ? "" : " broken"}" data-contrast="${esc(c.id)}" data-holds="${c.holds}"><h3>${esc(c.title)} <span class="${c.holds ? "pass" : "fail"}">${c.holds ? "holds" : "does not hold"}</span></h3><p class="muted">${esc(c.cells)}</p>`
      + `<table><tr><th>policy</th><th>expected</th><th>observed</th></tr>${c.rows.map((r) => `<tr data-policy="${esc(r.policy)}"><td>${esc(r.policy)}</td><td>${esc(r.expected)}</td><td class="${r.holds ? "" : "fail"}">${esc(r.observed)}</td></tr>`).join("")}</table></div>`);
  }
  p.push(`</section>`);

  p.push(`<section id="hazard-matrix"><h2>Hazard matrix</h2><p class="legend"><span class="o-undetected">undetected</span><span class="o-detected">detected</span><span class="o-prevented">prevented</span><span class="o-none">did not arise</span> Each cell: the worst outcome of that hazard class under the policy over every workload; counts U/D/P.</p>`);
  p.push(`<div class="scroll"><table class="matrix"><tr><th>policy</th>${matrix.hazards.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>`);
  for (const policy of matrix.policies) {
    p.push(`<tr><th>${esc(policy)}</th>`);
    for (const h of matrix.hazards) {
      const m = matrix.cells.get(`${policy}/${h}`)!;
      const text = m.worst === "none" ? "-" : OUTCOMES.map((o) => `${o[0].toUpperCase()}${m.counts[o]}`).join(" ");
      p.push(`<td class="o-${m.worst}" data-policy="${esc(policy)}" data-hazard="${esc(h)}" data-worst="${m.worst}" title="${esc(m.workloads.join(", ") || "no workload raised it")}">${text}</td>`);
    }
    p.push(`</tr>`);
  }
  p.push(`</table></div></section>`);

  p.push(`<section id="charts"><h2>Charts</h2>${charts.map((c) => `<figure class="chart" data-chart="${esc(c.id)}"><figcaption><strong>${esc(c.title)}</strong><br>${esc(c.caption)}</figcaption>${c.svg}</figure>`).join("")}</section>`);

  p.push(`<section id="goals"><h2>Speed and memory goals</h2>${goalsTable(ctx.goals)}<h3>Model micro-benchmarks</h3>${ctx.model !== null ? goalsTable(ctx.model) : "<p class=\"muted\">Not run with these results (<code>pinlab bench model</code> runs them).</p>"}`);
  if (ctx.scaling !== null) p.push(`<p>Scaling: ${ctx.scaling.map((s) => `${s.workers} worker(s) ${(s.durationMs / 1000).toFixed(1)} s`).join(", ")}.</p>`);
  p.push(`</section>`);

  p.push(renderRawTable(results));

  p.push(`<section id="workloads"><h2>Workloads</h2><div class="scroll"><table><tr><th>id</th><th>what it measures</th><th>models</th><th>source</th><th>look for</th></tr>${[...listWorkloads().map((wl) => wl.meta), ...(ctx.contributedWorkloads ?? [])].filter((wl) => ctx.workloads.includes(wl.id)).map((wl) =>
    `<tr><td><code>${esc(wl.id)}</code></td><td>${esc(wl.summary)}</td><td>${esc(wl.models)}</td><td class="muted">${esc(wl.source)}</td><td>${esc(wl.lookFor)}</td></tr>`).join("")}</table></div></section>`);

  p.push(`<section id="cost-model"><h2>Cost model</h2><p class="muted">Constants (ns, or ratios); each is documented with its source in <code>packages/bench/src/cost-model/constants.ts</code>.</p><table>${Object.entries(costModel).map(([k, v]) =>
    `<tr><td><code>${esc(k)}</code></td><td class="num">${esc(typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : JSON.stringify(v))}</td></tr>`).join("")}</table></section>`);

  p.push(`<section id="context"><h2>Context</h2><table>${[
    ["pinlab", ctx.pinlabVersion], ["Node", `${ctx.node} (V8 ${ctx.v8})`], ["platform", ctx.platform], ["CPU", `${ctx.cpu}, ${ctx.cores} cores`], ["memory", fmtBytes(ctx.memoryBytes)],
    ["load average (1, 5, 15 min)", `start ${ctx.loadAverage.start.map((x) => x.toFixed(2)).join(", ")}; end ${ctx.loadAverage.end.map((x) => x.toFixed(2)).join(", ")}`],
    ["seed", String(ctx.seed)], ["size", ctx.size], ["workers", String(ctx.workers)], ["policies", ctx.policies.join(", ")], ["devices", (ctx.devices ?? ctx.registeredDevices).join(", ")],
    ["parameter overrides", JSON.stringify(ctx.params)],
    ...(ctx.sweeps !== undefined && ctx.sweeps.length > 0 ? [["sweeps", ctx.sweeps.map((s) => `${sweepName(s)} (${s.kind}) = ${s.values.map(sweepValueText).join(", ")}`).join("; ")]] : []),
    ...((ctx.seeds ?? 1) > 1 ? [["seeds per cell", `${ctx.seeds}: figures are medians over seeds (the lower median for an even count), [min–max] their range; results.json keeps each seed's result and a 95% interval`]] : []),
    ["date", ctx.date],
  ].map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table></section>`);

  const json = JSON.stringify(results).replace(/</g, "\\u003c");
  p.push(`<script type="application/json" id="results">${json}</script>`);
  p.push(`<script>${RAW_TABLE_SCRIPT}</script></body></html>`);
  return p.join("\n");
}
