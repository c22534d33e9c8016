import "reflect-metadata";
import type { DependencyContainer } from "tsyringe";
import { beforeAll, describe, expect, it } from "vitest";
import { SampleProbe } from "../probe/sample-probe.js";
import { FAKE_PLUGINS } from "../test-support/fake-plugins.js";
import { workloads } from "../workloads/registry.js";
import type { CellTask } from "./cell.js";
import { pluginContainer } from "./load-plugins.js";
import { cellId } from "./matrix.js";
import { resolveParams } from "./resolve-params.js";
import { runCell } from "./run-cell.js";

let c: DependencyContainer;
beforeAll(async () => {
  c = await pluginContainer([FAKE_PLUGINS]);
});

function task(workload: string, variant: string, policy: string, params: Record<string, unknown> = {}): CellTask {
  return { id: cellId(workload, variant, policy), workload, variant, device: "none", policy, seed: 7, size: "tiny", params, plugins: [] };
}

describe("runCell with fake policies", () => {
  it("dio-writeback-race: plain references let DMA land in a cleaned page unseen and lose the data; a bias flags it", () => {
    const get = runCell(task("dio-writeback-race", "block-layer", "fake-get"), c);
    const bias = runCell(task("dio-writeback-race", "block-layer", "fake-bias"), c);
    expect(get.error).toBeUndefined();
    expect(get.metrics.hazards.dma_after_clean).toEqual({ prevented: 0, detected: 0, undetected: 8 });
    expect(get.counters.lostPages).toBe(8);
    expect(get.metrics.falseNegativeRate).toBe(1);
    expect(bias.metrics.hazards.dma_after_clean).toEqual({ prevented: 0, detected: 8, undetected: 0 });
    expect(bias.counters.lostPages).toBe(0);
    expect(bias.metrics.falseNegativeRate).toBe(0);
    for (const r of [get, bias]) {
      expect(r.deterministic).toBe(true);
      expect(r.metrics.wallNsPerPage.pin).toBeGreaterThan(0);
      expect(r.metrics.wallNsPerPage.release).toBeGreaterThan(0);
      expect(r.series[0].pin?.samples).toBe(2);
    }
    // The cost model prices what each policy counted: plain references are cheaper than pins.
    expect(get.metrics.simNsPerPage!).toBeLessThan(bias.metrics.simNsPerPage!);
  });

  it("shared-library-false-positive: the bias lies from 1023 mappings on, an exact counter never, a reference count cannot see pins", () => {
    const curve = (policy: string) => runCell(task("shared-library-false-positive", "libc", policy), c).curves.map((p) => [p.x, p.values.falsePositiveRate, p.values.falseNegativeRate, p.values.refcount]);
    expect(curve("fake-bias")).toEqual([[1, 0, 0, 2], [1023, 1, 0, 1024], [1024, 1, 0, 1025]]);
    expect(curve("test-exact")).toEqual([[1, 0, 0, 2], [1023, 0, 0, 1024], [1024, 0, 0, 1025]]);
    expect(curve("fake-get").map((p) => p[2])).toEqual([1, 1, 1]);
    const bias = runCell(task("shared-library-false-positive", "libc", "fake-bias"), c);
    expect(bias.metrics.falsePositiveRate).toBeCloseTo(4 / 6, 10);
  });

  it("gup-throughput: every series timed, the bare loop beside them, references all given back, the cost model exact", () => {
    const r = runCell(task("gup-throughput", "anon", "fake-bias"), c);
    expect(r.error).toBeUndefined();
    expect(r.series.map((s) => s.id)).toEqual(["main", "bare-loop", "order0-fast-get", "order0-slow-get", "order0-slow-pin", "thp-fast-get", "thp-fast-pin", "thp-slow-get", "thp-slow-pin"]);
    for (const s of r.series) {
      expect(s.pin?.median).toBeGreaterThan(0);
      expect(s.release?.median).toBeGreaterThan(0);
    }
    expect(Object.keys(r.counters).filter((k) => k.endsWith(":leaked") || k.endsWith(":short"))).toEqual([]);
    expect(r.counters["main:pages"]).toBe(2048);
    // order-0 fast pin + unpin: 62 x 3.7/5.8 + 15 ns per page.
    expect(r.metrics.simNsPerPage).toBeCloseTo(62 * 3.7 / 5.8 + 15, 10);
    expect(r.series.find((s) => s.id === "thp-slow-pin")?.simNsPerPage).toBeCloseTo(2.3 + 5, 10);
    expect(r.deterministic).toBe(true);
  });

  it("longterm-cma: a policy that leaves long-term pins in ZONE_MOVABLE strands it; one that migrates first prevents it", () => {
    const stay = runCell(task("longterm-cma", "pin-user-pages", "fake-get"), c);
    const move = runCell(task("longterm-cma", "pin-user-pages", "test-exact"), c);
    expect(stay.metrics.hazards.longterm_in_movable?.undetected).toBe(16);
    expect(stay.counters.strandedInMovable).toBe(8);
    expect(stay.metrics.refusedBy.compact_movable).toEqual({ EBUSY: 1 });
    expect(move.metrics.hazards.longterm_in_movable).toEqual({ prevented: 2, detected: 0, undetected: 0 });
    expect(move.counters.strandedInMovable).toBe(0);
    expect(move.metrics.refused).toEqual({});
  });

  it("pin-overflow: a bias runs out of refcount headroom and GUP refuses; plain references do not within maxPins", () => {
    const def = workloads["pin-overflow"];
    const params = resolveParams(def, "tiny", { aliases: 64, maxPins: 8192 });
    const run = (policy: string, policyOptions: Record<string, unknown>) => {
      const probe = new SampleProbe({ policy, policyOptions, seed: 1, container: c });
      def.create({ params: params as never, variant: def.meta.variants[0], policy, policyOptions, seed: 1, container: c }).sample(probe);
      return probe.finish().outcome;
    };
    // With a bias of 2^20 the 31-bit refcount holds 2^11 pins (the page starts at 1 + 64 mappings).
    const bias = run("fake-bias", { bias: 2 ** 20 });
    expect(bias.counters.pinsAccepted).toBe(2048);
    expect(bias.refused).toEqual({ ENOMEM: 1 });
    expect(bias.counters.refcountWrapped).toBe(1);
    expect(bias.counters.refcountRestored).toBe(1);
    const get = run("fake-get", {});
    expect(get.counters.pinsAccepted).toBe(8192);
    expect(get.refused).toEqual({});
    expect(get.counters.refcountRestored).toBe(1);
  });

  it("reports a workload that fails as a cell with an error, not a crash", () => {
    const r = runCell({ ...task("rdma-fork", "rdma-mr", "fake-bias"), device: "rdma-mr" }, c);
    expect(r.error).toMatch(/unknown device kind "rdma-mr"/);
    expect(r.metrics.wallNsPerPage).toEqual({ pin: null, release: null });
  });
});
