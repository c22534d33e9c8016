import { HAZARD_CLASSES } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { HAZARD_CLASS_NAMES, hazardClassInfo } from "./hazard-classes.js";

describe("hazard classes", () => {
  it("describes every class of core's oracle, cow_leak among them, in core's order", () => {
    expect(HAZARD_CLASS_NAMES).toEqual([...HAZARD_CLASSES]);
    expect(HAZARD_CLASS_NAMES).toContain("cow_leak");
    for (const c of HAZARD_CLASSES) expect(hazardClassInfo(c).length).toBeGreaterThan(20);
    expect(hazardClassInfo("cow_leak")).toMatch(/CVE-2020-29374/);
    expect(hazardClassInfo("no_such_class")).toBe("");
  });
});
