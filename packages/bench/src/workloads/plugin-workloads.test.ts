import "reflect-metadata";
import { listPolicies } from "@pinlab/core";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import { pluginContainer } from "../runner/load-plugins.js";
import { FAKE_PLUGINS } from "../test-support/fake-plugins.js";
import { FIXTURE_WORKLOAD } from "../test-support/fixture-workload.js";
import { defineWorkload, isWorkloadDefinition, workloadParams } from "./define-workload.js";
import { registerBenchPluginExports, splitWorkloadExports } from "./plugin-workloads.js";
import { rdmaFork } from "./rdma-fork.js";
import { findWorkloadIn, registerWorkload, workloadSource, workloadsOf } from "./workload-catalog.js";

const mini = (id: string) => defineWorkload({
  meta: {
    id, summary: "s", models: "m", source: "src", params: workloadParams({}), lookFor: "l",
    sizes: { tiny: { samples: 1, warmup: 0 }, small: { samples: 1, warmup: 0 }, default: { samples: 1, warmup: 0 }, large: { samples: 1, warmup: 0 } },
    cost: { tiny: 0, small: 0, default: 0, large: 0 }, variants: [{ id: "v", summary: "s" }],
  },
  create: () => ({ sample: () => undefined }),
});

describe("workload plugins", () => {
  it("tells a workload made by defineWorkload from anything else, by a global mark", () => {
    expect(isWorkloadDefinition(mini("a"))).toBe(true);
    expect(isWorkloadDefinition({ meta: mini("a").meta, create: () => undefined })).toBe(false);
    expect(isWorkloadDefinition(undefined)).toBe(false);
  });

  it("takes workloads out of a module's exports: a workloads array or map, or the default", () => {
    const a = mini("a");
    const b = mini("b");
    const policies = { x: 1 };
    expect(splitWorkloadExports({ workloads: [a, b], policies }, "m")).toEqual({ workloads: [a, b], rest: { policies } });
    expect(splitWorkloadExports({ workloads: { a }, default: b }, "m")).toEqual({ workloads: [b, a], rest: {} });
    expect(() => splitWorkloadExports({ workloads: [a, { meta: {} }] }, "m.mjs")).toThrow("plugin m.mjs: workloads[1] is not a workload definition (make it with defineWorkload from @pinlab/bench)");
    expect(() => splitWorkloadExports({ workloads: 3 }, "m.mjs")).toThrow(/its workloads export must be an array or a map/);
  });

  it("registers a module that exports only workloads, and rejects an id claimed twice, naming both", () => {
    const c = container.createChildContainer();
    registerBenchPluginExports(c, { workloads: [mini("extra")] }, "extra.mjs");
    expect(workloadsOf(c).map((w) => w.meta.id).slice(-2)).toEqual(["gup-throughput", "extra"]);
    expect(workloadSource(findWorkloadIn(c, "extra")!)).toBe("extra.mjs");
    expect(workloadSource(rdmaFork)).toBe("@pinlab/bench (built in)");
    expect(() => registerWorkload(c, mini("extra"), "other.mjs")).toThrow('workload id "extra" is claimed twice: by extra.mjs and by other.mjs. Rename one of them.');
    expect(() => registerWorkload(c, mini("rdma-fork"), "other.mjs")).toThrow('workload id "rdma-fork" is claimed twice: by @pinlab/bench (built in) and by other.mjs');
    expect(() => registerBenchPluginExports(c, { x: 1 }, "empty.mjs")).toThrow(/exports nothing pinlab can use: .*workload definitions \(defineWorkload\)/);
  });

  it("loads a plugin workload from a module specifier, beside policy plugins", async () => {
    const c = await pluginContainer([FAKE_PLUGINS, FIXTURE_WORKLOAD]);
    expect(listPolicies(c).map((p) => p.meta.id)).toEqual(["fake-get", "fake-bias", "test-exact"]);
    const w = findWorkloadIn(c, "longterm-pin-fixture");
    expect(w?.meta.variants.map((v) => v.id)).toEqual(["gup"]);
    expect(workloadSource(w!)).toBe(FIXTURE_WORKLOAD);
  });
});
