/**
 * `pinlab explore FILE [--policy P] [--kernel E] [--bound N] [--format text|json] [--out DIR]`
 * (issue 21): run every distinct interleaving of the scenario's `concurrent` blocks (see
 * `explore/explore-orders.ts`) and write, for each hazard and each failed expectation, the
 * shortest order producing it as a replayable scenario under `--out`; then check the scenario's
 * `explore` block. Without `--kernel` it explores at each era the `explore` block names (and the
 * scenario's own when an entry names none). Exit 0 when the exploration ran and every `explore`
 * entry holds (findings are results, not failures), 1 when an entry fails, 2 for bad input.
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { EXIT, UsageError, type CliIo } from "../io.js";
import { exploreScenario } from "../explore/explore-orders.js";
import { checkExploreSpec, exploreKernels } from "../explore/explore-checks.js";
import { findingFileName, findingScenarioText } from "../explore/finding-scenario.js";
import { renderExploration, type ExploreReport } from "../explore/render-exploration.js";
import { kernelOverride, loadOneScenario, parseSeed, type CommonOptions } from "./shared.js";

/** Options of `pinlab explore`. */
export interface ExploreCommandOptions extends CommonOptions {
  /** Policy name(s) or `all` (default: the scenario's, as for run). */
  readonly policy?: string;
  /** Kernel era. */
  readonly kernel?: string;
  /** At most this many preemptions per block. */
  readonly bound?: string;
  /** text or json. */
  readonly format?: string;
  /** Where findings are written (default `explore-findings`). */
  readonly out?: string;
  /** Seed override. */
  readonly seed?: string;
  /** Run every merge (no sleep-set reduction). */
  readonly reduction?: boolean;
}

/** Parse `--bound`. */
function parseBound(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`--bound must be a whole number of preemptions (0, 1, ...), got "${v}"`);
  return Number(v);
}

/** Run `pinlab explore`. Returns the exit status. */
export async function exploreCommand(file: string, opts: ExploreCommandOptions, io: CliIo): Promise<number> {
  const format = opts.format ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, got "${format}"`);
  const boundFlag = parseBound(opts.bound);
  const seed = parseSeed(opts.seed);
  const kernel = kernelOverride(opts.kernel, io);
  const one = await loadOneScenario("explore", file, opts, io);
  if (typeof one === "number") return one;
  const { config, container, sc, policies } = one;
  const spec = sc.header.explore;
  const bound = boundFlag ?? spec?.bound;
  const kernels = kernel !== undefined ? [kernel] : exploreKernels(spec);
  const progress = io.isTTY ? (done: number) => { if (done % 50 === 0) io.err(`\rexplored ${done} orders`); } : undefined;
  const x = exploreScenario(sc, {
    policies, kernels,
    run: {
      container, policyOptions: config.policyOptions, ...(seed !== undefined ? { seed } : {}),
      ...(kernel !== undefined ? { kernel } : {}), ...(config.kernel !== undefined ? { defaultKernel: config.kernel } : {}),
    },
    ...(bound !== undefined ? { bound } : {}),
    ...(opts.reduction === false ? { noReduction: true } : {}),
    ...(progress !== undefined ? { onOrder: progress } : {}),
  });
  if (progress !== undefined && x.explored >= 50) io.err("\n");
  const outDir = resolve(io.cwd, opts.out ?? "explore-findings");
  const text = x.findings.length > 0 ? readFileSync(resolve(io.cwd, sc.file), "utf8") : "";
  if (x.findings.length > 0) mkdirSync(outDir, { recursive: true });
  const report: ExploreReport = {
    scenario: sc.header.name, file: sc.file, blocks: sc.blocks?.length ?? 0, ...(bound !== undefined ? { bound } : {}),
    orders: x.orders, explored: x.explored, exhaustive: x.exhaustive, blocked: x.blocked, runs: x.runs, absent: x.absent,
    findings: x.findings.map((f) => {
      const path = join(outDir, findingFileName(sc.file, f));
      const shown = relative(io.cwd, path) || path;
      writeFileSync(path, findingScenarioText(text, sc, f, { out: shown }));
      return { class: f.class, outcome: f.outcome, policy: f.policy, kernel: f.kernel, trace: f.trace, preemptions: f.preemptions, scenario: shown };
    }),
    checks: checkExploreSpec(spec, x),
  };
  io.out(format === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderExploration(report));
  return report.checks.some((c) => c.status === "fail") ? EXIT.FAILED : EXIT.OK;
}
