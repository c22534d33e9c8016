/**
 * The text output of `pinlab run`: per policy a pass/fail line (with `@era` when the run's kernel
 * era is not the default, v6.12) with the hazards by outcome, the failed expectations with
 * expected vs actual and why (the step's errno and message, the hazards recorded), step errors,
 * the state a `dump` step or `--state` asked for, and the hazard table.
 * @module
 */
import { DEFAULT_KERNEL, type KernelEvent, type ScenarioReport } from "@pinlab/core";
import { describeGot, summarizeHazards } from "./failure-text.js";
import { formatValue } from "./format-value.js";
import { renderState } from "./state-text.js";
import { table, type Style } from "./style.js";

/** Render a scenario report as text. */
export function renderReport(r: ScenarioReport, s: Style, opts: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`${s.bold(r.scenario)} ${s.dim(`(${r.file})`)}`);
  for (const res of r.results) {
    const checked = res.steps.reduce((n, st) => n + st.expectations.length, 0);
    const failed = res.steps.reduce((n, st) => n + st.expectations.filter((e) => !e.pass).length + (st.error !== undefined ? 1 : 0), 0);
    if (res.error !== undefined && res.blocked === undefined) {
      lines.push(`  ${s.bad("FAIL")} ${res.policy}: could not build the kernel: ${res.error}`);
      continue;
    }
    const status = res.passed ? s.ok("PASS") : s.bad("FAIL");
    const hz = summarizeHazards(res.hazards);
    const label = res.kernel !== undefined && res.kernel !== DEFAULT_KERNEL ? `${res.policy} @${res.kernel}` : res.policy;
    lines.push(`  ${status} ${label.padEnd(16)} ${res.steps.length} steps, ${checked} expectations${failed > 0 ? `, ${s.bad(`${failed} failed`)}` : ""}, ${hz}`);
    if (res.blocked !== undefined) lines.push(`      ${s.bad("✗")} this order cannot happen, the run stopped: ${res.blocked.message}`);
    for (const st of res.steps) {
      const bad = st.expectations.filter((e) => !e.pass);
      if (st.error !== undefined) lines.push(`      ${s.bad("✗")} step ${st.index} (${st.op}): ${st.error}`);
      for (const e of bad) {
        lines.push(`      ${s.bad("✗")} step ${st.index} (${st.op}) ${e.key}${e.byPolicy === true ? s.dim(` [${res.policy}]`) : ""}: expected ${formatValue(e.expected)}, got ${describeGot(e)}`);
      }
      if (opts.verbose === true && bad.length === 0 && st.error === undefined) {
        lines.push(`      ${s.dim(`step ${st.index} ${st.op}${st.inside !== undefined ? ` (inside step ${st.inside.step}, at ${st.inside.point})` : ""}${st.errno !== null ? ` -> ${st.errno}${st.message !== undefined ? `: ${st.message}` : ""}` : st.result !== null ? ` -> ${formatValue(st.result)}` : ""}`)}`);
      }
      if (st.state !== undefined) lines.push(...renderState(st.state, st.index, st.op, s));
    }
    if (res.hazards.length > 0) {
      const rows = [["", "step", "class", "outcome", "device", "detail"].map((h) => s.dim(h))];
      for (const h of res.hazards) {
        const outcome = h.outcome === "undetected" ? s.bad(h.outcome) : h.outcome === "detected" ? s.warn(h.outcome) : s.ok(h.outcome);
        rows.push(["", String(h.step), h.class, outcome, h.device, h.detail]);
      }
      lines.push(table(rows).split("\n").map((l) => `    ${l}`).join("\n"));
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Render one event of the trace: its fields in order, leaving out absent ones (as its JSON does). */
export function renderEvent(e: KernelEvent): string {
  const { type, seq, t, ...rest } = e as KernelEvent & Record<string, unknown>;
  const fields = Object.entries(rest).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${formatValue(v)}`).join(" ");
  return `${String(seq).padStart(6)} ${`${t}ns`.padStart(12)} ${type.padEnd(14)} ${fields}`;
}
