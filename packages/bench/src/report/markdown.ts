/**
 * The markdown report: context, goals, headline contrasts, who wins what, and the cells.
 * @module
 */
import type { BenchResults } from "../runner/results.js";
import { headlineContrasts, wins, winnersText } from "./analysis.js";
import { cellColumns, cellRow } from "./cell-rows.js";
import { kernelsText, runShape, seedsLegend } from "./run-shape.js";
import { goalRows } from "./terminal.js";

function mdTable(rows: readonly (readonly string[])[]): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const [head, ...body] = rows;
  return [`| ${head.map(cell).join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...body.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

/** Render a run as markdown. */
export function renderMarkdown(results: BenchResults): string {
  const ctx = results.context;
  const out: string[] = [];
  out.push(`# pinlab bench`, "");
  out.push(`${results.cells.length} cells, size \`${ctx.size}\`, seed ${ctx.seed}, ${ctx.workers} worker(s), ${(ctx.durationMs / 1000).toFixed(1)} s${runShape(ctx)}; ${ctx.cpu} (${ctx.cores} cores), Node ${ctx.node}, pinlab ${ctx.pinlabVersion}, ${ctx.date}.`, "");
  if (kernelsText(ctx) !== "") out.push(`Kernels: ${kernelsText(ctx)}.`, "");
  const goals = [...ctx.goals, ...(ctx.model ?? [])];
  if (goals.length > 0) out.push("## Goals", "", mdTable([["verdict", "goal", "measured", "target", "how"], ...goalRows(goals)]), "");
  const contrasts = headlineContrasts(results).filter((c) => c.holds !== null);
  if (contrasts.length > 0) {
    out.push("## Headline contrasts", "");
    for (const c of contrasts) {
      out.push(`**${c.title}** (${c.cells}): ${c.holds ? "holds" : "**does not hold**"}`, "");
      out.push(mdTable([["policy", "expected", "observed"], ...c.rows.map((r) => [r.policy, r.expected, r.observed])]), "");
    }
  }
  const w = wins(results);
  if (w.length > 0) out.push("## Who wins what", "", ...w.map((x) => `- ${x.what}: **${winnersText(x)}** (${x.detail})`), "");
  out.push("## Cells", "", `Hazards: P prevented, D detected, U undetected. FP/FN: \`maybeDmaPinned\` false-positive / false-negative rate.${seedsLegend(ctx) !== "" ? ` W${seedsLegend(ctx).slice(1)}.` : ""}`, "");
  const opts = { sweep: ctx.sweeps !== undefined && ctx.sweeps.length > 0 };
  out.push(mdTable([cellColumns(opts), ...results.cells.map((c) => cellRow(c, opts))]), "");
  return `${out.join("\n")}\n`;
}
