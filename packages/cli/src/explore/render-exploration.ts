/**
 * (issue 21) What `pinlab explore` prints: the counts, then per run (policy and kernel era) each
 * finding with its order and the scenario that replays it and the hazard classes no order within
 * the bound shows, then the scenario's `explore` entries checked.
 * @module
 */

import type { ExploreCheck } from "./explore-checks.js";
import type { ExploreFinding } from "./explore-orders.js";

/** One finding as reported (`--format json` prints the report as is): the finding and the replayable scenario written for it. */
export interface ReportedFinding extends ExploreFinding {
  /** The replayable scenario written. */
  readonly scenario: string;
}

/** The report of one exploration. */
export interface ExploreReport {
  /** The scenario's name. */
  readonly scenario: string;
  /** Its file. */
  readonly file: string;
  /** How many concurrent blocks it has. */
  readonly blocks: number;
  /** The preemption bound, when one was given. */
  readonly bound?: number;
  /** The naive count of orders (the product over blocks of the orders each allows). */
  readonly orders: number;
  /** Orders run (each under every policy and kernel). */
  readonly explored: number;
  /** True when every order within the bound was run or is equivalent to one run. */
  readonly exhaustive: boolean;
  /** Runs (order, policy, kernel) that stopped because the order cannot happen (a step at a point would wait for a lock). */
  readonly blocked: number;
  /** The runs of each order: `policy@kernel`. */
  readonly runs: readonly string[];
  /** The findings. */
  readonly findings: readonly ReportedFinding[];
  /** Per run (`policy@kernel`), the hazard classes no order within the bound shows. */
  readonly absent: Readonly<Record<string, readonly string[]>>;
  /** The scenario's `explore` entries, checked. */
  readonly checks: readonly ExploreCheck[];
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;

/** The text report. */
export function renderExploration(r: ExploreReport): string {
  const lines: string[] = [`${r.scenario} (${r.file})`];
  if (r.blocks === 0) lines.push("  no concurrent block: one order, run as written");
  else {
    lines.push(`  ${plural(r.blocks, "concurrent block")}, ${r.bound === undefined ? "no preemption bound" : `at most ${plural(r.bound, "preemption")} per block`}`);
    lines.push(`  orders ${r.orders}, explored ${r.explored}${r.exhaustive ? ", exhaustive within the bound (every order skipped is equivalent to one explored)" : ", NOT exhaustive"}`);
    if (r.blocked > 0) lines.push(`  ${plural(r.blocked, "run")} stopped: the order cannot happen (a step at a preemption point would wait for a lock the interrupted step holds)`);
  }
  for (const run of r.runs) {
    const mine = r.findings.filter((f) => `${f.policy}@${f.kernel}` === run);
    lines.push(`  ${run.replace("@", " @")}: ${plural(mine.length, "finding")}`);
    for (const f of mine) {
      lines.push(`    ${f.class} ${f.outcome}: order ${f.trace.map((o) => `[${o.join(", ")}]`).join(" ")} (${plural(f.preemptions, "preemption")})`);
      lines.push(`      replay: pinlab run ${f.scenario}`);
    }
    const none = r.absent[run] ?? [];
    if (none.length > 0) lines.push(`    no order within the bound shows: ${none.join(", ")}`);
  }
  if (r.checks.length > 0) {
    const failed = r.checks.filter((c) => c.status === "fail").length;
    lines.push(`  explore expectations: ${failed === 0 ? "all hold" : `${failed} FAILED`}`);
    for (const c of r.checks) {
      const mark = c.status === "pass" ? "ok  " : c.status === "fail" ? "FAIL" : "--  ";
      lines.push(`    ${mark} [${c.entry}] ${c.kind} ${c.selector}${c.run !== undefined ? ` under ${c.run.replace("@", " @")}` : ""}: ${c.why}${c.note !== undefined ? ` (${c.note})` : ""}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
