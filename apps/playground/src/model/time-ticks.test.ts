import { describe, expect, it } from "vitest";
import { formatTick, rulerTicks } from "./time-ticks.js";

describe("ruler", () => {
  it("ticks round times on the virtual clock", () => {
    expect(rulerTicks(0, 1_000_000, 5, "virtual")).toEqual([0, 200_000, 400_000, 600_000, 800_000, 1_000_000]);
    expect(rulerTicks(150, 420, 3, "virtual")).toEqual([200, 300, 400]);
  });

  it("ticks whole steps on the step clock", () => {
    expect(rulerTicks(-0.5, 3.2, 10, "step")).toEqual([0, 1, 2, 3]);
  });

  it("writes times in the largest unit that fits", () => {
    expect(formatTick(1_500_000, "virtual")).toBe("1.5ms");
    expect(formatTick(20_000, "virtual")).toBe("20µs");
    expect(formatTick(0, "virtual")).toBe("0ns");
    expect(formatTick(4, "step")).toBe("step 4");
  });
});
