/**
 * `pinlab run FILE... [--policy NAME|all] [--kernel ERA] [--format text|json] [--trace] [--seed N] [--state STEPS]`:
 * run scenarios under their policies, each at its kernel era; exit 0 when every expectation held, 1 when one failed, 2 for
 * bad input.
 * @module
 */
import { DEFAULT_KERNEL, formatProblem, runScenario, ScenarioError } from "@pinlab/core";
import { EXIT, UsageError, type CliIo } from "../io.js";
import { renderEvent, renderReport } from "../output/text-report.js";
import { style } from "../output/style.js";
import { kernelOverride, parseSeed, policyOverride, readScenarios, setUp, type CommonOptions } from "./shared.js";

/** Options of `pinlab run`. */
export interface RunCommandOptions extends CommonOptions {
  /** Policy name(s) or `all`. */
  readonly policy?: string;
  /** Kernel era (wins over PINLAB_KERNEL, the scenario's and the config's). */
  readonly kernel?: string;
  /** Output format. */
  readonly format?: string;
  /** Print the event stream. */
  readonly trace?: boolean;
  /** Seed override. */
  readonly seed?: string;
  /** Audit the model after every step. */
  readonly check?: boolean;
  /** Show every step, not only failures. */
  readonly verbose?: boolean;
  /** (issue 19) Steps after which to show the state: indexes from 0, comma-separated, or `all`. */
  readonly state?: string;
}

/** `--state`: the step indexes asked for, or `all`. Throws UsageError naming the flag. */
export function parseStateSteps(value: string | undefined): ReadonlySet<number> | "all" | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === "all") return "all";
  const steps = new Set<number>();
  for (const part of value.split(",")) {
    const t = part.trim();
    if (!/^\d+$/.test(t)) throw new UsageError(`--state: "${t}" is not a step index (steps count from 0; give indexes, comma-separated, or all)`);
    steps.add(Number(t));
  }
  return steps;
}

/** Run scenario files. Returns the exit status. */
export async function runCommand(files: readonly string[], opts: RunCommandOptions, io: CliIo): Promise<number> {
  const format = opts.format ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, got "${format}"`);
  const seed = parseSeed(opts.seed);
  const stateSteps = parseStateSteps(opts.state);
  const kernel = kernelOverride(opts.kernel, io);
  const { config, container } = await setUp(opts, io);
  const policy = policyOverride(opts.policy, io, container);
  const { loaded, problems, skipped } = readScenarios(files, container, io);
  if (problems.length > 0) {
    io.err(`${problems.map(formatProblem).join("\n")}\n`);
    return EXIT.USAGE;
  }
  const s = style(io.isTTY, io.env);
  // Text output says which files of a directory were no scenario; JSON output keeps stdout to reports.
  for (const sk of skipped) {
    const line = `${s.dim(`skipped ${sk.file} (${sk.why})`)}\n`;
    if (format === "text") io.out(line);
    else io.err(line);
  }
  // A step index no file has is a mistake; one that some files have applies to those (a directory of stories of several lengths).
  if (stateSteps !== undefined && stateSteps !== "all" && loaded.length > 0) {
    const longest = Math.max(...loaded.map((sc) => sc.steps.length));
    const beyond = [...stateSteps].filter((i) => i >= longest);
    if (beyond.length > 0) {
      const sc = loaded.find((x) => x.steps.length === longest)!;
      throw new UsageError(`--state ${beyond.join(",")}: ${loaded.length === 1 ? sc.file : `the longest file, ${sc.file},`} has ${longest} steps (0-${longest - 1})`);
    }
  }
  let failed = false;
  for (const sc of loaded) {
    const stateAt = stateSteps === "all" ? new Set(sc.steps.map((_, i) => i)) : stateSteps;
    let report;
    try {
      report = runScenario(sc, {
        container, policy, seed, trace: opts.trace === true, checkInvariants: opts.check === true,
        defaultPolicy: config.policy, policyOptions: config.policyOptions, ...(stateAt !== undefined ? { stateAt } : {}),
        ...(kernel !== undefined ? { kernel } : {}), ...(config.kernel !== undefined ? { defaultKernel: config.kernel } : {}),
      });
    } catch (e) {
      if (e instanceof ScenarioError) {
        io.err(`${e.problems.map(formatProblem).join("\n")}\n`);
        return EXIT.USAGE;
      }
      throw e;
    }
    if (report.results.some((r) => !r.passed)) failed = true;
    if (format === "json") {
      io.out(`${JSON.stringify(report)}\n`);
      continue;
    }
    if (opts.trace === true) {
      for (const r of report.results) {
        io.out(`${s.bold(`-- trace: ${report.scenario} under ${r.policy}${r.kernel !== undefined && r.kernel !== DEFAULT_KERNEL ? ` @${r.kernel}` : ""} (${r.events?.length ?? 0} events)`)}\n`);
        for (const e of r.events ?? []) io.out(`${renderEvent(e)}\n`);
      }
    }
    io.out(renderReport(report, s, { verbose: opts.verbose === true }));
  }
  if (format === "text" && loaded.length > 1) {
    io.out(`${failed ? s.bad("some scenarios failed") : s.ok(`all ${loaded.length} scenarios passed`)}\n`);
  }
  return failed ? EXIT.FAILED : EXIT.OK;
}
