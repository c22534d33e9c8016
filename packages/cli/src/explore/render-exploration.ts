/**
 * (issue 21) What `pinlab explore` prints: the counts, then each finding with its order and the
 * scenario that replays it, then per policy the hazard classes no order within the bound shows.
 * @module
 */

import type { ExploreFinding } from "./explore-orders.js";

/** One finding as reported (`--format json` prints the report as is): the finding and the replayable scenario written for it. */
export interface ReportedFinding extends ExploreFinding {
  /** The replayable scenario written. */
  readonly scenario: string;
  /** A link opening it in the playground (`--playground URL`). */
  readonly playground?: string;
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
  /** The naive count of orders (the product of the blocks' multinomials). */
  readonly orders: number;
  /** Orders run. */
  readonly explored: number;
  /** True when every order within the bound was run or is equivalent to one run. */
  readonly exhaustive: boolean;
  /** The findings. */
  readonly findings: readonly ReportedFinding[];
  /** Per policy, the hazard classes no order within the bound shows. */
  readonly absent: Readonly<Record<string, readonly string[]>>;
}

/** The text report. */
export function renderExploration(r: ExploreReport, policies: readonly string[]): string {
  const lines: string[] = [`${r.scenario} (${r.file})`];
  if (r.blocks === 0) lines.push("  no concurrent block: one order, run as written");
  else {
    lines.push(`  ${r.blocks} concurrent block${r.blocks === 1 ? "" : "s"}, ${r.bound === undefined ? "no preemption bound" : `at most ${r.bound} preemption${r.bound === 1 ? "" : "s"} per block`}`);
    lines.push(`  orders ${r.orders}, explored ${r.explored}${r.exhaustive ? ", exhaustive within the bound (every order skipped is equivalent to one explored)" : ", NOT exhaustive"}`);
  }
  for (const p of policies) {
    const mine = r.findings.filter((f) => f.policy === p);
    lines.push(`  ${p}${mine[0] !== undefined ? ` @${mine[0].kernel}` : ""}: ${mine.length} finding${mine.length === 1 ? "" : "s"}`);
    for (const f of mine) {
      lines.push(`    ${f.class} ${f.outcome}: order ${f.trace.map((o) => `[${o.join(", ")}]`).join(" ")} (${f.preemptions} preemption${f.preemptions === 1 ? "" : "s"})`);
      lines.push(`      replay: pinlab run ${f.scenario}`);
      if (f.playground !== undefined) lines.push(`      playground: ${f.playground}`);
    }
    const none = r.absent[p] ?? [];
    if (none.length > 0) lines.push(`    no order within the bound shows: ${none.join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}
