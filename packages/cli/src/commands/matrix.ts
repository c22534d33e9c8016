/**
 * `pinlab matrix [DIR|FILE...]`: run a scenario library under every policy each file names and
 * print scenario x policy -> pass/fail and the hazards seen.
 * @module
 */
import { formatProblem, runScenario, type ScenarioReport } from "@pinlab/core";
import { EXIT, type CliIo } from "../io.js";
import { style, table } from "../output/style.js";
import { kernelOverride, readScenarios, setUp, type CommonOptions } from "./shared.js";

/** Options of `pinlab matrix`. */
export interface MatrixOptions extends CommonOptions {
  /** Kernel era (wins over PINLAB_KERNEL, each scenario's and the config's). */
  readonly kernel?: string;
}

/** Summarise hazards as `class:outcome` counts. */
export function hazardSummary(h: readonly { class: string; outcome: string }[]): string {
  const counts = new Map<string, number>();
  for (const x of h) counts.set(`${x.class}:${x.outcome}`, (counts.get(`${x.class}:${x.outcome}`) ?? 0) + 1);
  return [...counts].map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join(", ");
}

/** Run the library and print the matrix. */
export async function matrixCommand(paths: readonly string[], opts: MatrixOptions, io: CliIo): Promise<number> {
  const kernel = kernelOverride(opts.kernel, io);
  const { container, config } = await setUp(opts, io);
  const { loaded, problems, skipped } = readScenarios(paths.length > 0 ? paths : ["scenarios"], container, io);
  if (problems.length > 0) {
    io.err(`${problems.map(formatProblem).join("\n")}\n`);
    return EXIT.USAGE;
  }
  const s = style(io.isTTY, io.env);
  const reports: ScenarioReport[] = loaded.map((sc) => runScenario(sc, {
    container, checkInvariants: true, defaultPolicy: config.policy, policyOptions: config.policyOptions,
    ...(kernel !== undefined ? { kernel } : {}), ...(config.kernel !== undefined ? { defaultKernel: config.kernel } : {}),
  }));
  const rows: string[][] = [["scenario", "policy", "kernel", "result", "hazards"].map((x) => s.bold(x))];
  let failed = 0;
  for (const r of reports) {
    r.results.forEach((res, i) => {
      if (!res.passed) failed++;
      rows.push([i === 0 ? r.scenario : "", res.policy, res.kernel ?? "-", res.passed ? s.ok("pass") : s.bad("FAIL"), hazardSummary(res.hazards) || s.dim("-")]);
    });
  }
  for (const sk of skipped) io.out(`${s.dim(`skipped ${sk.file} (${sk.why})`)}\n`);
  io.out(`${table(rows)}\n\n${reports.length} scenarios, ${reports.reduce((n, r) => n + r.results.length, 0)} runs, ${failed === 0 ? s.ok("all passed") : s.bad(`${failed} failed`)}\n`);
  return failed === 0 ? EXIT.OK : EXIT.FAILED;
}
