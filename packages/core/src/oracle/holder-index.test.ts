import { describe, expect, it } from "vitest";
import { HolderIndex } from "./holder-index.js";
import type { HolderRecord } from "./holder-record.js";

function rec(pfn: number): HolderRecord {
  return { pfn, pid: 1, vaddr: pfn * 4096, inode: 0, index: 0, private: true, write: true, longterm: false, seq: 0, count: 1, leakedFrom: -1, mirrored: false };
}

describe("HolderIndex: holder records by holder and by frame", () => {
  it("lists a frame's holders in the order the holders were first seen, not the order they took it", () => {
    const ix = new HolderIndex();
    ix.add("a", rec(1));
    ix.add("b", rec(2));
    ix.add("c", rec(7));
    ix.add("b", rec(7));
    ix.add("a", rec(7));
    expect(ix.atFrame(7).map((h) => h.name)).toEqual(["a", "b", "c"]);
    expect(ix.atFrame(3)).toEqual([]);
  });

  it("removes a holder with its last record, and a name that comes back keeps its first rank", () => {
    const ix = new HolderIndex();
    ix.add("a", rec(1));
    ix.add("b", rec(1));
    ix.remove("a", 1);
    expect([...ix.holders().keys()]).toEqual(["b"]);
    expect(ix.get("a", 1)).toBeUndefined();
    ix.add("a", rec(1));
    expect(ix.atFrame(1).map((h) => h.name)).toEqual(["a", "b"]);
    expect([...ix.holders().keys()]).toEqual(["a", "b"]);
    ix.remove("a", 1);
    ix.remove("b", 1);
    expect(ix.holders().size).toBe(0);
    expect(ix.atFrame(1)).toEqual([]);
    expect([...ix.records()]).toEqual([]);
  });

  it("ignores the removal of a record nobody has", () => {
    const ix = new HolderIndex();
    ix.add("a", rec(1));
    ix.remove("a", 2);
    ix.remove("z", 1);
    expect(ix.get("a", 1)?.pfn).toBe(1);
    expect(ix.atFrame(1).map((h) => h.name)).toEqual(["a"]);
  });
});
