/**
 * `pinlab bench model`: run the model micro-benchmarks, each in a fresh child process, and
 * judge them against their goals:
 *
 * - (a) frame table + page tables cost at most 64 bytes per resident 4 KiB page: 4 GiB of
 *   faulted anonymous memory on a 16 GiB machine raises the process's RSS, and its
 *   arrayBuffers, by at most 64 B x 1,048,576 (measured after GC, from the machine as built);
 * - (b) building a 64 GiB machine takes under 1 s;
 * - (c) the per-page cost of `touch` stays flat from 16 MiB to 4 GiB (large <= 1.5 x small);
 * - (d) a 10,000-step scenario runs in under 1 s;
 * - (e) bulk operations emit one event of their own type per call.
 * @module
 */
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { listPolicies } from "@pinlab/core";
import { summarize } from "../probe/stats.js";
import { BenchInputError } from "../runner/bench-input-error.js";
import { pluginContainer } from "../runner/load-plugins.js";
import type { GoalResult } from "../runner/results.js";
import { MODEL_CHECKS, type ModelCheck, type ModelChildArgs, type ModelChildResult } from "./model-checks.js";

/** Bytes per resident page the footprint goal allows. */
export const GOAL_BYTES_PER_PAGE = 64;
/** Goal: ms to build a 64 GiB machine. */
export const GOAL_CREATE_MS = 1000;
/** Goal: large over small per-page touch cost. */
export const GOAL_TOUCH_RATIO = 1.5;
/** Goal: ms to run a 10,000-step scenario. */
export const GOAL_SCENARIO_MS = 1000;

/** The child entry as a file path (the built one when running from sources). */
export function modelChildFile(): string {
  const here = import.meta.url;
  const url = here.endsWith(".ts") ? new URL("../../dist/model/model-child.js", here) : new URL("./model-child.js", here);
  const path = fileURLToPath(url);
  if (!existsSync(path)) throw new Error(`the model child ${path} does not exist: build @pinlab/bench first`);
  return path;
}

/** What a model child sends its parent. */
interface ModelChildMessage {
  readonly ok: boolean;
  readonly result?: ModelChildResult;
  /** `Name: message` of the child's error, without its stack. */
  readonly error?: string;
  /** The child's stack trace (the CLI shows it with --debug). */
  readonly stack?: string;
}

/** The error of a failed check: the child's message; its stack, when it sent one, as the stack. */
function checkFailed(check: ModelCheck, m: ModelChildMessage): Error {
  const e = new Error(`model check ${check} failed: ${m.error ?? "no result"}`);
  if (m.stack !== undefined) e.stack = `${e.message}\n--- in the model child:\n${m.stack}`;
  return e;
}

/** Run one check in a fresh child. */
export function runModelCheck(check: ModelCheck, args: ModelChildArgs): Promise<ModelChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(modelChildFile(), [check, JSON.stringify(args)], { execArgv: ["--expose-gc"], stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let stderr = "";
    let settled = false;
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("message", (m: ModelChildMessage) => {
      settled = true;
      if (m.ok && m.result !== undefined) resolve(m.result);
      else reject(checkFailed(check, m));
    });
    child.on("error", (e) => {
      if (!settled) reject(e);
    });
    child.on("exit", (code) => {
      if (!settled) reject(new Error(`model check ${check} exited with ${code} before reporting${stderr !== "" ? `: ${stderr.trim().split("\n").slice(-3).join(" | ")}` : ""}`));
    });
  });
}

/**
 * Check `args.policy` against the policies `args.plugins` register, before any child starts;
 * throws {@link BenchInputError} naming `--policy` and listing the registered ids.
 */
export async function checkModelPolicy(args: ModelChildArgs): Promise<void> {
  if (args.policy === undefined) return;
  const known = listPolicies(await pluginContainer(args.plugins)).map((p) => p.meta.id);
  if (args.policy.trim() === "") throw new BenchInputError(`--policy is empty; registered policies: ${known.join(", ")}`, "--policy");
  if (!known.includes(args.policy)) throw new BenchInputError(`--policy: unknown policy "${args.policy}"; registered policies: ${known.join(", ")}`, "--policy");
}

const MB = 1024 ** 2;

/** Turn a child's result into goal verdicts. `scaled` marks runs smaller than the goals (no verdict). */
export function judge(r: ModelChildResult, scaled: boolean): GoalResult[] {
  const g = (id: string, description: string, target: string, unit: string, measured: number, pass: boolean, note: string): GoalResult =>
    ({ id, description, target, unit, measured, pass: scaled ? null : pass, note: scaled ? `scaled-down run (not a verdict): ${note}` : note });
  switch (r.check) {
    case "footprint": {
      const rss = (r.faulted.rss - r.machine.rss) / r.pages;
      const ab = (r.faulted.arrayBuffers - r.machine.arrayBuffers) / r.pages;
      const reserved = `building the ${r.machineBytes / 1024 ** 3} GiB machine itself reserved ${((r.machine.arrayBuffers - r.before.arrayBuffers) / MB).toFixed(0)} MiB of typed arrays (zero-filled lazily: ${((r.machine.rss - r.before.rss) / MB).toFixed(0)} MiB resident)`;
      return [
        g("model-footprint-rss", `RSS growth per faulted page: ${r.faultedBytes / 1024 ** 3} GiB faulted on a ${r.machineBytes / 1024 ** 3} GiB machine (${r.policy}), after GC`, `<= ${GOAL_BYTES_PER_PAGE} B/page`, "B/page", rss, rss <= GOAL_BYTES_PER_PAGE,
          `RSS ${(r.machine.rss / MB).toFixed(0)} -> ${(r.faulted.rss / MB).toFixed(0)} MiB for ${r.pages} pages; ${reserved}`),
        g("model-footprint-arraybuffers", "arrayBuffers growth per faulted page, same run", `<= ${GOAL_BYTES_PER_PAGE} B/page`, "B/page", ab, ab <= GOAL_BYTES_PER_PAGE,
          `arrayBuffers ${(r.machine.arrayBuffers / MB).toFixed(0)} -> ${(r.faulted.arrayBuffers / MB).toFixed(0)} MiB (page tables); heap ${(r.machine.heapUsed / MB).toFixed(0)} -> ${(r.faulted.heapUsed / MB).toFixed(0)} MiB`),
      ];
    }
    case "create": {
      const worst = Math.max(...r.ms);
      return [g("model-create-64gib", `build a ${r.machineBytes / 1024 ** 3} GiB machine (${r.policy})`, `< ${GOAL_CREATE_MS} ms`, "ms", worst, worst < GOAL_CREATE_MS, `slowest of ${r.ms.length} in a fresh process: ${r.ms.map((x) => x.toFixed(0)).join(", ")} ms`)];
    }
    case "touch": {
      const small = summarize(r.small.nsPerPage)!.median;
      const large = summarize(r.large.nsPerPage)!.median;
      const ratio = large / small;
      return [g("model-touch-flat", `touch ns/page, ${r.large.bytes / 1024 ** 3} GiB over ${r.small.bytes / MB} MiB (${r.policy})`, `<= ${GOAL_TOUCH_RATIO}x`, "x", ratio, ratio <= GOAL_TOUCH_RATIO,
        `${small.toFixed(0)} ns/page at ${r.small.bytes / MB} MiB (median of ${r.small.nsPerPage.length}), ${large.toFixed(0)} ns/page at ${(r.large.bytes / MB).toFixed(0)} MiB (median of ${r.large.nsPerPage.length})`)];
    }
    case "scenario": {
      const run = summarize(r.runMs)!.median;
      return [g("model-scenario-10k", `run a ${r.steps}-step scenario (${r.policy})`, `< ${GOAL_SCENARIO_MS} ms`, "ms", run, run < GOAL_SCENARIO_MS && r.failedSteps === 0,
        `median of ${r.runMs.length} runs (${r.runMs.map((x) => x.toFixed(0)).join(", ")} ms); parsing and validation ${r.loadMs.toFixed(0)} ms; ${r.failedSteps} step(s) failed`)];
    }
    case "events": {
      const bad = r.calls.filter((c) => c.ownEvents !== 1);
      return [g("model-bulk-events", `bulk operations over ${r.calls[0]?.pages ?? 0} pages emit one event of their own type per call`, "1 per call", "calls off", bad.length, bad.length === 0,
        r.calls.map((c) => `${c.op}: ${c.ownEvents} ${c.ownType} (${c.allEvents} in all)`).join("; "))];
    }
  }
}

/** Run every model check (sequentially, each in its own child) and return the verdicts; the policy is checked first ({@link checkModelPolicy}). */
export async function runModelSuite(args: ModelChildArgs, checks: readonly ModelCheck[] = MODEL_CHECKS): Promise<GoalResult[]> {
  await checkModelPolicy(args);
  const out: GoalResult[] = [];
  const scaled = (args.scale ?? 1) < 1;
  for (const check of checks) out.push(...judge(await runModelCheck(check, args), scaled));
  return out;
}
