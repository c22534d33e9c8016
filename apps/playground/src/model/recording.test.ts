import { describe, expect, it } from "vitest";
import { regionFor } from "./display-region.js";
import { machineAt } from "./machine-at.js";
import { record, Recorder, stepOfEvent } from "./recording.js";
import { FRAME_WIDTH } from "./frame-state.js";
import { libraryScenario, registry } from "./test-support.js";

const scenario = libraryScenario("rdma-mr-fork");

function plain(m: ReturnType<typeof machineAt>) {
  return { rows: [...m.rows], ptes: [...m.ptes].map(([k, r]) => [k, [...r]]), views: m.views, hazards: m.hazards.map((h) => ({ ...h })) };
}

describe("recording a run", () => {
  it.each(["legacy-get", "pin-bias"])("replays to every step deterministically from the seed (%s)", (policy) => {
    const full = record(scenario, policy, registry, { keyframeEvery: 4 });
    expect(full.complete).toBe(true);
    expect(full.positions).toBe(scenario.steps.length + 1);
    for (let pos = 0; pos <= scenario.steps.length; pos++) {
      // Rebuild from the seed and run steps 0..pos-1 only; every keyframe placement differs.
      const partial = new Recorder(scenario, policy, registry, { keyframeEvery: 1 });
      for (let i = 0; i < pos; i++) partial.step();
      const r = partial.recording;
      const region = regionFor([full, r]);
      expect(plain(machineAt(r, pos, region))).toEqual(plain(machineAt(full, pos, region)));
      expect(r.eventsHash[pos]).toBe(full.eventsHash[pos]);
      expect(r.events).toEqual(full.eventsAt(pos));
    }
  });

  it("records the story of rdma-mr-fork: legacy-get diverges silently, pin-bias copies at fork", () => {
    const legacy = record(scenario, "legacy-get", registry);
    const bias = record(scenario, "pin-bias", registry);
    expect(legacy.hazards.map((h) => [h.class, h.outcome, h.step])).toEqual([["cow_divergence", "undetected", 5]]);
    expect(bias.hazards.every((h) => h.class === "cow_divergence" && h.outcome === "prevented" && h.step === 3)).toBe(true);
    const region = regionFor([legacy, bias]);
    const pfn = legacy.hazards[0].pfn;
    const atHazard = machineAt(legacy, 6, region);
    expect(atHazard.holders.get(pfn)).toEqual(["hca0"]);
    expect(machineAt(legacy, 5, region).hazards).toHaveLength(0);
    expect(atHazard.hazards).toHaveLength(1);
    // Each run passes its own expectations.
    expect([...legacy.steps, ...bias.steps].every((s) => s.expectations.every((e) => e.pass))).toBe(true);
  });

  it("only visits the used part of a large machine", () => {
    const big = libraryScenario("rdma-mr-fork");
    const rec = record({ ...big, header: { ...big.header, machine: { ...big.header.machine, memory: 4 * 1024 ** 3 } } }, "pin-bias", registry);
    const region = regionFor([rec]);
    expect(region.zones[0].total).toBe(1024 ** 2);
    expect(region.size).toBeLessThan(32);
  });

  it("maps events to the step that emitted them", () => {
    const rec = record(scenario, "legacy-get", registry);
    const forkStep = rec.events.find((e) => e.type === "fork");
    expect(forkStep).toBeDefined();
    expect(stepOfEvent(rec, forkStep!.seq)).toBe(3);
    expect(stepOfEvent(rec, 0)).toBe(-1);
  });

  it("reports a kernel that cannot be built instead of throwing", () => {
    const rec = record(scenario, "no-such-policy", registry);
    expect(rec.setupError).toMatch(/unknown policy/);
    expect(rec.complete).toBe(true);
    expect(rec.positions).toBe(0);
  });
});

describe("the scenario library in the playground", () => {
  it("loads, records and materializes every library scenario under two policies", { timeout: 60_000 }, async () => {
    const { LIBRARY } = await import("./library.js");
    const { loadScenario } = await import("@pinlab/core");
    for (const e of LIBRARY) {
      const loaded = loadScenario(e.text, e.file, registry.plugins);
      for (const policy of ["legacy-get", "pin-bias"]) {
        const rec = record(loaded, policy, registry);
        expect(rec.setupError, e.id).toBeUndefined();
        expect(rec.steps.filter((s) => s.error?.startsWith("internal error")), e.id).toEqual([]);
        const region = regionFor([rec]);
        const m = machineAt(rec, rec.positions - 1, region);
        expect(m.rows.length, e.id).toBe(region.size * FRAME_WIDTH);
      }
    }
  });
});
