/**
 * `pinlab host FILE|DIR... [--policy NAME] [--kernel ERA] [--format text|json] [--verbose]` (issue 20): run each
 * scenario on the running Linux kernel through the host agent, beside the model, and compare every
 * expectation three ways: expected, model, host. Exit 0 when every observed expectation agrees
 * between model and host, 1 when one does not (or a scenario stopped early), 2 for bad input or a
 * host that cannot run it (not Linux, no C compiler).
 * @module
 */
import { formatProblem, ScenarioError } from "@pinlab/core";
import { buildAgent } from "../host/agent-build.js";
import { hostFacts, nearestEra } from "../host/host-facts.js";
import { summarize, type HostReport, type ScenarioHostReport } from "../host/host-report.js";
import { hostScenario, hostPolicy } from "../host/host-run.js";
import { takeHostLock } from "../host/host-lock.js";
import { HostSession } from "../host/host-session.js";
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
  // An unknown --policy (or a scenario naming one) is bad input before anything runs.
  try {
    for (const l of loaded) hostPolicy(l, container, opts.policy);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    io.err(`${e.problems.map(formatProblem).join("\n").replace(/ \(or all\)$/, "")}\n`);
    return EXIT.USAGE;
  }
  const s = style(io.isTTY, io.env);
  let agent: ReturnType<typeof buildAgent>;
  try {
    agent = buildAgent();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const agentPath = agent.path;
  const facts = hostFacts(agent.compiler);
  const chosen = kernelOverride(opts.kernel, io);
  const kernel = chosen ?? nearestEra(facts.kernel);
  for (const sk of skipped) (format === "text" ? io.out : io.err)(`${s.dim(`skipped ${sk.file} (${sk.why})`)}\n`);
  if (format === "text") {
    const why = chosen !== undefined ? `chosen; the host runs ${facts.kernel}` : `nearest the host's ${facts.kernel}`;
    io.out(`${s.dim(`model at ${kernel} (${why}); agent ${agent.path}${agent.cached ? "" : " (built now)"}`)}\n`);
  }
  // One run at a time: the pin counters, pools, THP settings and swap are the machine's.
  const release = await takeHostLock((pid) => io.err(`waiting for another pinlab host run (pid ${pid}) to finish: host runs take the machine's pin counters, pools and swap one at a time\n`));
  // Ctrl-C or a kill puts the machine back (pools, THP settings, swap, mounts, files) before exiting.
  const onSignal = (signal: NodeJS.Signals) => {
    void Promise.all([...HostSession.active].map((ss) => ss.close())).finally(() => {
      release();
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const reports: ScenarioHostReport[] = [];
  try {
    for (const [n, sc] of loaded.entries()) {
      if (format === "text" && io.isTTY) io.err(`\r[${n + 1}/${loaded.length}] ${sc.file}\x1b[K`);
      const r = await hostScenario(sc, { container, kernel, facts, agentPath, cwd: io.cwd, ...(opts.policy !== undefined ? { policy: opts.policy } : {}) });
      reports.push(r);
      if (format === "text") {
        if (io.isTTY) io.err("\r\x1b[K");
        io.out(renderHostScenario(r, s, opts.verbose === true));
      }
    }
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    release();
  }
  const report: HostReport = { host: facts, scenarios: reports, summary: summarize(reports) };
  if (format === "json") io.out(`${JSON.stringify(report)}\n`);
  else io.out(renderHostSummary(report, s));
  const m = report.summary;
  return m.disagree > 0 || m.outcomesDiffer > 0 || m.stopped > 0 ? EXIT.FAILED : EXIT.OK;
}
