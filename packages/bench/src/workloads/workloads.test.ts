import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SIZE_NAMES, defineWorkload, workloadParams } from "./define-workload.js";
import { listWorkloads, workloads } from "./registry.js";

describe("workload registry", () => {
  it("has the workloads of issue 7, each with metadata, sizes that fit its schema and at least one variant", () => {
    expect(Object.keys(workloads)).toEqual([
      "dio-writeback-race", "rdma-fork", "rdma-file-truncate", "odp-churn", "shared-library-false-positive", "longterm-cma", "pin-overflow", "gup-throughput",
    ]);
    for (const w of listWorkloads()) {
      const m = w.meta;
      for (const text of [m.summary, m.models, m.source, m.lookFor]) expect(text.length).toBeGreaterThan(20);
      expect(m.variants.length).toBeGreaterThan(0);
      for (const size of SIZE_NAMES) {
        const p = m.params.parse(m.sizes[size]) as { samples: number; warmup: number };
        expect(p.samples).toBeGreaterThanOrEqual(1);
        expect(m.cost[size]).toBeGreaterThan(0);
      }
      // Sizes grow: small costs at least what tiny does, large at least what default does.
      expect(m.cost.small).toBeGreaterThanOrEqual(m.cost.tiny);
      expect(m.cost.large).toBeGreaterThanOrEqual(m.cost.default);
    }
  });

  it("covers both file systems of rdma-file-truncate and runs its legacy policy as the pre-v4.18 kernel", () => {
    const m = workloads["rdma-file-truncate"].meta;
    expect(m.variants.map((v) => v.id)).toEqual(["ext4", "fsdax"]);
    expect(m.policyOptions?.["legacy-get"]).toEqual({ fsdaxLongterm: true, daxBusyWait: false });
  });

  it("lets the shared-library curve reach 4096 processes", () => {
    const p = workloads["shared-library-false-positive"].meta.params.parse(workloads["shared-library-false-positive"].meta.sizes.default) as { processes: number[] };
    expect(Math.max(...p.processes)).toBe(4096);
    expect(p.processes).toContain(1023);
    expect(() => workloads["shared-library-false-positive"].meta.params.parse({ ...workloads["shared-library-false-positive"].meta.sizes.small, processes: [4097] })).toThrow();
  });

  it("refuses malformed definitions", () => {
    const params = workloadParams({ n: z.number() });
    const sizes = { tiny: { samples: 1, warmup: 0, n: 1 }, small: { samples: 1, warmup: 0, n: 1 }, default: { samples: 1, warmup: 0, n: 1 }, large: { samples: 1, warmup: 0, n: 1 } };
    const meta = { id: "ok", summary: "s", models: "m", source: "s", lookFor: "l", params, sizes, cost: { tiny: 1, small: 1, default: 1, large: 1 }, variants: [{ id: "v", summary: "v" }] };
    const create = () => ({ sample: () => undefined });
    expect(() => defineWorkload({ meta: { ...meta, id: "Bad Id" }, create })).toThrow(/kebab-case/);
    expect(() => defineWorkload({ meta: { ...meta, variants: [] }, create })).toThrow(/no variant/);
    expect(() => defineWorkload({ meta: { ...meta, variants: [{ id: "v", summary: "" }, { id: "v", summary: "" }] }, create })).toThrow(/twice/);
    expect(() => defineWorkload({ meta: { ...meta, sizes: { ...sizes, large: { samples: 0, warmup: 0, n: 1 } } }, create })).toThrow(/size "large"/);
    expect(defineWorkload({ meta, create }).meta.id).toBe("ok");
  });
});
