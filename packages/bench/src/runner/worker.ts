/**
 * The worker-thread entry of the bench's pool: load the plugins a task names (once per worker
 * and plugin list; a scenario workload's file once per worker), run the cell, return its result.
 * @module
 */
import "reflect-metadata";
import type { DependencyContainer } from "tsyringe";
import type { CellResult, CellTask } from "./cell.js";
import { pluginContainer } from "./load-plugins.js";
import { runCell } from "./run-cell.js";
import { withScenario } from "./scenario-workloads.js";

const containers = new Map<string, Promise<DependencyContainer>>();

/** Run one cell task (tinypool calls the default export). */
export default async function runTask(task: CellTask): Promise<CellResult> {
  const key = JSON.stringify(task.plugins);
  let c = containers.get(key);
  if (c === undefined) {
    c = pluginContainer(task.plugins);
    containers.set(key, c);
  }
  return runCell(task, withScenario(await c, task.scenario));
}
