/**
 * `pinlab matrix [DIR|FILE...]`: run a scenario library under every policy each file names and
 * print scenario x policy -> pass/fail and the hazards seen.
 * @module
 */
import { formatProblem, runScenario, type ScenarioReport } from "@pinlab/core";
import { EXIT, type CliIo } from "../io.js";
import { style, table } from "../output/style.js";
import { readScenarios, setUp, type CommonOptions } from "./shared.js";

/** Summarise hazards as `class:outcome` counts. */
export function hazardSummary(h: readonly { class: string; outcome: string }[]): string {
  const counts = new Map<string, number>();
  for (const x of h) counts.set(`${x.class}:${x.outcome}`, (counts.get(`${x.class}:${x.outcome}`) ?? 0) + 1);
  return [...counts].map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join(", ");
}

/** Run the library and print the matrix. */
export async function matrixCommand(paths: readonly string[], opts: CommonOptions, io: CliIo): Promise<number> {
  const { container, config } = await setUp(opts, io);
  const { loaded, problems } = readScenarios(paths.length > 0 ? paths : ["scenarios"], container, io);
  if (problems.length > 0) {
    io.err(`${problems.map(formatProblem).join("\n")}\n`);
    return EXIT.USAGE;
  }
  const s = style(io.isTTY, io.env);
  const reports: ScenarioReport[] = loaded.map((sc) => runScenario(sc, { container, checkInvariants: true, defaultPolicy: config.policy, policyOptions: config.policyOptions }));
  const rows: string[][] = [["scenario", "policy", "result", "hazards"].map((x) => s.bold(x))];
  let failed = 0;
  for (const r of reports) {
    r.results.forEach((res, i) => {
      if (!res.passed) failed++;
      rows.push([i === 0 ? r.scenario : "", res.policy, res.passed ? s.ok("pass") : s.bad("FAIL"), hazardSummary(res.hazards) || s.dim("-")]);
    });
  }
  io.out(`${table(rows)}\n\n${reports.length} scenarios, ${reports.reduce((n, r) => n + r.results.length, 0)} runs, ${failed === 0 ? s.ok("all passed") : s.bad(`${failed} failed`)}\n`);
  return failed === 0 ? EXIT.OK : EXIT.FAILED;
}
