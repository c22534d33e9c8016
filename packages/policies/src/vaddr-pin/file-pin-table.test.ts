import { FILESYSTEMS, Inode } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { FilePinTable, ownerKey } from "./file-pin-table.js";

const fileA = new Inode(1, "a", FILESYSTEMS.fsdax, 4096);
const fileB = new Inode(2, "b", FILESYSTEMS.fsdax, 4096);

describe("FilePinTable (file_file_pin / mm_file_pin, RFC 13-14/19)", () => {
  it("charges a pin to the owning file when there is one, else to the mm", () => {
    expect(ownerKey({ file: "uverbs0", pid: 9 }, 3)).toEqual({ key: "file:uverbs0", pid: 3 });
    expect(ownerKey({ pid: 9 }, 3)).toEqual({ key: "mm:9", pid: 9 });
    expect(ownerKey({}, 3)).toEqual({ key: "mm:3", pid: 3 });
  });

  it("keeps one object per (owner, file) whose kref counts pages", () => {
    const t = new FilePinTable();
    t.add({ file: "uverbs0" }, 7, fileA, 1);
    t.add({ file: "uverbs0" }, 7, fileA, 1);
    t.add({ file: "uverbs0" }, 7, fileA, 3);
    expect(t.size).toBe(1);
    t.add({ file: "uverbs0" }, 7, fileB, 2);
    t.add({ pid: 7 }, 7, fileA, 1);
    expect(t.size).toBe(3);
    expect(t.list(7)).toEqual([
      { owner: "file:uverbs0", file: "a", refs: 5 },
      { owner: "file:uverbs0", file: "b", refs: 2 },
      { owner: "mm:7", file: "a", refs: 1 },
    ]);
    expect(t.list(8)).toEqual([]);
    expect(t.pinsOf(7, fileA)).toBe(6);
    expect(t.hasPins(fileB)).toBe(true);
  });

  it("frees an object when its kref drops to zero, and ignores pages it never recorded", () => {
    const t = new FilePinTable();
    t.add({ file: "u" }, 1, fileA, 2);
    t.drop({ file: "u" }, 1, fileA, 1);
    expect(t.list(1)).toEqual([{ owner: "file:u", file: "a", refs: 1 }]);
    t.drop({ file: "u" }, 1, fileB, 1);
    t.drop({ file: "other" }, 1, fileA, 1);
    expect(t.size).toBe(1);
    t.drop({ file: "u" }, 1, fileA, 5);
    expect(t.size).toBe(0);
    expect(t.hasPins(fileA)).toBe(false);
  });
});
