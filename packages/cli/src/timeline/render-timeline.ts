/**
 * The text output of `pinlab timeline`: per policy a line per era (hazards first, expectations
 * after), each hazard's eras and change points with the commits cited, the steps whose outcome
 * changes between adjacent eras, and the `history` checks.
 * @module
 */
import { formatValue } from "../output/format-value.js";
import type { Style } from "../output/style.js";
import type { Cited, StepOutcome, Timeline } from "./timeline-types.js";

/** `v4.8..v5.7, v5.9-rc4..v5.9`: the eras of `ids` as runs of adjacent eras of `all`. */
export function eraRanges(ids: readonly string[], all: readonly string[]): string {
  const on = new Set(ids);
  const runs: string[] = [];
  let start: string | undefined;
  all.forEach((id, i) => {
    if (on.has(id) && start === undefined) start = id;
    const last = i === all.length - 1 || !on.has(all[i + 1]);
    if (on.has(id) && last) {
      runs.push(start === id ? id : `${start}..${id}`);
      start = undefined;
    }
  });
  return runs.join(", ");
}

/** The citation lines of a change: `id "title"` each, with the release when it is not the era's. */
export function citationLines(c: Cited, s: Style, indent: string): string[] {
  if (c.cite.length === 0) return [`${indent}${s.dim("(the eras list no rule change between them)")}`];
  const head = c.alone ? [] : [`${indent}${s.dim("no single change reproduces it alone; every change of the era:")}`];
  return [...head, ...c.cite.map((x) => `${indent}${x.commit} "${x.title}"${x.release !== undefined ? ` (${x.release})` : ""}`)];
}

function outcomeText(o: StepOutcome): string {
  const what = o.error !== undefined ? `error ${o.error}` : o.errno !== null ? o.errno : o.result !== null ? formatValue(o.result) : "ok";
  return `${what}${o.hazards.length > 0 ? ` [${o.hazards.join(", ")}]` : ""}`;
}

/** Render a timeline as text. */
export function renderTimeline(t: Timeline, s: Style): string {
  const all = t.kernels.map((k) => k.id);
  const lines: string[] = [`${s.bold(t.scenario)} ${s.dim(`(${t.file})`)}: ${t.kernels.length} kernel eras, ${all[0]} to ${all[all.length - 1]}`];
  for (const p of t.policies) {
    lines.push("", `${s.bold(p.policy)}`, "  eras:");
    for (const r of p.runs) {
      const hz = Object.entries(r.hazards).map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join(", ") || s.dim("no hazards");
      const exp = r.error !== undefined ? s.bad(`could not run: ${r.error}`) : s.dim(`${r.passed ? "pass" : `${r.failed} failed`}, ${r.expectations} expectations`);
      lines.push(`    ${r.kernel.padEnd(9)} ${hz}  ${exp}`);
    }
    lines.push("  hazards:");
    if (p.hazards.length === 0) lines.push(s.dim("    none in any era"));
    for (const h of p.hazards) {
      lines.push(`    ${s.bold(h.hazard)}: ${eraRanges(h.eras, all)}`);
      for (const c of h.changes) {
        const at = (steps: readonly number[]) => `step${steps.length > 1 ? "s" : ""} ${steps.join(", ")}`;
        const where = c.kind === "goes" ? `was at ${at(c.before)}` : `at ${at(c.after)}`;
        lines.push(`      ${c.kind === "steps" ? "moves" : c.kind} at ${c.era} (${where}):`, ...citationLines(c, s, "        "));
      }
    }
    lines.push("  steps:");
    if (p.steps.length === 0) lines.push(s.dim("    no step changes its outcome between eras"));
    for (const c of p.steps) {
      lines.push(`    step ${c.step} (${c.op}) ${c.from} -> ${c.era}: ${outcomeText(c.before)} -> ${outcomeText(c.after)}`, ...citationLines(c, s, "      "));
    }
    if (p.history.length > 0) lines.push("  history:");
    for (const h of p.history) {
      const win = `${h.hazard} ${h.from}..${h.to ?? "now"}`;
      lines.push(`    ${h.pass ? s.ok("PASS") : s.bad("FAIL")} history[${h.index}] ${win}${h.cited.length > 0 ? s.dim(` (cited: ${h.cited.join(", ")})`) : ""}`);
      for (const x of h.problems) lines.push(`      ${s.bad("✗")} ${x}`);
    }
    lines.push(s.dim(`  (${p.runs.length} era runs, ${p.bisectRuns} single-change runs)`));
  }
  if (!t.historyChecked && t.historyEntries > 0) lines.push("", s.dim("history not checked: it needs every era (run without --kernels)"));
  return `${lines.join("\n")}\n`;
}
