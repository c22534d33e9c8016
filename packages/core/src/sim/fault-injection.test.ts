/**
 * Fault specs (every, at, probability, times) and the injector that applies them: which calls
 * fail, that every call is counted, that probability draws are deterministic and independent per
 * point, and the messages bad specs get.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, parseKernelConfig } from "../config/kernel-config.js";
import { FaultInjector, faultSeed } from "./fault-injection.js";
import { FAULT_POINTS, faultsSchema, type FaultPoint, type FaultsConfig } from "./fault-spec.js";

/** The 1-based calls of `point` that fail among the first `n`. */
function failing(faults: FaultsConfig | undefined, point: FaultPoint, n: number, seed = 1): number[] {
  const inj = new FaultInjector(faults, seed);
  const out: number[] = [];
  for (let call = 1; call <= n; call++) if (inj.shouldFail(point)) out.push(call);
  return out;
}

describe("FaultInjector", () => {
  it("fails nothing without a spec, and still counts every call of every point", () => {
    const inj = new FaultInjector(undefined, 1);
    for (let i = 0; i < 5; i++) expect(inj.shouldFail("alloc")).toBe(false);
    inj.shouldFail("dma");
    expect(inj.stats()).toEqual({ alloc: { calls: 5, injected: 0 }, migrate: { calls: 0, injected: 0 }, writeback: { calls: 0, injected: 0 }, dma: { calls: 1, injected: 0 } });
  });

  it("every: N fails calls N, 2N, 3N... (fault-inject's interval)", () => {
    expect(failing({ alloc: { every: 3 } }, "alloc", 10)).toEqual([3, 6, 9]);
    expect(failing({ alloc: { every: 1 } }, "alloc", 3)).toEqual([1, 2, 3]);
  });

  it("at: fails exactly the listed calls, in any order, duplicates harmless", () => {
    expect(failing({ migrate: { at: [5, 2, 2] } }, "migrate", 10)).toEqual([2, 5]);
  });

  it("times caps the failures of any form", () => {
    expect(failing({ alloc: { every: 2, times: 2 } }, "alloc", 10)).toEqual([2, 4]);
    expect(failing({ alloc: { at: [1, 3, 5], times: 1 } }, "alloc", 10)).toEqual([1]);
    expect(failing({ dma: { probability: 1, times: 3 } }, "dma", 10)).toEqual([1, 2, 3]);
  });

  it("probability: deterministic for a seed, different for another, and about p of the calls", () => {
    const a = failing({ writeback: { probability: 0.3 } }, "writeback", 2000, 7);
    expect(failing({ writeback: { probability: 0.3 } }, "writeback", 2000, 7)).toEqual(a);
    expect(failing({ writeback: { probability: 0.3 } }, "writeback", 2000, 8)).not.toEqual(a);
    expect(a.length / 2000).toBeGreaterThan(0.25);
    expect(a.length / 2000).toBeLessThan(0.35);
    expect(failing({ writeback: { probability: 1 } }, "writeback", 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it("a point's draws do not depend on what the other points do", () => {
    const alone = failing({ dma: { probability: 0.5 } }, "dma", 200, 3);
    const inj = new FaultInjector({ dma: { probability: 0.5 }, alloc: { probability: 0.5 }, migrate: { every: 2 } }, 3);
    const mixed: number[] = [];
    for (let call = 1; call <= 200; call++) {
      inj.shouldFail("alloc");
      inj.shouldFail("migrate");
      if (inj.shouldFail("dma")) mixed.push(call);
    }
    expect(mixed).toEqual(alone);
    expect(new Set(FAULT_POINTS.map((p) => faultSeed(3, p))).size).toBe(FAULT_POINTS.length);
  });

  it("tells its listener each injected failure with the call's index, and stats() counts them", () => {
    const heard: string[] = [];
    const inj = new FaultInjector({ alloc: { at: [2] }, dma: { every: 2 } }, 1, (p, call) => heard.push(`${p}#${call}`));
    for (let i = 0; i < 3; i++) {
      inj.shouldFail("alloc");
      inj.shouldFail("dma");
    }
    expect(heard).toEqual(["alloc#2", "dma#2"]);
    expect(inj.stats().alloc).toEqual({ calls: 3, injected: 1 });
    expect(inj.stats().dma).toEqual({ calls: 3, injected: 1 });
  });
});

describe("the faults spec", () => {
  const issues = (faults: unknown): string[] => {
    try {
      parseKernelConfig({ machine: { memory: "16MiB" }, faults });
      return [];
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return e.issues;
    }
  };

  it("accepts each form, with or without times, and leaves the config without faults when absent", () => {
    expect(faultsSchema.parse({ alloc: { every: 2 }, migrate: { at: [1, 4] }, writeback: { probability: 0.5, times: 1 }, dma: { probability: 1 } })).toBeTruthy();
    expect("faults" in parseKernelConfig({ machine: { memory: "16MiB" } })).toBe(false);
  });

  it.each([
    [{ alloc: { every: 2, at: [1] } }, "faults.alloc: give exactly one of every, at, probability (got every and at)"],
    [{ dma: { times: 2 } }, "faults.dma: give exactly one of every, at, probability (got none)"],
    [{ alloc: { every: 0 } }, "faults.alloc.every: expected a whole number of calls, at least 1 (calls N, 2N, 3N... fail)"],
    [{ alloc: { every: 1.5 } }, "faults.alloc.every: expected a whole number of calls, at least 1 (calls N, 2N, 3N... fail)"],
    [{ migrate: { at: [] } }, "faults.migrate.at: expected at least one call index"],
    [{ migrate: { at: [0, 2] } }, "faults.migrate.at.0: expected a call index: a whole number, at least 1"],
    [{ writeback: { probability: 0 } }, "faults.writeback.probability: expected a probability greater than 0 and at most 1"],
    [{ writeback: { probability: 1.5 } }, "faults.writeback.probability: expected a probability greater than 0 and at most 1"],
    [{ dma: { every: 1, times: 0 } }, "faults.dma.times: expected a whole number of calls, at least 1 (at most this many failures)"],
    [{ alocc: { every: 1 } }, "faults.alocc: unknown field (expected one of: alloc, migrate, writeback, dma)"],
    [{ alloc: { every: 1, tims: 1 } }, "faults.alloc.tims: unknown field (expected one of: every, at, probability, times)"],
  ])("refuses %j: %s", (faults, message) => {
    expect(issues(faults)).toContain(message);
  });
});
