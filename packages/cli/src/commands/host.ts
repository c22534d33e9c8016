/**
 * `pinlab host FILE|DIR... [--policy NAME] [--kernel ERA] [--format text|json] [--verbose]` (issue 20): run each
 * scenario on the running Linux kernel through the host agent, beside the model, and compare every
 * expectation three ways: expected, model, host. Exit 0 when every observed expectation agrees
 * between model and host, 1 when one does not (or a scenario stopped early), 2 for bad input or a
 * host that cannot run it (not Linux, no C compiler).
 * @module
 */
import { formatProblem } from "@pinlab/core";
import { buildAgent } from "../host/agent-build.js";
import { hostFacts, nearestEra } from "../host/host-facts.js";
import { summarize, type HostReport, type ScenarioHostReport } from "../host/host-report.js";
import { hostScenario, hostPolicy } from "../host/host-run.js";
import { EXIT, UsageError, type CliIo } from "../io.js";
import { renderHostScenario, renderHostSummary } from "../output/host-text.js";
import { style } from "../output/style.js";
import { kernelOverride, readScenarios, setUp, type CommonOptions } from "./shared.js";

/** Options of `pinlab host`. */
export interface HostCommandOptions extends CommonOptions {
  /** The one policy the model runs under (default: the scenario's, else pin-bias). */
  readonly policy?: string;
  /** The model's era (default: the era nearest the host's kernel). */
  readonly kernel?: string;
  /** Output format. */
  readonly format?: string;
  /** Show every step and expectation. */
  readonly verbose?: boolean;
}

/** Run scenario files on the host. Returns the exit status. */
export async function hostCommand(files: readonly string[], opts: HostCommandOptions, io: CliIo): Promise<number> {
  const format = opts.format ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, got "${format}"`);
  if (opts.policy !== undefined && (opts.policy.includes(",") || opts.policy === "all")) {
    throw new UsageError(`--policy: pinlab host compares the host with one policy, got "${opts.policy}"`);
  }
  if (process.platform !== "linux") throw new UsageError(`pinlab host runs scenarios on a Linux kernel; this is ${process.platform}`);
  const { container } = await setUp(opts, io);
  const { loaded, problems, skipped } = readScenarios(files, container, io);
  if (problems.length > 0) {
    io.err(`${problems.map(formatProblem).join("\n")}\n`);
    return EXIT.USAGE;
  }
  for (const l of loaded) hostPolicy(l, container, opts.policy); // an unknown --policy is bad input before anything runs
  const s = style(io.isTTY, io.env);
  let agent;
  try {
    agent = buildAgent();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const facts = hostFacts(agent.compiler);
  const kernel = kernelOverride(opts.kernel, io) ?? nearestEra(facts.kernel);
  for (const sk of skipped) (format === "text" ? io.out : io.err)(`${s.dim(`skipped ${sk.file} (${sk.why})`)}\n`);
  if (format === "text") io.out(`${s.dim(`model at ${kernel} (nearest ${facts.kernel}); agent ${agent.path}${agent.cached ? "" : " (built now)"}`)}\n`);
  const reports: ScenarioHostReport[] = [];
  for (const [n, sc] of loaded.entries()) {
    if (format === "text" && io.isTTY) io.err(`\r[${n + 1}/${loaded.length}] ${sc.file}\x1b[K`);
    const r = await hostScenario(sc, { container, kernel, facts, agentPath: agent.path, cwd: io.cwd, ...(opts.policy !== undefined ? { policy: opts.policy } : {}) });
    reports.push(r);
    if (format === "text") {
      if (io.isTTY) io.err("\r\x1b[K");
      io.out(renderHostScenario(r, s, opts.verbose === true));
    }
  }
  const report: HostReport = { host: facts, scenarios: reports, summary: summarize(reports) };
  if (format === "json") io.out(`${JSON.stringify(report)}\n`);
  else io.out(renderHostSummary(report, s));
  return report.summary.disagree > 0 || reports.some((r) => r.error !== undefined) ? EXIT.FAILED : EXIT.OK;
}
