/**
 * The text of a `pinlab host` report (issue 20): per scenario, the steps run on the host and the
 * ones not (with why), then every observed expectation as expected / model / host, with a mark
 * where the model and the host differ; unobservable ones are counted, and listed with `--verbose`.
 * @module
 */
import type { HostReport, ScenarioHostReport } from "../host/host-report.js";
import { formatValue } from "./format-value.js";
import type { Style } from "./style.js";

function v(x: unknown): string {
  return formatValue(x);
}

/** One scenario's text. */
export function renderHostScenario(r: ScenarioHostReport, s: Style, verbose: boolean): string {
  const lines: string[] = [];
  const observed = r.expectations.filter((e) => e.observable);
  const disagree = observed.filter((e) => e.agree !== true);
  const mark = r.error !== undefined ? s.bad("ERROR") : disagree.length > 0 || r.outcomes.length > 0 ? s.bad("DIFF ")
    : observed.length === 0 ? s.dim("NONE ") : s.ok("AGREE");
  lines.push(`${mark} ${r.name} (${r.file}) under ${r.policy} @${r.kernel}: ${r.hostSteps}/${r.steps} steps on the host, ${observed.length - disagree.length}/${observed.length} observed expectations agree${r.expectations.length > observed.length ? `, ${r.expectations.length - observed.length} not observable` : ""}`);
  if (r.error !== undefined) lines.push(`  ${s.bad("stopped:")} ${r.error}`);
  const showSkips = verbose ? r.skipped : r.skipped.slice(0, 5);
  for (const k of showSkips) lines.push(s.dim(`  step ${k.step} ${k.op}: not on this host: ${k.reason}`));
  if (showSkips.length < r.skipped.length) lines.push(s.dim(`  ... ${r.skipped.length - showSkips.length} more steps not on this host (--verbose lists them)`));
  for (const a of verbose ? r.approximate : []) lines.push(s.dim(`  step ${a.step} ${a.op}: approximately: ${a.reason}`));
  for (const o of r.outcomes) {
    lines.push(`  ${s.warn("≠")} step ${o.step} ${o.op}: model ${o.model}, host ${o.host}`);
    for (const a of o.after ?? []) lines.push(s.dim(`      after ${a}`));
  }
  for (const e of r.expectations) {
    if (!e.observable) {
      if (verbose) lines.push(s.dim(`    step ${e.step} ${e.key}: not observable: ${e.why ?? ""}`));
      continue;
    }
    if (e.agree === true && e.modelPasses && !verbose) continue;
    const sign = e.agree === true ? s.ok("=") : s.bad("≠");
    const fails = e.modelPasses ? "" : ` ${s.warn("(the model fails this expectation too: see pinlab run)")}`;
    lines.push(`  ${sign} step ${e.step} ${e.key}: expected ${v(e.expected)}, model ${v(e.model)}, host ${v(e.host)}${fails}${e.why !== undefined ? s.dim(` (${e.why})`) : ""}`);
    if (e.agree !== true) for (const a of e.after ?? []) lines.push(s.dim(`      after ${a}`));
  }
  return `${lines.join("\n")}\n`;
}

/** The summary line. */
export function renderHostSummary(rep: HostReport, s: Style): string {
  const m = rep.summary;
  return `${s.bold("host")} ${rep.host.kernel}${rep.host.root ? " (root)" : " (not root: no frames, page flags or exact pin deltas)"}, ${rep.host.compiler}\n`
    + `${rep.scenarios.length} scenarios: ${m.hostSteps}/${m.steps} steps ran on the host; ${m.observed} expectations observed: ${s.ok(`${m.agree} agree`)}, ${m.disagree > 0 ? s.bad(`${m.disagree} disagree`) : "0 disagree"}`
    + `${m.outcomesDiffer > 0 ? `; ${s.bad(`${m.outcomesDiffer} step outcomes differ`)}` : ""}${m.stopped > 0 ? `; ${s.bad(`${m.stopped} scenarios stopped early`)}` : ""}\n`;
}
