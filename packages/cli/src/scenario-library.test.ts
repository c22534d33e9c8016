/**
 * The scenario library is a test suite: every file under scenarios/ runs under every policy it
 * names, with the invariant checker after every step, and must pass.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, runScenario } from "@pinlab/core";
import { builtinContainer } from "./plugins/load-plugins.js";
import { REPO_ROOT } from "./test-support/capture-io.js";

const dir = join(REPO_ROOT, "scenarios");
const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
const container = builtinContainer();
const plugins = pluginView(container);

describe("scenario library", () => {
  it("holds at least 30 stories", () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(files)("%s passes under every policy it names", (file) => {
    const text = readFileSync(join(dir, file), "utf8");
    expect(text.startsWith("#"), `${file} must start with a comment saying what it shows and its source`).toBe(true);
    expect(text).toMatch(/^# Source: /m);
    const loaded = loadScenario(text, `scenarios/${file}`, plugins);
    const report = runScenario(loaded, { container, checkInvariants: true });
    const failures = report.results.flatMap((r) => [
      ...(r.error !== undefined ? [`${r.policy}: ${r.error}`] : []),
      ...r.steps.flatMap((s) => [
        ...(s.error !== undefined ? [`${r.policy} step ${s.index} (${s.op}): ${s.error}`] : []),
        ...s.expectations.filter((e) => !e.pass).map((e) => `${r.policy} step ${s.index} (${s.op}) ${e.key}: expected ${JSON.stringify(e.expected)}, got ${JSON.stringify(e.actual)}`),
      ]),
    ]);
    expect(failures).toEqual([]);
  });

  it("is deterministic: the same file, seed and policy give the same eventsHash", () => {
    const text = readFileSync(join(dir, "rdma-mr-fork.yaml"), "utf8");
    const run = () => runScenario(loadScenario(text, "rdma-mr-fork.yaml", plugins), { container }).results.map((r) => `${r.policy}:${r.eventsHash}`);
    const a = run();
    expect(run()).toEqual(a);
    expect(new Set(a.map((x) => x.split(":")[1])).size).toBe(a.length); // policies differ
    const other = runScenario(loadScenario(text, "rdma-mr-fork.yaml", plugins), { container, seed: 2 }).results.map((r) => `${r.policy}:${r.eventsHash}`);
    expect(other).not.toEqual(a);
  });
});
