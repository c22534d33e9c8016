import { describe, expect, it } from "vitest";
import { measureSpinners, medianSpinMs, spinnerCapacity } from "./capacity-probe.js";

describe("the capacity probe", () => {
  it("times 1 and 2 spinners on worker threads and gives a sane capacity", async () => {
    // A short unit: this checks the mechanism, not the machine (no timing assertions beyond sanity).
    const times = await measureSpinners([1, 2], { iterations: 5_000_000, rounds: 3 });
    expect([...times.keys()]).toEqual([1, 2]);
    for (const ms of times.values()) {
      expect(ms).toHaveLength(3);
      for (const t of ms) expect(t).toBeGreaterThan(0);
    }
    const median = medianSpinMs(times);
    const capacity = spinnerCapacity(median.get(1), median.get(2), 2)!;
    // A capacity, whatever the machine: how much it is depends on what else runs (a clean-clone CI
    // beside another test run measured 0.45 on 2 cores), so this checks the mechanism, not the machine.
    expect(Number.isFinite(capacity)).toBe(true);
    expect(capacity).toBeGreaterThan(0);
  }, 60_000);

  it("pools the rounds of several probes into one median per count", () => {
    const m = medianSpinMs(new Map([[1, [100, 300]], [2, [200]]]), new Map([[1, [110]], [2, [190, 400]]]));
    expect(m).toEqual(new Map([[1, 110], [2, 200]]));
  });

  it("defines the capacity as how much faster k spinners finish k units than 1 finishes 1", () => {
    expect(spinnerCapacity(100, 100, 2)).toBe(2);
    expect(spinnerCapacity(100, 200, 2)).toBe(1);
    expect(spinnerCapacity(100, 164, 2)).toBeCloseTo(1.22, 2);
    expect(spinnerCapacity(100, 100, 4)).toBe(4);
    expect(spinnerCapacity(undefined, 100, 2)).toBeUndefined();
    expect(spinnerCapacity(100, 0, 2)).toBeUndefined();
  });

  it("refuses spinner counts that are not whole numbers from 1", async () => {
    await expect(measureSpinners([0])).rejects.toThrow("spinner counts must be whole numbers from 1");
    await expect(measureSpinners([])).rejects.toThrow("spinner counts");
  });
});
