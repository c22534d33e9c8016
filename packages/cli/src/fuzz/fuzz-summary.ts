/**
 * The summary of a fuzz run, as text for the terminal and as the `summary.json` written beside
 * the findings: steps per policy, the rate, findings per class, and per-op coverage (which
 * outcomes, errnos included, each op reached).
 * @module
 */
import { FINDING_CLASSES } from "./classify.js";
import type { FuzzTotals } from "./fuzz-totals.js";

/** What the run was asked. */
export interface RunInfo {
  /** Base seed. */
  readonly seed: number;
  /** Policies. */
  readonly policies: readonly string[];
  /** The kernel era every generated scenario ran at (`--kernel`); absent: each policy's own. */
  readonly kernel?: string;
  /** Worker processes. */
  readonly jobs: number;
  /** Wall time in ms. */
  readonly elapsedMs: number;
  /** Files written per unique finding (same order as `totals.unique`). */
  readonly files: readonly string[];
}

/** The JSON summary. */
export function summaryJson(t: FuzzTotals, info: RunInfo): Record<string, unknown> {
  const seconds = info.elapsedMs / 1000;
  return {
    seed: info.seed, policies: info.policies, kernel: info.kernel ?? null, jobs: info.jobs, cases: t.cases, steps: t.steps, totalSteps: t.totalSteps,
    elapsedSeconds: Math.round(seconds * 10) / 10, stepsPerSecond: seconds > 0 ? Math.round(t.totalSteps / seconds) : 0,
    findings: t.classCounts,
    unique: t.unique.map((u, i) => ({ class: u.finding.finding.class, policy: u.finding.finding.policy, message: u.finding.finding.message, seed: u.seed, count: u.count, file: info.files[i] })),
    coverage: t.coverage,
  };
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** The text summary. */
export function summaryText(t: FuzzTotals, info: RunInfo): string {
  const seconds = info.elapsedMs / 1000;
  const lines = [
    `fuzz: seed ${info.seed}, ${fmt(t.cases)} scenarios, ${fmt(t.totalSteps)} steps in ${seconds.toFixed(1)}s (${fmt(Math.round(t.totalSteps / Math.max(seconds, 0.001)))} steps/s, ${info.jobs} job${info.jobs === 1 ? "" : "s"}); each run twice, invariants after every step`,
    `kernel: ${info.kernel ?? "each policy's own era"}`,
    `steps per policy: ${info.policies.map((p) => `${p} ${fmt(t.steps[p] ?? 0)}`).join(", ")}`,
    `findings: ${FINDING_CLASSES.map((c) => `${c} ${t.classCounts[c]}`).join(", ")}`,
  ];
  t.unique.forEach((u, i) => {
    const f = u.finding.finding;
    lines.push(`  ${f.class} under ${f.policy}${u.count > 1 ? ` (${u.count} cases)` : ""}: ${f.message.split("\n")[0].slice(0, 200)}`);
    if (info.files[i] !== undefined) lines.push(`    ${info.files[i]}${u.finding.shrink !== undefined ? ` (shrunk from ${u.finding.shrink.from} to ${u.finding.shrink.to} steps)` : ""}`);
  });
  lines.push("coverage (outcomes per op):");
  for (const op of Object.keys(t.coverage).sort()) {
    const row = Object.entries(t.coverage[op]).sort((a, b) => b[1] - a[1]);
    lines.push(`  ${op.padEnd(28)} ${row.map(([o, n]) => `${o} ${fmt(n)}`).join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}
