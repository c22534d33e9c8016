/**
 * `pinlab bench merge`, `bench compare`, `bench model`, `bench scaling` and `bench workloads`.
 * @module
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  BenchInputError, compareResults, failedKinds, isDefaultMatrix, MIN_INTERVAL_VALUES, parseFailOn, missingShards, measureSpinners, pluginContainer, registerScenarioWorkloads, workloadSource, workloadsOf, medianSpinMs, mergeResults, parseModelChecks, readResults, renderTerminal, runModelSuite, scalingGoal, scalingSummary,
  spinnerCapacity, textTable, verdict, variantDevice,
  type BenchResults, type CompareReport, type FailOnKind, type GoalResult, type ScalingRun,
} from "@pinlab/bench";
import { EXIT, UsageError, type CliIo } from "../io.js";
import { outDirOption, parseTolerance, parseWorkers, pluginSpecifiers } from "./bench-options.js";
import { scenarioSources } from "./bench-scenarios.js";
import { mergeInputs } from "./merge-inputs.js";
import { benchOptions, printResults, runStatus, runWithProgress, writeAndTell, type BenchCommandOptions } from "./bench-run.js";

function usage(e: unknown): unknown {
  return e instanceof BenchInputError ? new UsageError(e.message) : e;
}

function input<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw usage(e);
  }
}

async function inputAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw usage(e);
  }
}

/**
 * `pinlab bench merge PATH...`: merge shard results into one, print it, and write it to `--out`
 * when given. Each PATH is a results.json, a result directory, a directory of parts or a glob
 * (see {@link mergeInputs}); when a directory or a glob was searched, stderr lists what was found.
 */
export function mergeCommand(paths: readonly string[], o: { readonly out?: string; readonly format?: string; readonly allowPartial?: boolean }, io: CliIo): number {
  const out = outDirOption(o.out, io);
  const { inputs: all, expanded, skipped } = mergeInputs(paths, io.cwd, out);
  for (const s of skipped) io.err(`bench merge: leaving out ${s}: it is in the --out directory (the output of an earlier merge)\n`);
  const read = all.map((i) => ({ ...i, results: input(() => readResults(i.file)) }));
  // A search also finds the output of an earlier merge into a directory below the parts: its
  // cells are the shards' again. One named on the command line is taken as asked.
  const earlier = read.filter((r) => r.found && r.results.context.mergedFrom !== undefined);
  for (const e of earlier) io.err(`bench merge: leaving out ${e.name}: it is the output of an earlier merge (of ${e.results.context.mergedFrom!.length} parts), not a shard\n`);
  const parts = read.filter((r) => !earlier.includes(r));
  if (parts.length === 0) throw new UsageError(`bench merge: every result found is the output of an earlier merge (${earlier.map((e) => e.name).join(", ")}); give the shards' results`);
  if (expanded) io.err(`bench merge: found ${parts.length} result(s): ${parts.map((i) => i.name).join(", ")}\n`);
  const merged = input(() => mergeResults(parts.map((p) => p.results), parts.map((p) => p.name)));
  const lacking = merged.context.matrixCells - merged.cells.length;
  const missing = missingShards(parts.map((p) => p.results.context));
  const partial = lacking > 0
    ? `${lacking} of ${merged.context.matrixCells} cells are missing from the shards given${missing.length > 0 ? `: shard${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ${missing.length > 1 ? "were" : "was"} not given` : ""}`
    : undefined;
  if (partial !== undefined) io.err(`${o.allowPartial === true ? "warning" : "bench merge"}: ${partial}${o.allowPartial === true ? "" : " (the merged results are written; --allow-partial exits 0 for a partial merge)"}\n`);
  printResults(merged, o.format ?? "table", io);
  if (out !== undefined) writeAndTell(merged, out, io);
  const status = runStatus(merged, io);
  return partial !== undefined && o.allowPartial !== true ? EXIT.FAILED : status;
}

/** Options of `pinlab bench compare`, as commander gives them. */
export interface CompareCommandOptions {
  /** `--tolerance 10%`. */
  readonly tolerance?: string;
  /** `--format table|json`. */
  readonly format?: string;
  /** `--allow-mismatch`: compare runs of different sizes or seeds. */
  readonly allowMismatch?: boolean;
  /** `--fail-on time,hazards,refusals,false-positives,other` (or `none`). */
  readonly failOn?: string;
}

/** `12.3 [10.1..15.0] n=5`: a figure with its interval and how many measurements it rests on. */
function withInterval(value: number, i: readonly [number, number] | null, n: number): string {
  return `${value.toFixed(1)} ${i === null ? "[-]" : `[${i[0].toFixed(1)}..${i[1].toFixed(1)}]`} n=${n}`;
}

const KIND_TITLE: Readonly<Record<FailOnKind, string>> = { time: "time", hazards: "hazards", refusals: "refusals", "false-positives": "false positives", other: "other exact results" };

/** `0.52/1.30`: a run's 1-minute load average at its start and end. */
function loadText(r: BenchResults): string {
  const l = r.context.loadAverage;
  return `${l.start[0].toFixed(2)}/${l.end[0].toFixed(2)}`;
}

/** The text form of a comparison: the timing table, one line per kind of change, and the verdict. */
function printCompare(r: CompareReport, failOn: readonly FailOnKind[], failed: readonly FailOnKind[], io: CliIo, loads: readonly string[]): void {
  const rows = [["cell", "metric", "baseline ns/pg [interval]", "new ns/pg [interval]", "ratio", "verdict"], ...r.comparisons.map((c) => [
    c.cell, c.metric, withInterval(c.base, c.baseInterval, c.n[0]), withInterval(c.current, c.currentInterval, c.n[1]), c.text, c.verdict,
  ])];
  if (r.comparisons.length > 0) io.out(`${textTable(rows)}\n`);
  if (r.onlyInBase.length > 0) io.out(`only in the baseline: ${r.onlyInBase.join(", ")}\n`);
  if (r.onlyInNew.length > 0) io.out(`only in the new run: ${r.onlyInNew.join(", ")}\n`);
  const v = r.verdicts;
  const beyond = v.slower + v.faster;
  io.out(`time: ${beyond === 0 ? "no change" : `${v.slower} slower, ${v.faster} faster`} (${r.comparisons.length} compared: ${beyond} beyond their intervals and the ${(r.tolerance * 100).toFixed(0)}% tolerance, ${v["no change"]} inside, ${v["too few samples"]} with fewer than ${MIN_INTERVAL_VALUES} samples or seeds to tell)\n`);
  if (r.comparisons.some((c) => (c.verdict === "slower" || c.verdict === "faster") && c.from === "samples")) {
    io.out("  (an interval from one run's samples holds only the noise inside that run; --seeds 3 on both runs measures the noise from run to run)\n");
  }
  if (beyond > 0) io.out(`  (load average over 1 minute, start/end: baseline ${loads[0]}, new run ${loads[1]}; a busier machine moves every timing)\n`);
  for (const kind of ["hazards", "refusals", "false-positives", "other"] as const) {
    const changes = r.exact.filter((e) => e.kind === kind);
    io.out(`${KIND_TITLE[kind]}: ${changes.length === 0 ? "no change" : `${changes.length} changed`}\n`);
    for (const e of changes) io.out(`  ${e.cell}  ${e.what}: ${String(e.base)} -> ${String(e.current)}\n`);
  }
  const gate = failOn.length === 0 ? "failing on nothing (--fail-on none)" : `failing on ${failOn.join(",")}`;
  io.out(r.changed.length === 0 ? `no change (${gate})\n` : `changed: ${r.changed.map((k) => KIND_TITLE[k]).join(", ")}; ${failed.length > 0 ? `exit 1 for ${failed.join(",")}` : "none of it gated"} (${gate})\n`);
}

/**
 * `pinlab bench compare BASE NEW`: per cell, timing judged against the noise the runs recorded
 * and exact results compared exactly; exit 1 only when a kind named by `--fail-on` changed.
 */
export function compareCommand(base: string, current: string, o: CompareCommandOptions, io: CliIo): number {
  const tolerance = parseTolerance(o.tolerance);
  const failOn = input(() => parseFailOn(o.failOn));
  const runs = input(() => [readResults(resolve(io.cwd, base)), readResults(resolve(io.cwd, current))] as const);
  const r = input(() => compareResults(runs[0], runs[1], tolerance, { allowMismatch: o.allowMismatch === true, names: [base, current] }));
  for (const m of r.mismatches) io.err(`warning: ${m}; timings of different runs are compared as asked (--allow-mismatch)\n`);
  const failed = failedKinds(r, failOn);
  if (o.format === "json") io.out(`${JSON.stringify({ ...r, failOn, failed }, null, 2)}\n`);
  else printCompare(r, failOn, failed, io, runs.map(loadText));
  return failed.length > 0 ? EXIT.FAILED : EXIT.OK;
}

/** A goal's measured figure: whole numbers from 1,000 up, 2 decimals for ratios, 1 otherwise. */
function measuredText(g: GoalResult): string {
  if (g.measured === null) return "-";
  const digits = Math.abs(g.measured) >= 1000 ? 0 : g.unit === "x" ? 2 : 1;
  return `${g.measured.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${g.unit}`;
}

/** Print goals as a table: a row per goal with its id, the measured figure, the target, the verdict and how it was measured. */
export function printGoals(goals: readonly GoalResult[], io: CliIo): void {
  io.out(`${textTable([["goal", "measured", "target", "verdict", "how"], ...goals.map((g) => [g.id, measuredText(g), g.target, verdict(g), g.note])])}\n`);
}

/** The results `bench model --out DIR` adds its verdicts to, read (and checked) before the micro-benchmarks run. */
function modelOutResults(out: string, io: CliIo): BenchResults {
  const dir = resolve(io.cwd, out);
  if (!existsSync(join(dir, "results.json"))) throw new UsageError(`--out ${out}: no results.json there to add the model results to; run pinlab bench --out ${out} first`);
  return input(() => readResults(dir));
}

/** Options of `pinlab bench model`, as commander gives them. */
export interface ModelCommandOptions {
  /** `--out DIR`: add the verdicts to that directory's results. */
  readonly out?: string;
  /** `--policy ID`. */
  readonly policy?: string;
  /** `--scale S` in (0, 1]. */
  readonly scale?: string;
  /** `--checks a,b`: run only these checks. */
  readonly checks?: string;
  /** `--format table|json`. */
  readonly format?: string;
  /** `--config FILE`. */
  readonly config?: string;
  /** `--plugin PATH...`. */
  readonly plugin?: readonly string[];
}

/**
 * `pinlab bench model`: the model micro-benchmarks (all, or `--checks`), each check announced on
 * stderr as it starts; a table (or `--format json`, the goals as results.json's `context.model`
 * holds them) on stdout; with `--out` their verdicts go into that directory's results.
 */
export async function modelCommand(o: ModelCommandOptions, io: CliIo): Promise<number> {
  const scale = o.scale === undefined ? 1 : Number(o.scale);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) throw new UsageError(`--scale must be a number in (0, 1], got "${o.scale}"`);
  const checks = input(() => parseModelChecks(o.checks));
  const results = o.out !== undefined ? modelOutResults(o.out, io) : undefined;
  const goals = await inputAsync(() => runModelSuite({ plugins: pluginSpecifiers(io, o), ...(o.policy !== undefined ? { policy: o.policy } : {}), scale }, checks,
    (check, i, n) => io.err(`bench model: [${i + 1}/${n}] ${check}\n`)));
  if (o.format === "json") io.out(`${JSON.stringify(goals, null, 2)}\n`);
  else printGoals(goals, io);
  if (results !== undefined) writeAndTell({ ...results, context: { ...results.context, model: goals } }, o.out!, io);
  return goals.some((g) => g.pass === false) ? EXIT.FAILED : EXIT.OK;
}

/**
 * `pinlab bench scaling`: time the same matrix with 1 and with N workers, and this machine's
 * capacity in the same run (1 and N pure CPU spinners, probed before the first timed run and
 * after the last), and judge the 2-worker speed-up as a share of the 2-spinner capacity.
 */
export async function scalingCommand(o: BenchCommandOptions & { readonly workersList?: string }, io: CliIo): Promise<number> {
  const counts = (o.workersList ?? "1,2").split(",").map((w) => parseWorkers(w.trim(), 1, "--workers-list"));
  if (counts.length < 2) throw new UsageError(`--workers-list needs at least two worker counts, got "${o.workersList}"`);
  const out = outDirOption(o.out, io);
  const options = counts.map((workers) => benchOptions({ ...o, workers: String(workers) }, io, { workers }));
  // Spinner counts: every worker count, and 1 (the capacity is relative to one spinner).
  const spinners = [...new Set([1, ...counts])];
  const before = await measureSpinners(spinners);
  const timed: { workers: number; results: BenchResults }[] = [];
  for (const [i, workers] of counts.entries()) {
    const results = await runWithProgress(options[i], io);
    timed.push({ workers, results });
    io.err(`${workers} worker(s): ${(results.context.durationMs / 1000).toFixed(1)} s\n`);
  }
  const spinMs = medianSpinMs(before, await measureSpinners(spinners));
  io.err(`CPU spinners: ${spinners.map((k) => `${k} at once ${spinMs.get(k)!.toFixed(0)} ms`).join(", ")} (one unit of work each)\n`);
  const runs: ScalingRun[] = timed.map(({ workers, results }) => {
    const capacity = spinnerCapacity(spinMs.get(1), spinMs.get(workers), workers);
    return {
      workers, durationMs: results.context.durationMs, cellMs: results.cells.reduce((a, c) => a + c.durationMs, 0), load: results.context.loadAverage.end[0],
      spinMs: spinMs.get(workers)!, ...(capacity !== undefined ? { capacity } : {}),
    };
  });
  const last = timed.at(-1)!.results;
  // The last run's cells stand for the report; the context gains the timed runs and the speed-up verdict.
  const matrix = { defaultMatrix: isDefaultMatrix(options[0]) };
  const results: BenchResults = { ...last, context: { ...last.context, scaling: runs, goals: [...last.context.goals.filter((g) => g.id !== "matrix-speedup-2-workers"), scalingGoal(runs, matrix)] } };
  io.out(renderTerminal(results));
  const summary = scalingSummary(runs, matrix);
  if (summary !== undefined) io.out(`\nscaling: ${summary}\n`);
  if (out !== undefined) writeAndTell(results, out, io);
  return runStatus(results, io);
}

/** Options of `pinlab bench workloads`, as commander gives them. */
export interface WorkloadsCommandOptions {
  /** `--format text|json`. */
  readonly format?: string;
  /** `--config FILE`. */
  readonly config?: string;
  /** `--plugin PATH...`: their workloads are listed too. */
  readonly plugin?: readonly string[];
  /** `--scenarios FILE|DIR...`: listed as the workloads they make. */
  readonly scenarios?: readonly string[];
}

/**
 * `pinlab bench workloads`: every workload with what it models, its variants and its sizes: the
 * built-in ones, the plugins' (`--plugin`, the config's `plugins:`) and the scenarios' (`--scenarios`), each with where it came from.
 */
export async function workloadsCommand(o: WorkloadsCommandOptions, io: CliIo): Promise<number> {
  const scenarios = scenarioSources(o.scenarios, io) ?? [];
  const container = await inputAsync(() => pluginContainer(pluginSpecifiers(io, o)));
  input(() => registerScenarioWorkloads(container, scenarios));
  const list = workloadsOf(container).map((w) => ({
    id: w.meta.id, summary: w.meta.summary, models: w.meta.models, source: w.meta.source, lookFor: w.meta.lookFor, from: workloadSource(w),
    variants: w.meta.variants.map((v) => ({ id: v.id, device: variantDevice(v), summary: v.summary })),
    sizes: w.meta.sizes, policyOptions: w.meta.policyOptions ?? {},
  }));
  if (o.format === "json") {
    io.out(`${JSON.stringify(list, null, 2)}\n`);
    return EXIT.OK;
  }
  for (const w of list) {
    const sizes = Object.entries(w.sizes).map(([name, params]) => `  ${`${name}:`.padEnd(9)}${JSON.stringify(params)}\n`).join("");
    io.out(`${w.id}\n  ${w.summary}\n  models: ${w.models}\n  source: ${w.source}\n  from: ${w.from}\n  variants: ${w.variants.map((v) => `${v.id} (${v.device})`).join(", ")}\n${sizes}`);
  }
  return EXIT.OK;
}
