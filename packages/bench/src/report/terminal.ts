/**
 * The terminal report: one row per cell, then the goals and the headline contrasts.
 * @module
 */
import type { BenchResults, GoalResult } from "../runner/results.js";
import { headlineContrasts } from "./analysis.js";
import { cellColumns, cellRow, numericColumns } from "./cell-rows.js";
import { kernelsText, runShape, seedsLegend } from "./run-shape.js";
import { textTable } from "./text-table.js";

/** `PASS`, `FAIL` or `n/a`. */
export function verdict(g: GoalResult): string {
  return g.pass === null ? "n/a" : g.pass ? "PASS" : "FAIL";
}

/** Render goals as table rows. */
export function goalRows(goals: readonly GoalResult[]): string[][] {
  return goals.map((g) => [verdict(g), g.id, g.measured === null ? "-" : `${g.measured.toFixed(g.unit === "x" ? 2 : 1)} ${g.unit}`, g.target, g.note]);
}

/** The terminal table of a run. */
export function renderTerminal(results: BenchResults): string {
  const ctx = results.context;
  const head = `pinlab bench: ${results.cells.length} cells, size ${ctx.size}, seed ${ctx.seed}, ${ctx.workers} worker(s), ${(ctx.durationMs / 1000).toFixed(1)} s` +
    `${ctx.shard !== null ? `, shard ${ctx.shard.index}/${ctx.shard.count}` : ""}${runShape(ctx)}\n${kernelsText(ctx) !== "" ? `kernels: ${kernelsText(ctx)}\n` : ""}${ctx.cpu}, ${ctx.cores} cores, load average ${ctx.loadAverage.start[0].toFixed(1)} -> ${ctx.loadAverage.end[0].toFixed(1)}, Node ${ctx.node}\n` +
    `hazards: P prevented, D detected, U undetected; FP/FN: maybeDmaPinned false-positive/negative rate; ns/pg: median wall clock per page, ± its relative margin${seedsLegend(ctx) !== "" ? `; ${seedsLegend(ctx)}` : ""}\n`;
  const opts = { sweep: ctx.sweeps !== undefined && ctx.sweeps.length > 0 };
  const body = textTable([cellColumns(opts), ...results.cells.map((c) => cellRow(c, opts))], numericColumns(opts));
  const goals = [...ctx.goals, ...(ctx.model ?? [])];
  const goalText = goals.length > 0 ? `\n\ngoals\n${textTable(goalRows(goals))}` : "";
  const contrasts = headlineContrasts(results).filter((c) => c.holds !== null);
  const contrastText = contrasts.length > 0
    ? `\n\nheadline contrasts\n${contrasts.map((c) => `${c.holds ? "holds " : "BROKEN"} ${c.title}\n${c.rows.map((r) => `         ${r.policy}: ${r.observed}`).join("\n")}`).join("\n")}`
    : "";
  return `${head}\n${body}${goalText}${contrastText}\n`;
}
