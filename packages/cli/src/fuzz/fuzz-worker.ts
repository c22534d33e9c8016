/**
 * A `pinlab fuzz` worker process (forked by the pool, talking over Node IPC): it loads the same
 * config and plugins as the command, then runs the cases the parent sends, one at a time. The
 * parent kills a worker whose case runs past the timeout (a hang) and forks a fresh one.
 * @module
 */
import "reflect-metadata";
import { pluginView } from "@pinlab/core";
import { setUp } from "../commands/shared.js";
import type { CliIo } from "../io.js";
import { fuzzCase, type CaseOptions } from "./fuzz-case.js";
import type { CaseEnv } from "./run-case.js";
import { fuzzTargets } from "./targets.js";
import type { FromWorker, ToWorker, WorkerInit } from "./worker-protocol.js";

const send = (m: FromWorker) => process.send?.(m);

let state: { env: CaseEnv; opts: CaseOptions } | undefined;

async function init(m: WorkerInit): Promise<void> {
  const io: CliIo = { out: () => undefined, err: () => undefined, isTTY: false, env: process.env, cwd: m.cwd };
  try {
    const { config, container } = await setUp({ ...(m.config !== undefined ? { config: m.config } : {}), plugin: m.plugins }, io);
    state = {
      env: { container, targets: fuzzTargets(pluginView(container)), policyOptions: config.policyOptions },
      opts: { policies: m.policies, maxSteps: m.maxSteps, shrink: m.shrink, shrunk: new Set<string>(), ...(m.kernel !== undefined ? { kernel: m.kernel } : {}) },
    };
    send({ type: "ready" });
  } catch (e) {
    send({ type: "init-error", message: e instanceof Error ? e.message : String(e) });
  }
}

process.on("message", (m: ToWorker) => {
  if (m.type === "init") {
    void init(m);
    return;
  }
  if (state === undefined) return;
  try {
    send({ type: "done", report: fuzzCase(m.seed, state.env, state.opts) });
  } catch (e) {
    send({ type: "case-error", seed: m.seed, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
process.on("disconnect", () => process.exit(0));
