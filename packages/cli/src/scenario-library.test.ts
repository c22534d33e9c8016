/**
 * The scenario library is a test suite: every file under scenarios/ runs under every policy it
 * names, with the invariant checker after every step, and must pass. So does every file of its
 * plugin libraries (a subfolder with a pinlab.config.yaml), with the plugins its config names.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { DependencyContainer } from "tsyringe";
import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, runScenario } from "@pinlab/core";
import { pluginLibraries, pluginLibraryContainer, type PluginLibrary } from "./dev/plugin-libraries.js";
import { builtinContainer } from "./plugins/load-plugins.js";
import { REPO_ROOT } from "./test-support/capture-io.js";

const dir = join(REPO_ROOT, "scenarios");
const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
const container = builtinContainer();
const plugins = pluginView(container);

/** Run one library file with its comment checked; every failed expectation and step error, one line each. */
function failuresOf(file: string, path: string, c: DependencyContainer, policyOptions: PluginLibrary["config"]["policyOptions"] = {}): string[] {
  const text = readFileSync(path, "utf8");
  expect(text.startsWith("#"), `${file} must start with a comment saying what it shows and its source`).toBe(true);
  expect(text).toMatch(/^# Source: /m);
  const loaded = loadScenario(text, `scenarios/${file}`, pluginView(c));
  const report = runScenario(loaded, { container: c, checkInvariants: true, policyOptions });
  return report.results.flatMap((r) => [
    ...(r.error !== undefined ? [`${r.policy}: ${r.error}`] : []),
    ...r.steps.flatMap((s) => [
      ...(s.error !== undefined ? [`${r.policy} step ${s.index} (${s.op}): ${s.error}`] : []),
      ...s.expectations.filter((e) => !e.pass).map((e) => `${r.policy} step ${s.index} (${s.op}) ${e.key}: expected ${JSON.stringify(e.expected)}, got ${JSON.stringify(e.actual)}`),
    ]),
  ]);
}

describe("scenario library", () => {
  it("holds at least 30 stories", () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(files)("%s passes under every policy it names", (file) => {
    expect(failuresOf(file, join(dir, file), container)).toEqual([]);
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

describe("plugin libraries", () => {
  const libs = pluginLibraries(dir);
  const containers = new Map<string, Promise<DependencyContainer>>();
  const cases = libs.flatMap((lib) => lib.files.map((f) => [`${lib.name}/${basename(f)}`, lib, f] as const));

  it("include fixed-buffer-ring, run with the example plugin its config names", () => {
    expect(libs.map((l) => [l.name, l.config.plugins.map((p) => basename(p))])).toContainEqual(["fixed-buffer-ring", ["fixed-buffer-ring.mjs"]]);
    expect(libs.every((l) => l.files.length > 0 && l.files.every((f) => !basename(f).startsWith("pinlab.config")))).toBe(true);
  });

  it.each(cases)("%s passes under every policy it names, with its library's plugins", async (file, lib, path) => {
    let c = containers.get(lib.name);
    if (c === undefined) containers.set(lib.name, (c = pluginLibraryContainer(lib)));
    expect(failuresOf(file, path, await c, lib.config.policyOptions)).toEqual([]);
  });
});
