/**
 * The worker pool of `pinlab fuzz`: `--jobs` forked processes, each fed one case at a time. The
 * plan is fixed up front from the seed (cases are added until their steps reach `--steps`), so a
 * run is the same whatever the number of jobs; `--minutes` stops handing out cases when time is
 * up. A case that runs past the timeout is a hang: its worker is killed (the scenario recorded,
 * unshrunk) and replaced; a worker that dies is a crash of its case.
 * @module
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { withCleanupTail } from "./cleanup-tail.js";
import type { CaseFinding } from "./fuzz-case.js";
import { scenarioSeed } from "./fuzz-rng.js";
import { FuzzTotals } from "./fuzz-totals.js";
import { generateScenario, type GenerateOptions } from "./generate.js";
import { findingSignature } from "./shrink.js";
import type { FuzzTargets } from "./targets.js";
import type { FromWorker, WorkerInit } from "./worker-protocol.js";

/** Options of a pooled run. */
export interface PoolOptions {
  /** Base seed. */
  readonly seed: number;
  /** Step budget over all policies (undefined: until `minutes`). */
  readonly steps?: number;
  /** Time budget in minutes (undefined: until `steps`). */
  readonly minutes?: number;
  /** Worker processes. */
  readonly jobs: number;
  /** A case running longer than this is a hang (ms). */
  readonly timeoutMs: number;
  /** What each worker loads and runs. */
  readonly init: Omit<WorkerInit, "type">;
  /** Called after each case (progress). */
  readonly onCase?: (t: FuzzTotals) => void;
}

const WORKER = fileURLToPath(new URL("./fuzz-worker.js", import.meta.url));

/** The scenario of case `seed` with its tail, as the worker will run it (for hangs and dead workers). */
/** What the workers generate from a seed: the same scenario the parent regenerates for a hang or a crash. */
function genOptions(init: Omit<WorkerInit, "type">): GenerateOptions {
  return { maxSteps: init.maxSteps, ...(init.kernel !== undefined ? { kernel: init.kernel } : {}) };
}

function caseFinding(seed: number, targets: FuzzTargets, init: Omit<WorkerInit, "type">, cls: "hang" | "crash", message: string): CaseFinding {
  const scenario = withCleanupTail(generateScenario(seed, targets, genOptions(init)), targets);
  const finding = { class: cls, policy: "*", message };
  return { finding, signature: findingSignature(finding), scenario };
}

/** Run the fuzz over `jobs` workers; resolves with the totals. Rejects when a worker cannot start (bad plugin). */
export function runPool(opts: PoolOptions, targets: FuzzTargets): Promise<FuzzTotals> {
  const totals = new FuzzTotals();
  const policies = opts.init.policies.length;
  const deadline = opts.minutes !== undefined ? Date.now() + opts.minutes * 60_000 : Infinity;
  let planned = 0;
  let index = 0;
  const nextSeed = (): number | undefined => {
    if (Date.now() >= deadline) return undefined;
    if (opts.steps !== undefined && planned >= opts.steps) return undefined;
    const seed = scenarioSeed(opts.seed, index++);
    if (opts.steps !== undefined) planned += withCleanupTail(generateScenario(seed, targets, genOptions(opts.init)), targets).steps.length * policies;
    return seed;
  };
  return new Promise((resolve, reject) => {
    let live = 0;
    let failed = false;
    const start = (): void => {
      const child: ChildProcess = fork(WORKER, [], { stdio: ["ignore", "ignore", "inherit", "ipc"], execArgv: [] });
      live++;
      let current: number | undefined;
      let timer: NodeJS.Timeout | undefined;
      let ended = false;
      let ready = false;
      const finish = (replace: boolean) => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        live--;
        if (child.connected) child.disconnect();
        child.kill();
        if (replace && !failed) start();
        else if (live === 0 && !failed) resolve(totals);
      };
      const feed = () => {
        current = nextSeed();
        if (current === undefined) return finish(false);
        const seed = current;
        timer = setTimeout(() => {
          totals.addFinding(seed, caseFinding(seed, targets, opts.init, "hang", `the case ran for more than ${opts.timeoutMs / 1000}s`));
          current = undefined;
          finish(true);
        }, opts.timeoutMs);
        child.send({ type: "case", seed });
      };
      child.on("message", (m: FromWorker) => {
        if (m.type === "ready") {
          ready = true;
          return feed();
        }
        if (m.type === "init-error") {
          failed = true;
          finish(false);
          return reject(new Error(m.message));
        }
        clearTimeout(timer);
        if (m.type === "done") totals.add(m.report);
        else totals.addFinding(m.seed, caseFinding(m.seed, targets, opts.init, "crash", `the worker threw: ${m.message}`));
        current = undefined;
        opts.onCase?.(totals);
        feed();
      });
      child.on("exit", (code, signal) => {
        if (ended) return;
        if (!ready) {
          // It died setting up (a plugin that kills the process): every replacement would too.
          failed = true;
          finish(false);
          return reject(new Error(`a fuzz worker exited (${signal ?? `exit ${code}`}) while loading the config and plugins`));
        }
        if (current !== undefined) {
          totals.addFinding(current, caseFinding(current, targets, opts.init, "crash", `the worker died (${signal ?? `exit ${code}`}) running this case`));
        }
        finish(true);
      });
      child.send({ type: "init", ...opts.init });
    };
    for (let i = 0; i < Math.max(1, opts.jobs); i++) start();
  });
}
