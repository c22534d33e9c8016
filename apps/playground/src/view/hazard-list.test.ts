import type { Hazard } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { groupHazards } from "./hazard-list.js";

const hz = (pfn: number, step = 5, outcome: Hazard["outcome"] = "undetected"): Hazard => ({ class: "cow_divergence", outcome, step, device: "hca0", pfn, detail: `frame ${pfn}` });

describe("hazard grouping", () => {
  it("folds consecutive alike hazards into one entry and keeps the others apart", () => {
    const list = [hz(512), hz(513), hz(514), hz(9, 6), hz(10, 6, "prevented")];
    const groups = groupHazards(list, new Set([1]));
    expect(groups.map((g) => [g.first.pfn, g.last.pfn, g.count, g.only])).toEqual([[512, 514, 3, true], [9, 9, 1, false], [10, 10, 1, false]]);
  });
});
