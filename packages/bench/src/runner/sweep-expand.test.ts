import { describe, expect, it } from "vitest";
import type { CellSpec } from "./cell.js";
import { cellId } from "./matrix.js";
import { sweepLabel, sweptOptions, sweptParams } from "./sweep-coordinates.js";
import { compareRanks, expandSweeps, sweepRank } from "./sweep-expand.js";
import type { Sweep } from "./sweep.js";

const cell = (workload: string, variant: string, policy: string): CellSpec => ({ id: cellId(workload, variant, policy), workload, variant, device: "none", policy });
const cells = [cell("w1", "a", "p1"), cell("w1", "a", "p2"), cell("w2", "b", "p1"), cell("w2", "b", "p2")];
const bias: Sweep = { target: "p1", kind: "policy", key: "bias", values: [256, 1024] };
const pages: Sweep = { target: "w1", kind: "workload", key: "pages", values: [4, 8, 16] };

describe("expanding the matrix by sweeps", () => {
  it("keeps unswept cells and their ids exactly", () => {
    expect(expandSweeps(cells, [])).toEqual(cells);
    expect(cellId("w1", "a", "p1")).toBe("w1/a/p1");
    expect(cellId("w1", "a", "p1", {})).toBe("w1/a/p1");
  });

  it("applies a policy sweep only to that policy's cells, with the value in the id and in sweep", () => {
    const out = expandSweeps(cells, [bias]);
    expect(out.map((c) => c.id)).toEqual(["w1/a/p1[bias=256]", "w1/a/p1[bias=1024]", "w1/a/p2", "w2/b/p1[bias=256]", "w2/b/p1[bias=1024]", "w2/b/p2"]);
    expect(out[1]).toEqual({ id: "w1/a/p1[bias=1024]", workload: "w1", variant: "a", device: "none", policy: "p1", sweep: { "p1.bias": 1024 } });
    expect(out[2]).not.toHaveProperty("sweep");
  });

  it("applies a workload sweep only to that workload's cells, and takes the product where several apply", () => {
    const out = expandSweeps(cells, [pages, bias]);
    expect(out.map((c) => c.id)).toEqual([
      "w1/a/p1[pages=4,bias=256]", "w1/a/p1[pages=4,bias=1024]", "w1/a/p1[pages=8,bias=256]", "w1/a/p1[pages=8,bias=1024]", "w1/a/p1[pages=16,bias=256]", "w1/a/p1[pages=16,bias=1024]",
      "w1/a/p2[pages=4]", "w1/a/p2[pages=8]", "w1/a/p2[pages=16]",
      "w2/b/p1[bias=256]", "w2/b/p1[bias=1024]", "w2/b/p2",
    ]);
    expect(new Set(out.map((c) => c.id)).size).toBe(out.length);
    const c = out[3];
    expect(c.sweep).toEqual({ "w1.pages": 8, "p1.bias": 1024 });
    expect(sweptParams("w1", c.sweep)).toEqual({ pages: 8 });
    expect(sweptOptions("p1", c.sweep)).toEqual({ bias: 1024 });
    expect(sweepLabel("w1", "p1", c.sweep)).toBe("pages=8, bias=1024");
  });

  it("writes the workload's keys first, then the policy's, each sorted, whatever the order of the coordinates", () => {
    expect(cellId("w1", "a", "p1", { "p1.zeta": 1, "p1.alpha": "x", "w1.pages": 4 })).toBe("w1/a/p1[pages=4,alpha=x,zeta=1]");
    expect(cellId("w1", "a", "p1", { "p1.alpha": "x", "w1.pages": 4, "p1.zeta": 1 })).toBe("w1/a/p1[pages=4,alpha=x,zeta=1]");
  });

  it("qualifies a key the workload and the policy both sweep", () => {
    expect(cellId("w1", "a", "p1", { "w1.bias": 2, "p1.bias": 1024 })).toBe("w1/a/p1[w1.bias=2,p1.bias=1024]");
  });

  it("writes strings that would parse as JSON quoted, and others bare", () => {
    expect(cellId("w1", "a", "p1", { "w1.memory": "64MiB" })).toBe("w1/a/p1[memory=64MiB]");
    expect(cellId("w1", "a", "p1", { "w1.memory": "64" })).toBe('w1/a/p1[memory="64"]');
    expect(cellId("w1", "a", "p1", { "w1.processes": [1, 1024] })).toBe("w1/a/p1[processes=[1,1024]]");
  });

  it("refuses a sweep that applies to no cell", () => {
    expect(() => expandSweeps(cells, [{ target: "w3", kind: "workload", key: "pages", values: [1] }])).toThrow('--sweep w3.pages: applies to no cell of the matrix (no cell has workload "w3" after --devices and the registered devices)');
  });

  it("ranks cells by their swept values in product order", () => {
    const out = expandSweeps(cells, [pages, bias]);
    const shuffled = [...out].reverse();
    const ranked = shuffled.sort((a, b) => compareRanks(sweepRank(a, [pages, bias]), sweepRank(b, [pages, bias])));
    expect(ranked.filter((c) => c.workload === "w1" && c.policy === "p1").map((c) => c.id)).toEqual(out.filter((c) => c.workload === "w1" && c.policy === "p1").map((c) => c.id));
    expect(sweepRank(out[9], [pages, bias])).toEqual([-1, 0]);
  });
});
