/**
 * `pinlab bench` and `pinlab start`: run the comparative bench and report it.
 * @module
 */
import { relative, resolve } from "node:path";
import {
  BenchInputError, planBench, renderCsv, renderMarkdown, renderTerminal, runBench, writeReport, type BenchOptions, type BenchPlan, type BenchResults,
} from "@pinlab/bench";
import { loadPinlabConfig } from "../config/pinlab-config.js";
import { EXIT, UsageError, type CliIo } from "../io.js";
import { kernelsOption, outDirOption, parseParams, parseSize, parseSweeps, parseWorkers, pluginSpecifiers, policiesOption, listOption, seedOption, seedsOption, shardOption } from "./bench-options.js";
import { progressReporter } from "./bench-progress.js";
import { scenarioSources } from "./bench-scenarios.js";

/** Output formats of `pinlab bench` on stdout. */
export const BENCH_FORMATS = ["table", "json", "csv", "md"] as const;

/** Options of `pinlab bench`, as commander gives them. */
export interface BenchCommandOptions {
  /** `--workloads a,b`. */
  readonly workloads?: string;
  /** `--scenarios FILE|DIR`, repeatable, each possibly comma-separated. */
  readonly scenarios?: readonly string[];
  /** `--policies all|a,b`. */
  readonly policies?: string;
  /** `--kernels all|a,b`: the kernel-era axis. */
  readonly kernels?: string;
  /** `--kernel ID`: every policy at ID. */
  readonly kernel?: string;
  /** `--devices a,b`. */
  readonly devices?: string;
  /** `--size`. */
  readonly size?: string;
  /** `--seed`. */
  readonly seed?: string;
  /** `--workers`. */
  readonly workers?: string;
  /** `--shard K/N`. */
  readonly shard?: string;
  /** `--out DIR`. */
  readonly out?: string;
  /** `--format`. */
  readonly format?: string;
  /** `--param WORKLOAD.KEY=VALUE`, repeatable. */
  readonly param?: readonly string[];
  /** `--sweep TARGET.KEY=v1,v2,...`, repeatable. */
  readonly sweep?: readonly string[];
  /** `--seeds N`. */
  readonly seeds?: string;
  /** `--config`. */
  readonly config?: string;
  /** `--plugin`, repeatable. */
  readonly plugin?: readonly string[];
  /** `--dry-run`: check the options and print the cells, run nothing. */
  readonly dryRun?: boolean;
}

/** Turn command-line values into bench options; throws UsageError naming the bad flag. */
export function benchOptions(o: BenchCommandOptions, io: CliIo, defaults: { workers: number }): BenchOptions {
  const config = loadPinlabConfig(io.cwd, o.config);
  const kernels = kernelsOption({
    kernels: o.kernels, kernel: o.kernel, env: io.env.PINLAB_KERNEL,
    ...(config.kernels !== undefined ? { config: { kernels: config.kernels, source: config.source ?? "config" } } : {}),
  });
  const scenarios = scenarioSources(o.scenarios, io);
  return {
    plugins: pluginSpecifiers(io, o),
    workloads: listOption(o.workloads, "--workloads", "workload ids (see pinlab bench workloads)"),
    ...(scenarios !== undefined ? { scenarios } : {}),
    policies: policiesOption(o.policies),
    ...(kernels !== undefined ? { kernels } : {}),
    devices: listOption(o.devices, "--devices", "device kinds (none for the variants without a device)"),
    size: parseSize(o.size),
    seed: seedOption(o.seed),
    workers: parseWorkers(o.workers, defaults.workers),
    shard: shardOption(o.shard),
    params: parseParams(o.param),
    sweeps: parseSweeps(o.sweep),
    seeds: seedsOption(o.seeds),
    // The config's policyOptions apply to the bench too (its `policy` does not narrow the matrix: --policies does).
    policyOptions: config.policyOptions,
  };
}

/** Plan a bench (check every option against the registries); bad input becomes a UsageError. */
export async function planOrRefuse(opts: BenchOptions): Promise<BenchPlan> {
  try {
    return await planBench(opts);
  } catch (e) {
    if (e instanceof BenchInputError) throw new UsageError(e.message);
    throw e;
  }
}

/** `--dry-run`: the plan's cells, one id a line, after a line counting them. */
export function printPlan(plan: BenchPlan, opts: BenchOptions, io: CliIo): void {
  const shard = opts.shard !== undefined ? `, shard ${opts.shard.index}/${opts.shard.count}` : "";
  const seeds = plan.seeds > 1 ? `, ${plan.seeds} seeds each (${plan.cells.length * plan.seeds} cell runs)` : "";
  io.out(`pinlab bench --dry-run: ${plan.cells.length} of ${plan.matrixCells} cells${shard}${seeds}; nothing run\n${plan.cells.map((c) => `  ${c.id}\n`).join("")}`);
  if (plan.note !== undefined) io.err(`note: ${plan.note}\n`);
}

/** Run a bench with a progress bar; bad input becomes a UsageError. */
export async function runWithProgress(opts: BenchOptions, io: CliIo): Promise<BenchResults> {
  const plan = await planOrRefuse(opts);
  if (plan.note !== undefined) io.err(`note: ${plan.note}\n`);
  const bar = progressReporter(io, plan.cells.length * plan.seeds, plan.seeds > 1 ? "cell runs" : "cells");
  try {
    return await runBench({ ...opts, onProgress: (p) => bar.update(p) }, plan);
  } finally {
    bar.stop();
  }
}

/** Print results on stdout in `format`. */
export function printResults(results: BenchResults, format: string, io: CliIo): void {
  if (format === "json") io.out(`${JSON.stringify(results, null, 2)}\n`);
  else if (format === "csv") io.out(renderCsv(results));
  else if (format === "md") io.out(renderMarkdown(results));
  else io.out(renderTerminal(results));
}

/** Write the report files into `out` (relative to the working directory) and say where they are, on stderr or stdout. */
export function writeAndTell(results: BenchResults, out: string, io: CliIo, to: "out" | "err" = "err"): void {
  const files = writeReport(results, resolve(io.cwd, out));
  const rel = (p: string) => {
    const r = relative(io.cwd, p);
    return r === "" || r.startsWith("..") ? p : r;
  };
  (to === "out" ? io.out : io.err)(`report: ${rel(files.html)}\nresults: ${rel(files.json)} (also ${rel(files.csv)}, ${rel(files.markdown)})\n`);
}

/** The exit status of a run: 1 when a cell failed. Scenario cells whose expectations failed are named (a warning: a scenario may expect one thing of the policies it was written for only). */
export function runStatus(results: BenchResults, io: CliIo): number {
  const unmet = results.cells.filter((c) => c.error === undefined && typeof c.counters.expectationsFailed === "number" && c.counters.expectationsFailed > 0);
  if (unmet.length > 0) {
    io.err(`${unmet.length} scenario cell(s) did not meet their expectations (pinlab run --policy P FILE shows which):\n${unmet.map((c) => `  ${c.id}: ${c.counters.expectationsFailed} failed`).join("\n")}\n`);
  }
  const failed = results.cells.filter((c) => c.error !== undefined);
  if (failed.length === 0) return EXIT.OK;
  io.err(`${failed.length} cell(s) failed:\n${failed.map((c) => `  ${c.id}: ${c.error}`).join("\n")}\n`);
  return EXIT.FAILED;
}

/** `pinlab bench [options]`. */
export async function benchCommand(o: BenchCommandOptions, io: CliIo): Promise<number> {
  const format = o.format ?? "table";
  const opts = benchOptions(o, io, { workers: 2 });
  const out = outDirOption(o.out, io);
  if (o.dryRun === true) {
    printPlan(await planOrRefuse(opts), opts, io);
    return EXIT.OK;
  }
  const results = await runWithProgress(opts, io);
  printResults(results, format, io);
  if (out !== undefined) writeAndTell(results, out, io);
  return runStatus(results, io);
}

/** Where `pinlab start` writes its report. */
export const START_OUT = "pinlab-report";

/** `pinlab start`: the default bench (size small, every workload and policy, 2 workers), reported into pinlab-report/. */
export async function startCommand(o: Pick<BenchCommandOptions, "config" | "plugin" | "workers" | "out" | "size" | "sweep" | "seeds">, io: CliIo): Promise<number> {
  const opts = benchOptions({ ...o }, io, { workers: 2 });
  const out = outDirOption(o.out ?? START_OUT, io)!;
  const results = await runWithProgress(opts, io);
  io.out(renderTerminal(results));
  writeAndTell(results, out, io, "out");
  return runStatus(results, io);
}
