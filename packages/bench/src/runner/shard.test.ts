import { describe, expect, it } from "vitest";
import { BenchInputError } from "./bench-input-error.js";
import { cellSeed } from "./seed.js";
import { parseShard, selectShard } from "./shard.js";

describe("--shard K/N", () => {
  it("parses K/N and names the flag when it cannot", () => {
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    for (const bad of ["0/2", "3/2", "1/0", "a/b", "1", "1/2/3", ""]) {
      expect(() => parseShard(bad)).toThrow(BenchInputError);
      expect(() => parseShard(bad)).toThrow(/--shard/);
    }
  });

  it("splits the cells into disjoint shards that together hold every cell once, in order", () => {
    const cells = Array.from({ length: 11 }, (_, i) => `c${i}`);
    for (const n of [1, 2, 3, 5, 11, 13]) {
      const parts = Array.from({ length: n }, (_, k) => selectShard(cells, { index: k + 1, count: n }));
      expect(parts.flat().sort()).toEqual([...cells].sort());
      for (const p of parts) expect(p).toEqual(cells.filter((c) => p.includes(c)));
    }
    expect(selectShard(cells, undefined)).toEqual(cells);
  });

  it("derives cell seeds from the run seed and the cell id only", () => {
    expect(cellSeed(1, "a/b/c")).toBe(cellSeed(1, "a/b/c"));
    expect(cellSeed(1, "a/b/c")).not.toBe(cellSeed(2, "a/b/c"));
    expect(cellSeed(1, "a/b/c")).not.toBe(cellSeed(1, "a/b/d"));
    expect(cellSeed(7, "x")).toBeGreaterThanOrEqual(0);
    expect(cellSeed(7, "x")).toBeLessThan(2 ** 31);
  });
});
