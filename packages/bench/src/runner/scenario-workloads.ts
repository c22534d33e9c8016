/**
 * `--scenarios`: checking the scenario files of a run before any cell runs (every problem of
 * every file, as `pinlab check` reports them: file, line, step, field), making each a workload,
 * and contributing them to the container a run (or a worker) resolves workloads from.
 * @module
 */
import { formatProblem, PluginError, ScenarioError, type ScenarioProblem } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import { loadScenarioWorkload, type ScenarioSource } from "../workloads/scenario-workload.js";
import { registerWorkload } from "../workloads/workload-catalog.js";
import type { WorkloadDefinition } from "../workloads/define-workload.js";
import { BenchInputError } from "./bench-input-error.js";

/**
 * Validate `sources` against the plugins of `container` and register each as a workload there.
 * Returns the sources by workload id. Throws {@link BenchInputError} naming `--scenarios`: every
 * problem of every invalid file (an unknown device kind among them), or two files making one id.
 */
export function registerScenarioWorkloads(container: DependencyContainer, sources: readonly ScenarioSource[]): Record<string, ScenarioSource> {
  const problems: ScenarioProblem[] = [];
  const made: { source: ScenarioSource; def: WorkloadDefinition }[] = [];
  for (const source of sources) {
    try {
      made.push({ source, def: loadScenarioWorkload(container, source) });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) {
    const files = new Set(problems.map((p) => p.file)).size;
    throw new BenchInputError(`--scenarios: ${files === 1 ? "a scenario is" : `${files} scenarios are`} not valid:\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`, "--scenarios");
  }
  const byId: Record<string, ScenarioSource> = {};
  for (const { source, def } of made) {
    const id = def.meta.id;
    if (byId[id] !== undefined) throw new BenchInputError(`--scenarios: ${byId[id].file} and ${source.file} both make the workload "${id}" (from the file name); rename one`, "--scenarios");
    try {
      registerWorkload(container, def, source.file);
    } catch (e) {
      if (e instanceof PluginError) throw new BenchInputError(`--scenarios: ${e.message}`, "--scenarios");
      throw e;
    }
    byId[id] = source;
  }
  return byId;
}

const CHILDREN = new WeakMap<DependencyContainer, Map<string, DependencyContainer>>();

/**
 * In a worker: a child of `container` holding the workload of `source` (validated again against
 * the worker's plugins), made once per container and file text.
 */
export function withScenario(container: DependencyContainer, source: ScenarioSource | undefined): DependencyContainer {
  if (source === undefined) return container;
  let kids = CHILDREN.get(container);
  if (kids === undefined) CHILDREN.set(container, (kids = new Map()));
  const key = `${source.file}\u0000${source.text}`;
  let child = kids.get(key);
  if (child === undefined) {
    child = container.createChildContainer();
    registerScenarioWorkloads(child, [source]);
    kids.set(key, child);
  }
  return child;
}
