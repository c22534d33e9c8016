import { describe, expect, it } from "vitest";
import { record } from "./recording.js";
import { libraryScenario, registry } from "./test-support.js";
import { runTimeline, timelines } from "./timeline.js";

describe("timeline", () => {
  const scenario = libraryScenario("dio-writeback-race");
  const recs = ["legacy-get", "pin-bias"].map((p) => record(scenario, p, registry));

  it("places a run that advances the clock on virtual time, a track group per run", () => {
    const tls = timelines(recs);
    expect(tls.map((t) => [t.key, t.clock])).toEqual([["legacy-get", "virtual"], ["pin-bias", "virtual"]]);
    for (const [i, tl] of tls.entries()) {
      const rec = recs[i];
      expect(tl.steps.map((s) => s.op)).toEqual(scenario.steps.map((s) => s.op));
      // Steps follow one another on the clock, and the run spans time.
      for (let k = 1; k < tl.steps.length; k++) expect(tl.steps[k].start).toBeGreaterThanOrEqual(tl.steps[k - 1].start);
      expect(tl.max).toBeGreaterThan(tl.steps[0].start);
      // Every hazard the oracle recorded, with its class and outcome; every other event an instant.
      expect(tl.hazards.map((h) => [h.class, h.outcome, h.step])).toEqual(rec.hazards.map((h) => [h.class, h.outcome, h.step]));
      expect(tl.events.length).toBe(rec.events.filter((e) => e.type !== "step" && e.type !== "hazard").length);
      for (const ev of tl.events) expect(ev.x).toBe(ev.event.t);
    }
    expect(tls[0].hazards.some((h) => h.outcome === "undetected")).toBe(true);
  });

  it("falls back to the step index when the clock never advances", () => {
    const still = libraryScenario("rdma-mr-fork");
    const rec = record(still, "pin-bias", registry);
    const tl = runTimeline(rec);
    expect(tl.clock).toBe("step");
    expect(tl.steps.map((s) => [s.start, s.end])).toEqual(still.steps.map((_, i) => [i, i + 1]));
    for (const ev of tl.events) {
      expect(ev.x).toBeGreaterThanOrEqual(ev.step);
      expect(ev.x).toBeLessThan(ev.step + 1);
    }
  });
});
