import { layoutZones } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { DisplayRegion } from "./display-region.js";
import { BAND, cellAt, cellRect, layoutGrid } from "./grid-layout.js";

const zones = layoutZones({ normal: 16384, movable: 4096, cma: 0, pmem: 1024 });

describe("display region and grid layout", () => {
  const region = new DisplayRegion(zones, [40, 0, 0, 7]);

  it("shows the used prefix of each zone, in PFN order", () => {
    expect(region.zones.map((z) => [z.name, z.shown])).toEqual([["normal", 40], ["movable", 0], ["pmem", 7]]);
    expect(region.size).toBe(47);
    expect(region.indexOf(39)).toBe(39);
    expect(region.indexOf(40)).toBe(-1);
    expect(region.indexOf(16384 + 4096 + 6)).toBe(46);
    for (let i = 0; i < region.size; i++) expect(region.indexOf(region.pfnAt(i))).toBe(i);
  });

  it("hit-tests every cell back to itself", () => {
    const L = layoutGrid(region, 200, 300);
    expect(L.cell).toBe(18);
    expect(L.bands[0].cellsTop).toBe(BAND);
    for (let i = 0; i < region.size; i++) {
      const r = cellRect(L, i)!;
      expect(cellAt(L, r.x + L.cell / 2, r.y + L.cell / 2)).toBe(i);
    }
    expect(cellAt(L, 1, 1)).toBe(-1);
  });

  it("shrinks cells to fit, down to a floor, for big regions", () => {
    const big = new DisplayRegion(zones, [16384]);
    const L = layoutGrid(big, 300, 300);
    expect(L.cell).toBe(3);
    expect(L.height).toBeGreaterThan(300);
  });
});
