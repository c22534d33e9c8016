/**
 * `pinlab bench model`: run the model micro-benchmarks, each in a fresh child process, and
 * judge them against their goals ({@link judge}; the goals are in model-goals.ts): every row of
 * issue 18's table (order-0 pin and unpin against a warmed bare loop, huge folios per subpage,
 * one call of one page, 100,000-step scenarios without and with invariant checks, memory per
 * resident page), then machine creation, touch scaling, a 10,000-step scenario and bulk event
 * counts.
 * @module
 */
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { listPolicies } from "@pinlab/core";
import { BenchInputError } from "../runner/bench-input-error.js";
import { pluginContainer } from "../runner/load-plugins.js";
import type { GoalResult } from "../runner/results.js";
import { MODEL_CHECKS, type ModelCheck, type ModelChildArgs, type ModelChildResult } from "./model-checks.js";
import { judge } from "./model-judge.js";

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

/**
 * The V8 flags a check's child runs with: `--expose-gc` for every check, and for the footprint
 * check a young generation held at 1 MiB semi-spaces. V8 grows its young generation (up to 16 MiB
 * per semi-space) when a program allocates quickly and keeps it committed: a fixed slack of up to
 * ~48 MiB that is not per-page state, and that made the RSS figure of 4 GiB faulted jump between
 * ~27 and ~48 B/page from one run to the next. Holding it small measures the model's own memory.
 */
export function modelChildExecArgv(check: ModelCheck): string[] {
  return check === "footprint" ? ["--expose-gc", "--max-semi-space-size=1"] : ["--expose-gc"];
}

/** Run one check in a fresh child. */
export function runModelCheck(check: ModelCheck, args: ModelChildArgs): Promise<ModelChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(modelChildFile(), [check, JSON.stringify(args)], { execArgv: modelChildExecArgv(check), stdio: ["ignore", "ignore", "pipe", "ipc"] });
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

/**
 * The checks `--checks a,b` names, in the order given (duplicates dropped); undefined runs every
 * check. Throws {@link BenchInputError} naming `--checks` for an unknown or empty list.
 */
export function parseModelChecks(value: string | undefined): ModelCheck[] {
  if (value === undefined) return [...MODEL_CHECKS];
  const names = [...new Set(value.split(",").map((s) => s.trim()).filter((s) => s !== ""))];
  const known: readonly string[] = MODEL_CHECKS;
  if (names.length === 0) throw new BenchInputError(`--checks is empty; model checks: ${MODEL_CHECKS.join(", ")}`, "--checks");
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new BenchInputError(`--checks: unknown model check${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}; model checks: ${MODEL_CHECKS.join(", ")}`, "--checks");
  return names as ModelCheck[];
}

/** Called as each check starts: its name, its 0-based position and how many run. */
export type ModelProgress = (check: ModelCheck, index: number, total: number) => void;

/**
 * Run the model checks (every one by default; sequentially, each in its own child) and return
 * the verdicts; the policy is checked first ({@link checkModelPolicy}); `onStart` hears of each
 * check as it starts.
 */
export async function runModelSuite(args: ModelChildArgs, checks: readonly ModelCheck[] = MODEL_CHECKS, onStart?: ModelProgress): Promise<GoalResult[]> {
  await checkModelPolicy(args);
  const out: GoalResult[] = [];
  const scaled = (args.scale ?? 1) < 1;
  for (const [i, check] of checks.entries()) {
    onStart?.(check, i, checks.length);
    const before = loadavg()[0];
    const result = await runModelCheck(check, args);
    out.push(...withLoad(check, judge(result, scaled), { load: Math.max(before, loadavg()[0]), cores: availableParallelism() }));
  }
  return out;
}

/** Checks whose figures are not wall-clock times (memory, event counts): load does not qualify them. */
const UNTIMED_CHECKS: readonly ModelCheck[] = ["footprint", "events"];

/**
 * A timed check's goals with a note that the machine was loaded, when the higher 1-minute load
 * average of the check's start and end was above the number of cores (its wall-clock figures are
 * then pessimistic); other goals as they are.
 */
export function withLoad(check: ModelCheck, goals: readonly GoalResult[], machine: { readonly load: number; readonly cores: number }): GoalResult[] {
  if (UNTIMED_CHECKS.includes(check) || machine.load <= machine.cores) return [...goals];
  return goals.map((g) => ({ ...g, note: `${g.note}; the machine was loaded (load average ${machine.load.toFixed(1)} on ${machine.cores} cores), so wall-clock figures are pessimistic` }));
}
