/**
 * The worker pool: tinypool over worker threads, one thread per worker, kept for the whole run.
 * @module
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Tinypool } from "tinypool";
import type { CellResult, CellTask } from "./cell.js";

/**
 * A worker entry as a file URL: `NAME.js` (default `worker.js`, the cells' entry) next to this
 * module, or, when this module runs from TypeScript sources (vitest), the built one in the
 * package's `dist/`.
 */
export function workerFile(name = "worker"): URL {
  const here = import.meta.url;
  const url = here.endsWith(".ts") ? new URL(`../../dist/runner/${name}.js`, here) : new URL(`./${name}.js`, here);
  if (!existsSync(fileURLToPath(url))) throw new Error(`the bench worker ${fileURLToPath(url)} does not exist: build @pinlab/bench first (npx nx run @pinlab/bench:build)`);
  return url;
}

/** A pool of `threads` worker threads running cells. */
export class BenchPool {
  private readonly pool: Tinypool;

  /** Start `threads` workers. */
  constructor(readonly threads: number) {
    this.pool = new Tinypool({ filename: workerFile().href, minThreads: threads, maxThreads: threads, isolateWorkers: false, idleTimeout: 60_000 });
  }

  /** Run one cell on a free worker. */
  run(task: CellTask): Promise<CellResult> {
    return this.pool.run(task) as Promise<CellResult>;
  }

  /** Stop every worker. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
