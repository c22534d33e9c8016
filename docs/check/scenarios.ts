/**
 * Running the scenarios shown in the guides. A ```yaml block whose top level is a map with `name`
 * and `machine` is a whole scenario: it is loaded with `loadScenario` and run with `runScenario`
 * under the policies it names, with the real plugins registered, and must pass. Two markers
 * change what "pass" means, for blocks that show errors on purpose:
 *
 * - ```yaml invalid: the block must be refused by `loadScenario` (what `pinlab check` exits 2 for);
 * - ```yaml fails: the block must load and run, and some expectation must fail (exit 1).
 *
 * A block marked `partial` (a scenario's header shown alone) is not run.
 *
 * Blocks run with the built-in policies and devices, plus what their fence names, the way the CLI
 * runs a file (paths relative to the workspace root):
 *
 * - `plugin=PATH` loads a plugin module, as `pinlab run --plugin PATH`;
 * - `config=PATH` reads a config file, as `pinlab run --config PATH`: its plugins are loaded, its
 *   `policy` is the default for a scenario that names none, and its `policyOptions` apply under
 *   the scenario's own `policy_options`.
 *
 * So `policy: all` means what it means on the command line: every policy registered for that run.
 * @module
 */
import type { DependencyContainer } from "tsyringe";
import { parse } from "yaml";
import { loadPinlabConfig, pluginContainer } from "@pinlab/cli";
import {
  formatProblem, loadScenario, pluginView, runScenario, ScenarioError, type RunOptions, type ScenarioProblem, type ScenarioReport,
} from "@pinlab/core";
import type { CodeBlock } from "./markdown.js";

/** One problem with a scenario block. */
export interface ScenarioBlockProblem {
  /** `file:line` of the block's opening fence. */
  readonly where: string;
  /** What went wrong. */
  readonly message: string;
}

/** True when the block is a whole scenario (a YAML map with `name` and `machine`). */
export function isScenarioBlock(b: CodeBlock): boolean {
  if ((b.lang !== "yaml" && b.lang !== "yml") || b.attrs.partial === true) return false;
  let data: unknown;
  try {
    data = parse(b.text);
  } catch {
    // Not even YAML: a scenario if it says so, or if it has the top-level keys of one (the
    // loader then reports the syntax error, instead of the block being skipped in silence).
    return b.attrs.invalid === true || (/^name:/m.test(b.text) && /^machine:/m.test(b.text));
  }
  return (data !== null && typeof data === "object" && !Array.isArray(data) && "name" in data && "machine" in data) || b.attrs.invalid === true;
}

/** Every failed expectation and step error of a report, one line each. */
export function failuresOf(report: ScenarioReport): string[] {
  return report.results.flatMap((r) => [
    ...(r.error !== undefined ? [`${r.policy}: ${r.error}`] : []),
    ...r.steps.flatMap((st) => [
      ...(st.error !== undefined ? [`${r.policy}: step ${st.index} (${st.op}): ${st.error}`] : []),
      ...st.expectations
        .filter((e) => !e.pass)
        .map((e) => `${r.policy}: step ${st.index} (${st.op}) ${e.key}: expected ${JSON.stringify(e.expected)}, got ${JSON.stringify(e.actual)}`),
    ]),
  ]);
}

/** A loader problem, placed at its line in the markdown file instead of its line in the block. */
function inMarkdown(b: CodeBlock, p: ScenarioProblem): string {
  return formatProblem({ ...p, file: b.file, ...(p.pos !== undefined ? { pos: { line: b.line + p.pos.line, col: p.pos.col } } : {}) });
}

/** How a block is run: its plugin container and run options, from its `plugin=` and `config=` attributes. */
async function setUpBlock(b: CodeBlock, workspaceRoot: string, containers: Map<string, Promise<DependencyContainer>>): Promise<RunOptions> {
  const config = typeof b.attrs.config === "string" ? loadPinlabConfig(workspaceRoot, b.attrs.config) : undefined;
  const plugins = [...(config?.plugins ?? []), ...(typeof b.attrs.plugin === "string" ? [b.attrs.plugin] : [])];
  const key = plugins.join("\n");
  let container = containers.get(key);
  if (container === undefined) {
    container = pluginContainer(plugins, workspaceRoot);
    containers.set(key, container);
  }
  return { container: await container, checkInvariants: true, defaultPolicy: config?.policy, policyOptions: config?.policyOptions };
}

/** Load and run every scenario block; returns the problems (empty when every block behaves as marked). */
export async function checkScenarioBlocks(blocks: readonly CodeBlock[], workspaceRoot: string): Promise<ScenarioBlockProblem[]> {
  const containers = new Map<string, Promise<DependencyContainer>>();
  const out: ScenarioBlockProblem[] = [];
  for (const b of blocks.filter(isScenarioBlock)) {
    const where = `${b.file}:${b.line}`;
    const opts = await setUpBlock(b, workspaceRoot, containers);
    let loaded;
    try {
      loaded = loadScenario(b.text, where, pluginView(opts.container));
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      if (b.attrs.invalid !== true) out.push({ where, message: `does not load:\n    ${e.problems.map((p) => inMarkdown(b, p)).join("\n    ")}` });
      continue;
    }
    if (b.attrs.invalid === true) {
      out.push({ where, message: "is marked `invalid` but loads without a problem" });
      continue;
    }
    let failures: string[];
    try {
      failures = failuresOf(runScenario(loaded, opts));
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      failures = e.problems.map((p) => inMarkdown(b, p));
    }
    if (b.attrs.fails === true) {
      if (failures.length === 0) out.push({ where, message: "is marked `fails` but every expectation held" });
    } else if (failures.length > 0) {
      out.push({ where, message: `fails:\n    ${failures.join("\n    ")}` });
    }
  }
  return out;
}
