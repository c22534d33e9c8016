/**
 * `pinlab fuzz`: generate random valid scenarios from the registries, run each under every policy
 * twice with invariants after every step and a leak audit after a cleanup tail, and report
 * crashes, invariant violations, nondeterminism, hangs, leaks, wrong results and the
 * pin-bias / exact-pincount differential; every finding shrunk and written as a replayable
 * scenario. `--replay FILE...` reruns those checks on scenario files. Exit 0 with no finding, 1
 * with findings, 2 for bad input.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { FAULT_POINTS, loadScenario, pluginView, ScenarioError, formatProblem } from "@pinlab/core";
import { EXIT, UsageError, type CliIo } from "../io.js";
import { readInputFile } from "../read-input-file.js";
import { checkScenario } from "../fuzz/fuzz-case.js";
import { faultSweep } from "../fuzz/fault-sweep.js";
import { runPool } from "../fuzz/fuzz-pool.js";
import { findingFileName, findingFileText } from "../fuzz/finding-file.js";
import { summaryJson, summaryText } from "../fuzz/fuzz-summary.js";
import type { FuzzTotals } from "../fuzz/fuzz-totals.js";
import { parseRawScenario } from "../fuzz/gen-state.js";
import { fuzzTargets } from "../fuzz/targets.js";
import { kernelOverride, policyList, setUp, type CommonOptions } from "./shared.js";

/** Options of `pinlab fuzz`. */
export interface FuzzCommandOptions extends CommonOptions {
  /** Base seed. */
  readonly seed?: string;
  /** Step budget over all policies. */
  readonly steps?: string;
  /** Time budget. */
  readonly minutes?: string;
  /** Worker processes. */
  readonly jobs?: string;
  /** Policies. */
  readonly policy?: string;
  /** Kernel era of the generated scenarios (or PINLAB_KERNEL, or the config's `kernel`). */
  readonly kernel?: string;
  /** Findings directory. */
  readonly out?: string;
  /** Most body steps per scenario. */
  readonly maxSteps?: string;
  /** A case longer than this (seconds) is a hang. */
  readonly timeout?: string;
  /** `--no-shrink` sets it false. */
  readonly shrink?: boolean;
  /** Scenario files to replay instead of generating. */
  readonly replay?: readonly string[];
  /** Scenario files to sweep with one injected failure per call instead of generating. */
  readonly faultSweep?: readonly string[];
}

function positive(v: string | undefined, flag: string, fallback: number, integer = true): number {
  if (v === undefined) return fallback;
  const n = Number(v.replace(/_/g, ""));
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isSafeInteger(n))) {
    throw new UsageError(`${flag} must be a positive ${integer ? "integer" : "number"}, got "${v}"`);
  }
  return n;
}

function seedOf(v: string | undefined): number {
  if (v === undefined) return Date.now() % 2_147_483_647;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`--seed must be a non-negative integer, got "${v}"`);
  return Number(v);
}

/** Run `pinlab fuzz`. Returns the exit status. */
export async function fuzzCommand(opts: FuzzCommandOptions, io: CliIo): Promise<number> {
  const seed = seedOf(opts.seed);
  const minutes = opts.minutes !== undefined ? positive(opts.minutes, "--minutes", 0, false) : undefined;
  const steps = opts.steps !== undefined || minutes === undefined ? positive(opts.steps, "--steps", 200_000) : undefined;
  const jobs = positive(opts.jobs, "--jobs", 1);
  const maxSteps = positive(opts.maxSteps, "--max-steps", 120);
  const timeoutMs = positive(opts.timeout, "--timeout", 120, false) * 1000;
  const flagKernel = kernelOverride(opts.kernel, io);
  const { config, container } = await setUp(opts, io);
  const kernel = flagKernel ?? config.kernel;
  const view = pluginView(container);
  const known = [...view.policies.keys()];
  const asked = policyList(opts.policy) ?? "all";
  const policies = (typeof asked === "string" ? [asked] : asked).flatMap((p) => (p === "all" ? known : [p]));
  for (const p of policies) if (!view.policies.has(p)) throw new UsageError(`unknown policy "${p}"; registered policies: ${known.join(", ")} (or all)`);
  const targets = fuzzTargets(view);
  const env = { container, targets, policyOptions: config.policyOptions };
  const outDir = resolve(io.cwd, opts.out ?? "fuzz-findings");
  if (opts.replay !== undefined && opts.replay.length > 0) return replay(opts.replay, [...new Set(policies)], env, io, false, flagKernel);
  if (opts.faultSweep !== undefined && opts.faultSweep.length > 0) return replay(opts.faultSweep, [...new Set(policies)], env, io, true, flagKernel);

  const started = Date.now();
  let lastReport = started;
  const totals = await runPool({
    seed, jobs, timeoutMs, ...(steps !== undefined ? { steps } : {}), ...(minutes !== undefined ? { minutes } : {}),
    init: { cwd: io.cwd, ...(opts.config !== undefined ? { config: opts.config } : {}), plugins: opts.plugin ?? [], policies: [...new Set(policies)], maxSteps, shrink: opts.shrink !== false, ...(kernel !== undefined ? { kernel } : {}) },
    onCase: (t) => {
      if (Date.now() - lastReport < 30_000) return;
      lastReport = Date.now();
      const budget = steps !== undefined ? ` of ${steps.toLocaleString("en-US")}` : "";
      io.err(`fuzz: ${t.totalSteps.toLocaleString("en-US")}${budget} steps, ${t.cases} scenarios, ${t.unique.length} finding(s), ${Math.round((Date.now() - started) / 1000)}s\n`);
    },
  }, targets).catch((e: unknown) => {
    throw new UsageError(`fuzz workers could not start: ${e instanceof Error ? e.message : String(e)}`);
  });
  const files = writeFindings(totals, outDir, io);
  const info = { seed, policies, ...(kernel !== undefined ? { kernel } : {}), jobs, elapsedMs: Date.now() - started, files };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "summary.json"), `${JSON.stringify(summaryJson(totals, info), null, 2)}\n`);
  io.out(summaryText(totals, info));
  io.out(`summary: ${relative(io.cwd, join(outDir, "summary.json")) || "summary.json"}\n`);
  return totals.unique.length > 0 ? EXIT.FAILED : EXIT.OK;
}

function writeFindings(t: FuzzTotals, outDir: string, io: CliIo): string[] {
  if (t.unique.length > 0) mkdirSync(outDir, { recursive: true });
  return t.unique.map((u) => {
    const path = join(outDir, findingFileName(u.finding.finding, u.seed));
    const file = relative(io.cwd, path) || path;
    const shrunk = u.finding.shrink !== undefined ? `shrunk from ${u.finding.shrink.from} to ${u.finding.shrink.to} steps (${u.finding.shrink.runs} candidate runs)` : "not shrunk";
    writeFileSync(path, findingFileText(u.finding.scenario, u.finding.finding, { seed: u.seed, file, shrunk }));
    return file;
  });
}

/** Rerun findings (or sweep faults over scenario files); `kernel` (`--kernel`) replaces each file's `machine.kernel`. */
function replay(files: readonly string[], policies: string[], env: Parameters<typeof checkScenario>[2], io: CliIo, sweep: boolean, kernel?: string): number {
  let found = 0;
  for (const file of files) {
    const label = relative(io.cwd, resolve(io.cwd, file)) || file;
    let text: string;
    try {
      text = readInputFile(resolve(io.cwd, file));
    } catch (e) {
      throw new UsageError(`${sweep ? "--fault-sweep" : "--replay"} ${label}: ${(e as Error).message}`);
    }
    try {
      loadScenario(text, label, pluginView(env.container));
    } catch (e) {
      if (e instanceof ScenarioError) throw new UsageError(e.problems.map(formatProblem).join("\n"));
      throw e;
    }
    const parsed = parseRawScenario(text);
    const raw = kernel !== undefined ? { ...parsed, machine: { ...parsed.machine, kernel } } : parsed;
    if (sweep) {
      const s = faultSweep(raw, policies, env);
      const calls = Object.entries(s.calls).map(([p, c]) => `${p} ${FAULT_POINTS.map((x) => `${x} ${c[x]}`).join(" ")}`).join("; ");
      io.out(`${label}: ${s.runs} runs with one injected failure each (calls seen: ${calls}); ${s.findings.length} finding(s)\n`);
      for (const f of s.findings) io.out(`${label}: ${f.point} call ${f.call}: ${f.finding.class} under ${f.finding.policy}: ${f.finding.message}\n`);
      found += s.findings.length;
      continue;
    }
    const r = checkScenario(raw, raw.seed, env, { policies, shrink: false });
    if (r.findings.length === 0) io.out(`${label}: no finding under ${policies.join(", ")}\n`);
    for (const f of r.findings) io.out(`${label}: ${f.finding.class} under ${f.finding.policy}: ${f.finding.message}\n`);
    found += r.findings.length;
  }
  return found > 0 ? EXIT.FAILED : EXIT.OK;
}
