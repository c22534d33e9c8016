import { readFileSync } from "node:fs";
import { loadScenario } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { loadPlugin, type ModuleHost } from "./plugin-loader.js";
import { createRegistry } from "./registry.js";
import { record } from "./recording.js";

/** Node's way of importing source text: data: URLs. */
const NODE_MODULES: ModuleHost = {
  url: (source) => `data:text/javascript;base64,${Buffer.from(source).toString("base64")}`,
  load: (url) => import(/* @vite-ignore */ url) as Promise<Record<string, unknown>>,
};

const example = (f: string, dir = "fixed-buffer-ring") => readFileSync(new URL(`../../../../docs/examples/${dir}/${f}`, import.meta.url), "utf8");

describe("loadPlugin", () => {
  it("loads the fixed-buffer-ring example against the playground's core and runs its scenario", async () => {
    const registry = createRegistry();
    const got = await loadPlugin(registry, "fixed-buffer-ring.mjs", example("fixed-buffer-ring.mjs"), NODE_MODULES);
    expect(got).toEqual({ ok: true, name: "fixed-buffer-ring.mjs", policies: [], devices: ["fixed-buffer-ring"] });
    expect(registry.plugins.devices.has("fixed-buffer-ring")).toBe(true);
    const scenario = loadScenario(example("fixed-buffer-ring.yaml"), "fixed-buffer-ring.yaml", registry.plugins);
    const rec = record(scenario, "pin-bias", registry);
    expect(rec.setupError).toBeUndefined();
    expect(rec.steps.length).toBe(scenario.steps.length);
    const expectations = rec.steps.flatMap((s) => s.expectations);
    expect(expectations.length).toBeGreaterThan(5);
    expect(expectations.filter((x) => !x.pass)).toEqual([]);
    expect(rec.steps.flatMap((s) => (s.error === undefined ? [] : [s.error]))).toEqual([]);
  });

  it("loads a policy plugin built on the playground's own @pinlab/policies and offers it", async () => {
    const registry = createRegistry();
    const got = await loadPlugin(registry, "no-longterm.mjs", example("no-longterm.mjs", "no-longterm"), NODE_MODULES);
    expect(got).toEqual({ ok: true, name: "no-longterm.mjs", policies: ["no-longterm"], devices: [] });
    expect(registry.policyIds).toContain("no-longterm");
    const scenario = loadScenario(example("no-longterm.yaml", "no-longterm"), "no-longterm.yaml", registry.plugins);
    const rec = record(scenario, "no-longterm", registry);
    expect(rec.setupError).toBeUndefined();
    const expectations = rec.steps.flatMap((s) => s.expectations);
    expect(expectations.length).toBeGreaterThan(0);
    expect(expectations.filter((x) => !x.pass)).toEqual([]);
  });

  it("says in one line what is wrong with a bad plugin", async () => {
    const registry = createRegistry();
    const bad = async (src: string) => {
      const r = await loadPlugin(registry, "bad.mjs", src, NODE_MODULES);
      expect(r.ok).toBe(false);
      return r.ok ? "" : r.error;
    };
    expect(await bad("export const x = ;")).toMatch(/^plugin bad\.mjs: SyntaxError/);
    expect(await bad("export const x = 1;")).toMatch(/^plugin bad\.mjs exports nothing pinlab can use/);
    expect(await bad('import "left-pad";')).toMatch(/^plugin bad\.mjs: imports "left-pad", which the playground cannot provide/);
    for (const e of [await bad('throw new Error("boom\\nsecond line");')]) expect(e).toBe("plugin bad.mjs: boom");
  });
});
