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
 * A block marked `config=PATH` (relative to the workspace root) runs the way
 * `pinlab run --config PATH` runs it: the config's `policy` is the default for a scenario that
 * names none, and its `policyOptions` apply under the scenario's own `policy_options`. Its plugins
 * must already be in the container.
 * @module
 */
import type { DependencyContainer } from "tsyringe";
import { parse } from "yaml";
import { loadPinlabConfig } from "@pinlab/cli";
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
    // Not even YAML: only a scenario if it says so.
    return b.attrs.invalid === true;
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

/** The run options of a block: the container, invariants audited after every step, and its config if it names one. */
function runOptions(b: CodeBlock, container: DependencyContainer, workspaceRoot: string): RunOptions {
  const base = { container, checkInvariants: true };
  if (typeof b.attrs.config !== "string") return base;
  const config = loadPinlabConfig(workspaceRoot, b.attrs.config);
  return { ...base, defaultPolicy: config.policy, policyOptions: config.policyOptions };
}

/** Load and run every scenario block; returns the problems (empty when every block behaves as marked). */
export function checkScenarioBlocks(blocks: readonly CodeBlock[], container: DependencyContainer, workspaceRoot: string): ScenarioBlockProblem[] {
  const plugins = pluginView(container);
  const out: ScenarioBlockProblem[] = [];
  for (const b of blocks.filter(isScenarioBlock)) {
    const where = `${b.file}:${b.line}`;
    let loaded;
    try {
      loaded = loadScenario(b.text, where, plugins);
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
      failures = failuresOf(runScenario(loaded, runOptions(b, container, workspaceRoot)));
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
