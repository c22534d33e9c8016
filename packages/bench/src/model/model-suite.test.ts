import "reflect-metadata";
import { loadScenario, pluginView } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { pluginContainer } from "../runner/load-plugins.js";
import { FAKE_PLUGINS } from "../test-support/fake-plugins.js";
import { BenchInputError } from "../runner/bench-input-error.js";
import { checkModelPolicy, judge, runModelCheck, runModelSuite } from "./model-suite.js";
import { scenarioText } from "./scenario-text.js";

describe("model micro-benchmarks", () => {
  it("generates a valid scenario of exactly the asked number of steps", async () => {
    const c = await pluginContainer([FAKE_PLUGINS]);
    for (const n of [10, 1001]) expect(loadScenario(scenarioText(n), "gen.yaml", pluginView(c)).steps).toHaveLength(n);
    expect(scenarioText(10_000).match(/^ {2}- /gm)).toHaveLength(10_000);
  }, 60_000);

  it("judges the memory goal per faulted page from the machine as built, and marks scaled runs as no verdict", () => {
    const MiB = 1024 ** 2;
    const r = {
      check: "footprint" as const, policy: "p", machineBytes: 16 * 1024 ** 3, faultedBytes: 4 * 1024 ** 3, pages: 1_048_576,
      before: { rss: 60 * MiB, arrayBuffers: 1 * MiB, heapUsed: 5 * MiB },
      machine: { rss: 61 * MiB, arrayBuffers: 140 * MiB, heapUsed: 5 * MiB },
      faulted: { rss: 101 * MiB, arrayBuffers: 146 * MiB, heapUsed: 7 * MiB },
    };
    const [rss, ab] = judge(r, false);
    expect(rss).toMatchObject({ id: "model-footprint-rss", measured: 40, pass: true });
    expect(ab).toMatchObject({ id: "model-footprint-arraybuffers", measured: 6, pass: true });
    expect(rss.note).toMatch(/reserved 139 MiB of typed arrays/);
    const over = judge({ ...r, faulted: { ...r.faulted, rss: 200 * MiB } }, false)[0];
    expect(over.pass).toBe(false);
    expect(judge(r, true)[0]).toMatchObject({ pass: null, note: expect.stringMatching(/^scaled-down run/) });
    const events = judge({ check: "events", policy: "p", calls: [{ op: "a", pages: 8, ownType: "gup", ownEvents: 1, allEvents: 1 }, { op: "b", pages: 8, ownType: "release", ownEvents: 2, allEvents: 2 }] }, false)[0];
    expect(events).toMatchObject({ measured: 1, pass: false });
    expect(events.note).toContain("b: 2 release");
  });

  it("checks the policy against the registered ones (plugins included) before any child runs", async () => {
    await expect(checkModelPolicy({ plugins: [FAKE_PLUGINS], policy: "fake-bias" })).resolves.toBeUndefined();
    await expect(checkModelPolicy({ plugins: [FAKE_PLUGINS] })).resolves.toBeUndefined();
    await expect(runModelSuite({ plugins: [FAKE_PLUGINS], policy: "nope", scale: 1 / 512 })).rejects.toThrow(BenchInputError);
    await expect(checkModelPolicy({ plugins: [FAKE_PLUGINS], policy: "nope" })).rejects.toThrow('--policy: unknown policy "nope"; registered policies: fake-get, fake-bias, test-exact');
    await expect(checkModelPolicy({ plugins: [FAKE_PLUGINS], policy: "" })).rejects.toThrow("--policy is empty; registered policies: fake-get, fake-bias, test-exact");
  }, 60_000);

  it("reports a failing child's error message without its stack (the stack stays on the error)", async () => {
    const e = await runModelCheck("events", { plugins: [FAKE_PLUGINS], policy: "nope", scale: 1 / 512 }).then(() => undefined, (x: unknown) => x as Error);
    expect(e?.message).toMatch(/^model check events failed: UnknownPluginError: unknown policy "nope"; registered policies: [a-z, -]+$/);
    expect(e?.stack).toContain("--- in the model child:");
  }, 60_000);

  it("runs checks in fresh child processes (scaled down here) and reports them", async () => {
    const goals = await runModelSuite({ plugins: [FAKE_PLUGINS], policy: "fake-bias", scale: 1 / 512 }, ["create", "events", "scenario"]);
    expect(goals.map((g) => g.id)).toEqual(["model-create-64gib", "model-bulk-events", "model-scenario-10k"]);
    for (const g of goals) {
      expect(g.pass).toBeNull();
      expect(g.measured).not.toBeNull();
    }
    expect(goals[1].measured).toBe(0);
    expect(goals[1].note).toMatch(/pin_user_pages_fast: 1 gup/);
    expect(goals[2].note).toMatch(/0 step\(s\) failed/);
  }, 120_000);
});
