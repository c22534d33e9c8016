import { describe, expect, it } from "vitest";
import { integerTicks, stepLabel } from "./integer-ticks.js";

describe("integerTicks", () => {
  it("ticks every step when they fit", () => {
    expect(integerTicks(0, 5, 10)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("never ticks between steps on a short run or a fractional range", () => {
    expect(integerTicks(0, 1, 12)).toEqual([0, 1]);
    expect(integerTicks(-0.4, 2.6, 12)).toEqual([0, 1, 2]);
    expect(integerTicks(0.2, 0.8, 12)).toEqual([]);
  });

  it("spaces ticks 2, 5, 10... steps apart on a long run", () => {
    expect(integerTicks(0, 10, 6)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(integerTicks(0, 40, 6)).toEqual([0, 10, 20, 30, 40]);
    const many = integerTicks(0, 1234, 8);
    expect(many.length).toBeLessThanOrEqual(8);
    expect(many.every(Number.isInteger)).toBe(true);
  });
});

describe("stepLabel", () => {
  it("labels whole steps only", () => {
    expect(stepLabel(3)).toBe("3");
    expect(stepLabel(2.5)).toBe("");
    expect(stepLabel(null)).toBe("");
  });
});
