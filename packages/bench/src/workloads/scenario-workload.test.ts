import "reflect-metadata";
import { loadScenario, pluginView, runScenario, type HazardReport } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { pluginContainer } from "../runner/load-plugins.js";
import { runCell } from "../runner/run-cell.js";
import { registerScenarioWorkloads } from "../runner/scenario-workloads.js";
import { FAKE_PLUGINS } from "../test-support/fake-plugins.js";
import { PIN_FORK } from "../test-support/pin-fork-scenario.js";
import { SCENARIO_RUN_SERIES } from "./scenario-sample.js";
import { scenarioWorkloadId } from "./scenario-workload.js";
import { findWorkloadIn } from "./workload-catalog.js";

/** Hazards as the bench tallies them: by class, then outcome. */
function tally(hazards: readonly HazardReport[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const h of hazards) {
    const byOutcome = (out[h.class] ??= { prevented: 0, detected: 0, undetected: 0 });
    byOutcome[h.outcome]++;
  }
  return out;
}

describe("a scenario as a workload", () => {
  it("is named after its file: scenario:STEM, lower-case kebab", () => {
    expect(scenarioWorkloadId("scenarios/rdma-mr-fork.yaml")).toBe("scenario:rdma-mr-fork");
    expect(scenarioWorkloadId("a\\b\\My_Story.v2.JSON")).toBe("scenario:my-story-v2");
  });

  it("records per policy what pinlab run records (hazards, failed steps' errnos, expectations), with pins and timings", async () => {
    const c = await pluginContainer([FAKE_PLUGINS]);
    const ids = registerScenarioWorkloads(c, [PIN_FORK]);
    expect(Object.keys(ids)).toEqual(["scenario:pin-fork"]);
    const def = findWorkloadIn(c, "scenario:pin-fork")!;
    expect(def.meta).toMatchObject({ summary: "a pinned private buffer, then fork, then the parent writes", source: "stories/Pin_Fork.yaml", variants: [{ id: "scenario", summary: "no device: the scenario's own GUP steps" }] });
    const loaded = loadScenario(PIN_FORK.text, PIN_FORK.file, pluginView(c));
    for (const policy of ["fake-get", "fake-bias"]) {
      const run = runScenario(loaded, { container: c, policy }).results[0];
      const cell = runCell({ id: `scenario:pin-fork/scenario/${policy}`, workload: "scenario:pin-fork", variant: "scenario", device: "none", policy, seed: 7, size: "tiny", plugins: [] }, c);
      expect(cell.error).toBeUndefined();
      expect(cell.deterministic).toBe(true);
      expect(cell.metrics.hazards).toEqual(tally(run.hazards));
      const failed = run.steps.filter((s) => s.errno !== null);
      expect(failed.map((s) => s.errno)).toEqual(["EFAULT"]);
      expect(cell.metrics.refused).toEqual({ EFAULT: 1 });
      expect(cell.metrics.refusedBy).toEqual({ gup: { EFAULT: 1 } });
      expect(cell.counters).toMatchObject({ steps: 8, failedSteps: 1, stepErrors: 0, expectationsFailed: 0, passed: run.passed ? 1 : 0 });
      // fake-get counts a pin as a plain reference; fake-bias as a pin. Both let go of all of them.
      expect(policy === "fake-get" ? [cell.counters.refsPeak, cell.counters.pinsPeak] : [cell.counters.pinsPeak, cell.counters.refsPeak]).toEqual([2, 0]);
      expect([cell.counters.pinsLeftover, cell.counters.refsLeftover]).toEqual([0, 0]);
      // The pin and the release are timed apart (2 pages each sample); the whole run is timed per step.
      const main = cell.series.find((s) => s.id === "main")!;
      expect([main.pages, main.pin?.samples, main.release?.samples]).toEqual([2, 2, 2]);
      expect(cell.series.find((s) => s.id === SCENARIO_RUN_SERIES)?.pages).toBe(8);
      expect(cell.metrics.audit.asked).toBeGreaterThan(0);
    }
  });

  it("runs the scenario under the cell's era and its policy options, not the scenario's", async () => {
    const c = await pluginContainer([FAKE_PLUGINS]);
    // The scenario names fake-get and v5.3, and an expectation that fails only at v5.3.
    const text = `${PIN_FORK.text.replace("machine: { memory: 16MiB }", "policy: fake-get\npolicy_options: { fake-bias: { bias: 2 } }\nmachine: { memory: 16MiB, kernel: v5.3 }")}`
      + `  - { op: check, expect_by_kernel: { "v5.3": { data: { proc: p1, addr: buf, equals: "never" } } } }\n`;
    registerScenarioWorkloads(c, [{ file: "pin-fork.yaml", text }]);
    expect(findWorkloadIn(c, "scenario:pin-fork")!.meta.policyOptions).toEqual({ "fake-bias": { bias: 2 } });
    const cell = (kernel: string) => runCell({ id: "x", workload: "scenario:pin-fork", variant: "scenario", device: "none", policy: "fake-bias", kernel, seed: 1, size: "tiny", plugins: [] }, c);
    const v612 = cell("v6.12");
    expect(v612.error).toBeUndefined();
    expect(v612.policyOptions).toEqual({ bias: 2 });
    expect(v612.metrics.refused).toEqual({ EFAULT: 1 });
    expect([v612.counters.expectationsFailed, v612.counters.passed, v612.counters.pinsPeak]).toEqual([0, 1, 2]);
    expect([cell("v5.3").counters.expectationsFailed, cell("v5.3").counters.passed]).toEqual([1, 0]);
  });

  it("fails the cell, with the first step error, when a step throws, misuses the API or breaks an invariant (a row of numbers would hide it)", async () => {
    const c = await pluginContainer([FAKE_PLUGINS]);
    registerScenarioWorkloads(c, [{ file: "twice.yaml", text: `${PIN_FORK.text}  - { op: release, handle: pin }\n` }]);
    const cell = runCell({ id: "x", workload: "scenario:twice", variant: "scenario", device: "none", policy: "fake-bias", seed: 1, size: "tiny", plugins: [] }, c);
    expect(cell.error).toMatch(/^Error: 1 step error\(s\), the first: step 8 \(release\): handle "pin" was already released/);
  });
});
