import { layoutZones } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { DisplayRegion } from "./display-region.js";
import { BAND, cellAt, cellRect, layoutGrid, runShape, type Point, type Rect } from "./grid-layout.js";

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

  describe("a run of cells joined into one shape (a large folio's block)", () => {
    const thp = new DisplayRegion(zones, [1536]);
    const inside = (rs: readonly Rect[], x: number, y: number) => rs.some((r) => x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h);
    // Shoelace: the area a polygon encloses.
    const area = (p: readonly Point[]) => Math.abs(p.reduce((a, [x, y], i) => { const [nx, ny] = p[(i + 1) % p.length]; return a + x * ny - nx * y; }, 0)) / 2;

    it.each([
      ["a staircase over rows (41 columns)", 41 * 8, 8, 1],
      ["whole rows (32 columns)", 32 * 6, 6, 1],
      ["two partial rows that touch (400 columns)", 400 * 3, 3, 1],
      ["two pieces that do not touch (600 columns)", 600 * 3, 3, 2],
      ["one row (1100 columns)", 1100 * 3, 3, 1],
    ])("covers exactly the folio's cells: %s", (_name, width, cell, pieces) => {
      const L = { ...layoutGrid(thp, width, 10_000), cell, cols: width / cell };
      const shape = runShape(L, 512, 512)!;
      expect(shape.outlines).toHaveLength(pieces);
      expect(shape.rects.reduce((a, r) => a + r.w * r.h, 0)).toBe(512 * cell * cell);
      expect(shape.outlines.reduce((a, p) => a + area(p), 0)).toBe(512 * cell * cell);
      for (let i = 500; i < 1040; i++) {
        const r = cellRect(L, i)!;
        expect(inside(shape.rects, r.x + cell / 2, r.y + cell / 2), `cell ${i}`).toBe(i >= 512 && i < 1024);
      }
      expect(shape.labelRect.w * shape.labelRect.h).toBe(Math.max(...shape.rects.map((r) => r.w * r.h)));
    });

    it("keeps the gap between cells on its right and bottom edges only", () => {
      const L = { ...layoutGrid(thp, 41 * 8, 10_000), cell: 8, cols: 41 };
      const [poly] = runShape(L, 512, 512, 1)!.outlines;
      const first = cellRect(L, 512)!;
      expect(poly[0]).toEqual([first.x, first.y]);
      expect(Math.max(...poly.map(([x]) => x))).toBe(41 * 8 - 1);
      const last = cellRect(L, 1023)!;
      expect(Math.max(...poly.map(([, y]) => y))).toBe(last.y + 8 - 1);
    });

    it("has no shape for a frame not shown", () => {
      expect(runShape(layoutGrid(thp, 300, 300), 5000, 512)).toBeUndefined();
    });
  });
});
