/**
 * Truncate and hole punch (`truncate_setsize` -> `truncate_pagecache`, `truncate_pagecache_range`,
 * `unmap_mapping_range`, `truncate_inode_partial_folio`, mm/truncate.c, v6.12), orphaned pages
 * that a GUP holder keeps alive, and FS-DAX blocks going back to the filesystem.
 *
 * File layout used below (8 pages), mapped shared by `p` and private by `q`:
 *
 *   index  0    1    2    3    4    5    6    7
 *          |AAAA|BBBB|CCCC|DDDD|EEEE|FFFF|GGGG|HHHH|   (A..H: 'a'..'h' written at each page's start)
 */
import { describe, expect, it } from "vitest";
import { EFBIG, EINVAL, ETXTBSY } from "../errno.js";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { PG_ANON, PG_DAX, PG_FILE, PG_ORPHAN } from "../memory/page-flags.js";
import { Gfp } from "../memory/physical-memory.js";
import { doMmap } from "../mm/mmap.js";
import { PTE_PRESENT } from "../mm/page-table.js";
import type { Process } from "../mm/process.js";
import { touchRange, userRead, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/kernel.js";
import type { FsTypeName } from "./fs-type.js";
import { readFileData } from "../mm/filemap.js";
import { doPunchHole, doTruncate } from "./truncate.js";
import { writeback } from "./writeback.js";

const RW = VM_READ | VM_WRITE;
const P = PAGE_SIZE;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function setup(fs: FsTypeName = "ext4") {
  const inst = testKernel({ machine: { memory: "32MiB", pmem: "1MiB" }, keepEventLog: true });
  const k = inst.kernel;
  const p = k.spawn("p");
  const q = k.spawn("q");
  const file = k.createFile("f", fs, 8 * P);
  const a = doMmap(k, p, { length: 8 * P, prot: RW, shared: true, anonymous: false, file });
  const b = doMmap(k, q, { length: 8 * P, prot: RW, shared: false, anonymous: false, file });
  for (let i = 0; i < 8; i++) expect(userWrite(k, p, a + i * P, enc(String.fromCharCode(97 + i)))).toBe(0);
  expect(touchRange(k, q, b, 8 * P, false)).toBe(8);
  return { inst, k, p, q, file, a, b, gup: inst.gup };
}

const present = (proc: Process, addr: number, pages: number) =>
  Array.from({ length: pages }, (_, i) => ((proc.mm!.pageTable.bits(addr / P + i) & PTE_PRESENT) !== 0 ? "x" : "."));
const last = (k: ReturnType<typeof setup>["k"], type: string) => k.events.events.filter((e) => e.type === type).at(-1);

describe("ftruncate", () => {
  it.each(["ext4", "shmem", "fsdax"] as const)("%s: shrinking unmaps the tail everywhere (notifier clear), drops the pages and the blocks", (fs) => {
    const { inst, k, p, q, file, a, b } = setup(fs);
    writeback(k, file);
    const clear = k.notifiers.counts.clear;
    const gone = file.cache.get(5)!;
    expect(doTruncate(k, file, 5 * P)).toBe(0);
    //                        0 1 2 3 4 5 6 7
    expect(present(p, a, 8).join("")).toBe("xxxxx...");
    expect(present(q, b, 8).join("")).toBe("xxxxx...");
    expect(k.notifiers.counts.clear).toBe(clear + 2);
    expect([...file.cache.keys()].sort()).toEqual([0, 1, 2, 3, 4]);
    expect([...file.backing.keys()].every((i) => i < 5)).toBe(true);
    expect(k.memory.isAllocated(gone)).toBe(false);
    expect(file.size).toBe(5 * P);
    expect(last(k, "truncate")).toMatchObject({ op: "ftruncate", pages: 3, orphaned: 0 });
    expect(touchRange(k, p, a + 5 * P, 1, false)).toBe(-14);
    expectConsistent(inst);
  });

  it("zaps private COW copies past the new EOF too (even_cows), keeps those before it", () => {
    const { inst, k, q, file, b } = setup();
    expect(userWrite(k, q, b + 2 * P, enc("C"))).toBe(0);
    expect(userWrite(k, q, b + 6 * P, enc("G"))).toBe(0);
    const cow6 = q.mm!.pageTable.pfn(b / P + 6);
    expect(k.frames.flags[cow6] & PG_ANON).toBe(PG_ANON);
    expect(doTruncate(k, file, 4 * P)).toBe(0);
    expect(present(q, b, 8).join("")).toBe("xxxx....");
    expect(k.memory.isAllocated(cow6)).toBe(false);
    expect(dec(userRead(k, q, b + 2 * P, 1) as Uint8Array)).toBe("C");
    expectConsistent(inst);
  });

  it("zeroes the tail of a partial last page in the cache and on disk", () => {
    const { inst, k, p, file, a } = setup();
    expect(userWrite(k, p, a + 2 * P + 10, enc("0123456789"))).toBe(0);
    writeback(k, file);
    expect(doTruncate(k, file, 2 * P + 15)).toBe(0);
    expect(file.size).toBe(2 * P + 15);
    expect(readFileData(k, file, 2 * P + 10, 100)).toEqual(enc("01234"));
    // The bytes past EOF in the last page read as zeros through the mapping.
    expect(userRead(k, p, a + 2 * P + 10, 10)).toEqual(Uint8Array.of(...enc("01234"), 0, 0, 0, 0, 0));
    expect(file.backing.get(2)![20]).toBe(0);
    expect(last(k, "truncate")).toMatchObject({ pages: 5 });
    expectConsistent(inst);
  });

  it("grows a file: new pages read as zeros and can be mapped", () => {
    const { inst, k, p, file, a } = setup();
    expect(doTruncate(k, file, 4 * P)).toBe(0);
    expect(touchRange(k, p, a + 6 * P, 1, false)).toBe(-14);
    expect(doTruncate(k, file, 8 * P)).toBe(0);
    expect(touchRange(k, p, a + 6 * P, 1, false)).toBe(1);
    expect(userRead(k, p, a + 6 * P, 1)).toEqual(Uint8Array.of(0));
    expect(readFileData(k, file, 0, 1)).toEqual(enc("a"));
    expect(last(k, "truncate")).toMatchObject({ start: 4 * P, end: 8 * P, pages: 0 });
    expectConsistent(inst);
  });

  it.each([
    ["a negative size", -1],
    ["a fractional size", 1.5],
    ["NaN", Number.NaN],
  ])("refuses %s with -EINVAL", (_d, size) => {
    const { inst, k, file } = setup();
    expect(doTruncate(k, file, size)).toBe(-EINVAL);
    expect(file.size).toBe(8 * P);
    expectConsistent(inst);
  });

  it("refuses a size past the 16TiB file limit with -EFBIG (inode_newsize_ok)", () => {
    const { inst, k, file } = setup();
    expect(doTruncate(k, file, 2 ** 44 + P)).toBe(-EFBIG);
    expect(file.size).toBe(8 * P);
    expectConsistent(inst);
  });

  it("a pinned page survives the truncate as an orphan, out of the file, and is freed at its last release", () => {
    const { inst, k, p, file, a, gup } = setup();
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a + 6 * P, 1, FOLL_WRITE, pages)).toBe(1);
    const pfn = pages[0];
    expect(doTruncate(k, file, 4 * P)).toBe(0);
    expect(last(k, "truncate")).toMatchObject({ pages: 4, orphaned: 1 });
    expect(file.cache.has(6)).toBe(false);
    expect(k.frames.flags[pfn] & (PG_ORPHAN | PG_FILE)).toBe(PG_ORPHAN);
    expect(k.memory.isAllocated(pfn)).toBe(true);
    // The device still sees the old data; the file does not.
    const out = new Uint8Array(1);
    k.memory.contents.read(pfn, 0, 1, out);
    expect(dec(out)).toBe("g");
    expectConsistent(inst);
    gup.unpinUserPagesDirtyLock(pages, 1, true);
    expect(k.memory.isAllocated(pfn)).toBe(false);
    expectConsistent(inst);
  });

  it("asks the policy first: a refusal changes nothing and is reported with its errno", () => {
    const { inst, k, p, file, a } = setup();
    let asked: unknown;
    k.policy.checkTruncate = (req) => ((asked = { start: req.start, end: req.end, op: req.op, pid: req.pid }), ETXTBSY);
    expect(doTruncate(k, file, 2 * P, p.pid)).toBe(-ETXTBSY);
    expect(asked).toEqual({ start: 2, end: 8, op: "ftruncate", pid: p.pid });
    expect(file.size).toBe(8 * P);
    expect(present(p, a, 8).join("")).toBe("xxxxxxxx");
    expect(last(k, "truncate")).toMatchObject({ errno: String(ETXTBSY), pages: 0 });
    expect(doPunchHole(k, file, 0, 4 * P)).toBe(-ETXTBSY);
    expect(file.cache.size).toBe(8);
    expectConsistent(inst);
  });

  it("lists pages with references beyond cache, buffers and mappings as busy for the policy", () => {
    const { inst, k, p, file, a, gup } = setup();
    const pages: number[] = [];
    gup.pinUserPages(p, a + 7 * P, 1, FOLL_WRITE, pages);
    let busy: readonly number[] = [];
    k.policy.checkTruncate = (req) => ((busy = req.busyPfns), 0);
    expect(doTruncate(k, file, 6 * P)).toBe(0);
    expect(busy).toEqual([pages[0]]);
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("hugetlbfs: sizes must be 2 MiB multiples; a truncated folio leaves whole and counts no orphans", () => {
    const inst = testKernel({ machine: { memory: "32MiB" }, keepEventLog: true });
    const k = inst.kernel;
    const p = k.spawn("p");
    const file = k.createFile("h", "hugetlbfs", 2 * HPAGE_PMD_SIZE);
    const a = doMmap(k, p, { length: 2 * HPAGE_PMD_SIZE, prot: RW, shared: true, anonymous: false, file });
    expect(touchRange(k, p, a, 2 * HPAGE_PMD_SIZE, true)).toBe(2 * HPAGE_PMD_NR);
    const head = file.cache.get(HPAGE_PMD_NR)!;
    expect(doTruncate(k, file, P)).toBe(-EINVAL);
    expect(doTruncate(k, file, HPAGE_PMD_SIZE)).toBe(0);
    expect(last(k, "truncate")).toMatchObject({ pages: HPAGE_PMD_NR, orphaned: 0 });
    expect(k.memory.isAllocated(head)).toBe(false);
    expect(file.cache.size).toBe(HPAGE_PMD_NR);
    expectConsistent(inst);
  });
});

describe("punch hole", () => {
  it("frees whole pages inside the hole, zeroes partial pages at its edges, keeps the size", () => {
    const { inst, k, p, q, file, a, b } = setup();
    writeback(k, file);
    // Hole from the middle of page 1 to the middle of page 4: pages 2 and 3 go.
    expect(doPunchHole(k, file, P + 100, 3 * P)).toBe(0);
    expect(file.size).toBe(8 * P);
    expect([...file.cache.keys()].sort()).toEqual([0, 1, 4, 5, 6, 7]);
    expect(present(p, a, 8).join("")).toBe("xx..xxxx");
    expect(present(q, b, 8).join("")).toBe("xx..xxxx");
    expect(readFileData(k, file, P, 1)).toEqual(enc("b"));
    expect(readFileData(k, file, 4 * P, 1)).toEqual(Uint8Array.of(0)); // zeroed: before P + 100 + 3P
    expect(readFileData(k, file, 2 * P, 1)).toEqual(Uint8Array.of(0));
    expect(file.backing.has(2)).toBe(false);
    expect(last(k, "truncate")).toMatchObject({ op: "punch_hole", pages: 2 });
    // Refaulting the hole gives zeros, not the old data.
    expect(userRead(k, p, a + 2 * P, 1)).toEqual(Uint8Array.of(0));
    expectConsistent(inst);
  });

  it("leaves private COW copies in the hole alone (unmap_mapping_range with even_cows = 0)", () => {
    const { inst, k, q, file, b } = setup();
    userWrite(k, q, b + 3 * P, enc("Q"));
    expect(doPunchHole(k, file, 2 * P, 2 * P)).toBe(0);
    expect(present(q, b, 8).join("")).toBe("xx.xxxxx");
    expect(dec(userRead(k, q, b + 3 * P, 1) as Uint8Array)).toBe("Q");
    expectConsistent(inst);
  });

  it.each([
    ["a zero length", 0, 0],
    ["a negative offset", -P, P],
    ["a negative length", 0, -1],
  ])("refuses %s with -EINVAL", (_d, off, len) => {
    const { inst, k, file } = setup();
    expect(doPunchHole(k, file, off, len)).toBe(-EINVAL);
    expectConsistent(inst);
  });

  it("beyond EOF is a no-op", () => {
    const { inst, k, file } = setup();
    const n = k.events.count;
    expect(doPunchHole(k, file, 8 * P, 4 * P)).toBe(0);
    expect(k.events.count).toBe(n);
    expectConsistent(inst);
  });

  it("hugetlbfs punches only whole huge pages and zeroes the partial ones in place", () => {
    const inst = testKernel({ machine: { memory: "32MiB" } });
    const k = inst.kernel;
    const p = k.spawn("p");
    const file = k.createFile("h", "hugetlbfs", 2 * HPAGE_PMD_SIZE);
    const a = doMmap(k, p, { length: 2 * HPAGE_PMD_SIZE, prot: RW, shared: true, anonymous: false, file });
    userWrite(k, p, a + 3 * P, enc("zero"));
    userWrite(k, p, a + HPAGE_PMD_SIZE + 10 * P, enc("gone"));
    expect(doPunchHole(k, file, 2 * P, HPAGE_PMD_SIZE * 2 - 2 * P)).toBe(0);
    // The first folio stays (only partly covered) with its covered part zeroed; the second goes.
    expect(file.cache.size).toBe(HPAGE_PMD_NR);
    expect(readFileData(k, file, 3 * P, 4)).toEqual(new Uint8Array(4));
    expect(readFileData(k, file, HPAGE_PMD_SIZE + 10 * P, 4)).toEqual(new Uint8Array(4));
    expectConsistent(inst);
  });
});

describe("FS-DAX blocks", () => {
  it("a truncated block with a stale holder goes back to the filesystem and is reused, the holder's reference kept", () => {
    const { inst, k, p, file, a, gup } = setup("fsdax");
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a + 7 * P, 1, FOLL_WRITE, pages)).toBe(1);
    const blk = pages[0];
    expect(k.frames.flags[blk] & PG_DAX).toBe(PG_DAX);
    expect(doTruncate(k, file, 7 * P)).toBe(0);
    expect(last(k, "truncate")).toMatchObject({ pages: 1, orphaned: 1 });
    expect(k.memory.isAllocated(blk)).toBe(false);
    expect(k.frames.flags[blk]).toBe(PG_DAX | PG_ORPHAN);
    expect(k.frames.refcount[blk]).toBe(1); // the pin's reference
    expectConsistent(inst);
    // Another file's next block allocation reuses the very frame.
    const g = k.createFile("g", "fsdax", P);
    const r = k.spawn("r");
    const c = doMmap(k, r, { length: P, prot: RW, shared: true, anonymous: false, file: g });
    expect(userWrite(k, r, c, enc("new owner"))).toBe(0);
    expect(g.cache.get(0)).toBe(blk);
    expect(k.frames.refcount[blk]).toBe(3); // stale pin + g's cache + r's mapping
    expectConsistent(inst);
    gup.unpinUserPages(pages, 1);
    expect(k.frames.refcount[blk]).toBe(2);
    expect(k.memory.isAllocated(blk)).toBe(true);
    expectConsistent(inst);
  });

  it("an unreferenced truncated block is freed and handed out next (LIFO)", () => {
    const { inst, k, file } = setup("fsdax");
    const blk = file.cache.get(7)!;
    expect(doTruncate(k, file, 7 * P)).toBe(0);
    expect(k.memory.isAllocated(blk)).toBe(false);
    expect(k.memory.allocFolio(0, Gfp.PMEM)).toBe(blk);
    k.memory.put(blk);
    expectConsistent(inst);
  });
});
