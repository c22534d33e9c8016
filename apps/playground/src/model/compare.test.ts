import { describe, expect, it } from "vitest";
import { compareSteps, distinctHazards, firstDivergence, outcomeLabel, resultText, stepOutcome } from "./compare.js";
import { record } from "./recording.js";
import { Session } from "./session.js";
import { libraryScenario, registry } from "./test-support.js";

const scenario = libraryScenario("rdma-mr-fork");

describe("two columns side by side", () => {
  const legacy = record(scenario, "legacy-get", registry);
  const bias = record(scenario, "pin-bias", registry);

  it("marks the steps whose outcome differs", () => {
    const rows = compareSteps([legacy, bias]);
    expect(rows.filter((r) => r.differs).map((r) => r.index)).toEqual([3, 5]);
    expect(firstDivergence(rows)).toBe(3);
    expect(outcomeLabel(rows[3].outcomes.get("pin-bias")!)).toBe("ok · 4× cow_divergence prevented");
    expect(outcomeLabel(rows[5].outcomes.get("legacy-get")!)).toBe("ok · cow_divergence undetected");
  });

  it("finds the hazards one column has and the other lacks", () => {
    const d = distinctHazards([legacy, bias]);
    expect([...d.get("legacy-get")!]).toEqual([0]);
    expect([...d.get("pin-bias")!]).toEqual([0, 1, 2, 3]);
    const d2 = distinctHazards([bias, record(scenario, "exact-pincount", registry)]);
    expect([...d2.values()].every((s) => s.size === 0)).toBe(true);
  });

  it("does not call a column different while the other has not run the step yet", () => {
    const partial = new Session(scenario, [{ policy: "legacy-get" }, { policy: "pin-bias" }], registry);
    partial.recorders[0].advance();
    expect(partial.view.comparison.some((r) => r.differs)).toBe(false);
    expect(partial.reachable).toBe(0);
  });

  it("highlights the frames that look different", () => {
    const s = new Session(scenario, [{ policy: "legacy-get" }, { policy: "pin-bias" }], registry);
    s.advance();
    const at = (pos: number) => Session.frameDifferences([s.machine(0, pos), s.machine(1, pos)])!;
    expect(at(0).every((x) => x === 0)).toBe(true);
    const pfn = legacy.hazards[0].pfn;
    expect(at(6)[s.view.region.indexOf(pfn)]).toBe(1);
    expect(Session.frameDifferences([s.machine(0, 6)])).toBeUndefined();
  });
});

describe("step results shown to a person", () => {
  it("quotes bytes read with NULs escaped, addresses in hex, maps as JSON", () => {
    expect(resultText("ab\0\0")).toBe(String.raw`"ab\0\0"`);
    expect(resultText(0x7efffffc000)).toBe("0x7efffffc000");
    expect(resultText(2)).toBe("2");
    expect(resultText({ reclaimed: 2 })).toBe('{"reclaimed":2}');
    expect(resultText(null)).toBeUndefined();
    expect(resultText("x".repeat(100))).toHaveLength(80);
  });

  it("shows what reading-zeros reads: the zero page as four NULs", () => {
    const rec = record(libraryScenario("reading-zeros"), "pin-bias", registry);
    expect(stepOutcome(rec, 2)?.shown).toBe(String.raw`"\0\0\0\0"`);
    expect(stepOutcome(rec, 4)?.shown).toBe(String.raw`"ab\0\0"`);
    expect(stepOutcome(rec, 2)?.result).toBe(JSON.stringify("\0\0\0\0"));
  });
});
