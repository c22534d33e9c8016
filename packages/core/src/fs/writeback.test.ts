/**
 * Writeback (`write_cache_pages` -> `folio_clear_dirty_for_io` -> `folio_mkclean` ->
 * `folio_start_writeback` / `folio_end_writeback`, mm/page-writeback.c and mm/rmap.c, v6.12), the
 * pinned-page actions a filesystem may take, and ext4's "does not have buffers attached".
 */
import { describe, expect, it } from "vitest";
import type { KernelEvent, KernelEventType } from "../events/event-types.js";
import { FOLL_GET, FOLL_WRITE } from "../gup/foll-flags.js";
import type { Kernel } from "../kernel/kernel.js";
import type { PinnedWritebackAction } from "../config/kernel-config.js";
import { PG_DIRTY, PG_PRIVATE, PG_WRITEBACK } from "../memory/page-flags.js";
import { reclaim } from "../migrate/reclaim.js";
import { doMmap, doMunmap } from "../mm/mmap.js";
import { PTE_DIRTY, PTE_WRITE } from "../mm/page-table.js";
import type { Process } from "../mm/process.js";
import { userRead, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/kernel.js";
import { folioMarkDirty, readFileData } from "../mm/filemap.js";
import { doTruncate } from "./truncate.js";
import { writeback } from "./writeback.js";

const RW = VM_READ | VM_WRITE;
const P = PAGE_SIZE;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function setup(cfg: Parameters<typeof testKernel>[0] = {}) {
  const inst = testKernel({ keepEventLog: true, ...cfg });
  const k = inst.kernel;
  const p = k.spawn("p");
  const file = k.createFile("f", "ext4", 4 * P);
  const a = doMmap(k, p, { length: 4 * P, prot: RW, shared: true, anonymous: false, file });
  return { inst, k, p, file, a, gup: inst.gup };
}

const bitsAt = (p: Process, addr: number) => p.mm!.pageTable.bits(addr / P);
function last<K extends KernelEventType>(k: Kernel, type: K): KernelEvent<K> | undefined {
  return k.events.events.filter((e) => e.type === type).at(-1) as KernelEvent<K> | undefined;
}

describe("writeback cleans and writes dirty pages", () => {
  it("write-protects every mapping, tells notifiers, clears PG_dirty, and writes the page to the backing store", () => {
    const { inst, k, p, file, a } = setup();
    const q = k.spawn("q");
    const b = doMmap(k, q, { length: 4 * P, prot: RW, shared: true, anonymous: false, file });
    expect(userWrite(k, p, a, enc("hello"))).toBe(0);
    expect(userRead(k, q, b, 5)).toEqual(enc("hello"));
    const pfn = file.cache.get(0)!;
    expect(k.frames.flags[pfn] & PG_DIRTY).toBe(PG_DIRTY);
    const prot = k.notifiers.counts.protection_page;
    expect(writeback(k, file)).toBe(1);
    expect(k.frames.flags[pfn] & (PG_DIRTY | PG_WRITEBACK)).toBe(0);
    expect(bitsAt(p, a) & (PTE_WRITE | PTE_DIRTY)).toBe(0);
    // q's PTE was clean and read-only: folio_mkclean had nothing to change there, but
    // page_vma_mkclean_one() tells q's notifiers all the same, before it looks at the PTE.
    expect(k.notifiers.counts.protection_page).toBe(prot + 2);
    expect(dec(file.backing.get(0)!.subarray(0, 5))).toBe("hello");
    expect(readFileData(k, file, 0, 5)).toEqual(enc("hello"));
    const types = k.events.events.slice(-2).map((e) => e.type);
    expect(types).toEqual(["writeback", "writeback_end"]);
    expect(last(k, "writeback")).toMatchObject({ file: "f", pages: 1, flaggedPinned: 0, async: false });
    // The next write faults again and calls page_mkwrite (the filesystem sees it).
    expect(userWrite(k, p, a, enc("again"))).toBe(0);
    expect(k.frames.flags[pfn] & PG_DIRTY).toBe(PG_DIRTY);
    expect(writeback(k, file)).toBe(1);
    expect(dec(file.backing.get(0)!.subarray(0, 5))).toBe("again");
    expectConsistent(inst);
  });

  it("folio_mkclean tells every shared VMA covering the page, faulted or not, and skips private ones (invalid_mkclean_vma)", () => {
    const { inst, k, p, file, a } = setup();
    const q = k.spawn("q");
    const shared = doMmap(k, q, { length: 4 * P, prot: RW, shared: true, anonymous: false, file });
    const priv = doMmap(k, q, { length: 4 * P, prot: VM_READ, shared: false, anonymous: false, file });
    expect(userRead(k, q, priv, 1)).toHaveLength(1);
    const got: { start: number; end: number; event: string }[] = [];
    for (const at of [shared, priv]) {
      k.notifiers.insert(q.mm!, at, 4 * P, { invalidate: (_s, r) => (got.push({ start: r.start, end: r.end, event: r.event }), true) }, "q");
    }
    expect(userWrite(k, p, a + P, enc("one"))).toBe(0);
    expect(q.mm!.pageTable.pfn(shared / P + 1)).toBe(-1);
    expect(writeback(k, file)).toBe(1);
    expect(got).toEqual([{ start: shared + P, end: shared + 2 * P, event: "protection_page" }]);
    // A dirty folio mapped nowhere is not walked at all (folio_mapped()): q's shared VMA covers it but hears nothing.
    got.length = 0;
    expect(userWrite(k, p, a + 2 * P, enc("two"))).toBe(0);
    expect(doMunmap(k, p, a, 4 * P)).toBe(2);
    expect(k.frames.flags[file.cache.get(2)!] & PG_DIRTY).toBe(PG_DIRTY);
    expect(writeback(k, file)).toBe(1);
    expect(got).toEqual([]);
    expectConsistent(inst);
  });

  it("moves a dirty PTE bit to the folio before cleaning (folio_clear_dirty_for_io)", () => {
    const { inst, k, p, file, a } = setup();
    expect(userWrite(k, p, a, enc("x"))).toBe(0);
    const pfn = file.cache.get(0)!;
    k.frames.flags[pfn] &= ~PG_DIRTY; // only the PTE knows the page was written
    expect(bitsAt(p, a) & PTE_DIRTY).toBe(PTE_DIRTY);
    expect(writeback(k, file)).toBe(1);
    expect(bitsAt(p, a) & PTE_DIRTY).toBe(0);
    expect(file.backing.get(0)?.[0]).toBe(enc("x")[0]);
    expectConsistent(inst);
  });

  it("does nothing for clean pages, for filesystems that do not write back, and writes every file when none is named", () => {
    const { k, p, file, a } = setup();
    expect(writeback(k, file)).toBe(0);
    const shm = k.createFile("s", "shmem", P);
    const b = doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, file: shm });
    userWrite(k, p, b, enc("s"));
    expect(writeback(k, shm)).toBe(0);
    userWrite(k, p, a, enc("f"));
    expect(writeback(k, undefined)).toBe(1);
  });

  it("completes asynchronously after writebackLatency on the virtual clock", () => {
    const { inst, k, p, file, a } = setup({ writebackLatency: "50us" });
    userWrite(k, p, a, enc("late"));
    const pfn = file.cache.get(0)!;
    expect(writeback(k, file, { async: true })).toBe(1);
    expect(k.frames.flags[pfn] & (PG_WRITEBACK | PG_DIRTY)).toBe(PG_WRITEBACK);
    expect(file.backing.has(0)).toBe(false);
    // A page under writeback is not submitted twice.
    userWrite(k, p, a, enc("LATE"));
    expect(writeback(k, file, { async: true })).toBe(0);
    k.clock.advance(49_999);
    expect(file.backing.has(0)).toBe(false);
    k.clock.advance(1);
    expect(k.frames.flags[pfn] & PG_WRITEBACK).toBe(0);
    // The IO copies the page as it is at completion.
    expect(dec(file.backing.get(0)!.subarray(0, 4))).toBe("LATE");
    expect(last(k, "writeback_end")).toMatchObject({ t: 50_000, pages: 1 });
    expectConsistent(inst);
  });

  it("a truncate during async writeback waits for it; the stale completion cannot touch a reused frame", () => {
    const { inst, k, p, file, a } = setup({ writebackLatency: "10us" });
    userWrite(k, p, a, enc("old"));
    const pfn = file.cache.get(0)!;
    expect(writeback(k, file, { async: true })).toBe(1);
    expect(doTruncate(k, file, 0)).toBe(0);
    expect(k.memory.isAllocated(pfn)).toBe(false);
    expect(doTruncate(k, file, 4 * P)).toBe(0);
    k.clock.advance(5_000);
    userWrite(k, p, a, enc("new"));
    expect(file.cache.get(0)).toBe(pfn); // LIFO reuse: the same frame, same index
    expect(writeback(k, file, { async: true })).toBe(1);
    k.clock.advance(5_000); // the first IO's completion time
    expect(k.frames.flags[pfn] & PG_WRITEBACK).toBe(PG_WRITEBACK);
    expect(file.backing.has(0)).toBe(false);
    k.clock.advance(5_000);
    expect(k.frames.flags[pfn] & PG_WRITEBACK).toBe(0);
    expect(dec(file.backing.get(0)!.subarray(0, 3))).toBe("new");
    expectConsistent(inst);
  });
});

describe("writeback of maybe-pinned pages", () => {
  it.each([
    // action, page written now, stays dirty, PTE write-protected, event counters
    ["ignore", true, false, true, { flaggedPinned: 1, deferred: 0, bounced: 0, pages: 1 }],
    ["wait", false, true, false, { flaggedPinned: 1, deferred: 1, bounced: 0, pages: 0 }],
    ["bounce", true, true, false, { flaggedPinned: 1, deferred: 0, bounced: 1, pages: 0 }],
  ] as const)("%s: written=%s, still dirty=%s, write-protected=%s", (action, written, dirty, wprotect, counters) => {
    const { inst, k, p, file, a, gup } = setup();
    userWrite(k, p, a, enc("pin"));
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 1, FOLL_WRITE, pages)).toBe(1);
    const pfn = pages[0];
    writeback(k, file, { pinned: action as PinnedWritebackAction });
    expect(file.backing.has(0)).toBe(written);
    expect((k.frames.flags[pfn] & PG_DIRTY) !== 0).toBe(dirty);
    expect((bitsAt(p, a) & PTE_WRITE) === 0).toBe(wprotect);
    expect(last(k, "writeback")).toMatchObject(counters);
    gup.unpinUserPagesDirtyLock(pages, 1, true);
    expectConsistent(inst);
  });

  it("takes the action from the call, else the file, else the kernel config", () => {
    const { inst, k, p, file, a, gup } = setup({ pinnedWriteback: "wait" });
    userWrite(k, p, a, enc("pin"));
    const pages: number[] = [];
    gup.pinUserPages(p, a, 1, FOLL_WRITE, pages);
    writeback(k, file);
    expect(last(k, "writeback")).toMatchObject({ deferred: 1 });
    file.pinnedWriteback = "bounce";
    writeback(k, file);
    expect(last(k, "writeback")).toMatchObject({ bounced: 1 });
    writeback(k, file, { pinned: "ignore" });
    expect(last(k, "writeback")).toMatchObject({ pages: 1, deferred: 0, bounced: 0 });
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("a FOLL_GET reference is invisible to writeback: the page is cleaned under the holder", () => {
    const { inst, k, p, file, a, gup } = setup();
    userWrite(k, p, a, enc("get"));
    const pages: number[] = [];
    expect(gup.getUserPages(p, a, 1, FOLL_WRITE | FOLL_GET, pages)).toBe(1);
    writeback(k, file, { pinned: "wait" });
    expect(last(k, "writeback")).toMatchObject({ pages: 1, flaggedPinned: 0 });
    gup.putPage(pages[0]);
    expectConsistent(inst);
  });
});

describe("ext4: a dirty page without buffers", () => {
  it("warns (fs_warn), clears the dirty state and drops the data, as ext4_writepages does", () => {
    const { inst, k, p, file, a, gup } = setup();
    userWrite(k, p, a, enc("orig"));
    // Jan Kara's 2018 race: a DIO read into a MAP_SHARED page takes a plain reference (the write
    // fault calls page_mkwrite), writeback cleans the page, reclaim strips its buffers.
    const pages: number[] = [];
    expect(gup.getUserPages(p, a, 1, FOLL_WRITE, pages)).toBe(1);
    const pfn = pages[0];
    expect(writeback(k, file)).toBe(1);
    const r = reclaim(k, file);
    expect(r).toMatchObject({ buffersStripped: 1, failed: 1, reclaimed: 0 });
    expect(k.frames.flags[pfn] & PG_PRIVATE).toBe(0);
    // The "DMA" completes: data lands in the page, set_page_dirty_lock() marks it dirty.
    k.memory.contents.write(pfn, 0, enc("DMA!"));
    folioMarkDirty(k, pfn);
    gup.putPage(pfn);
    expect(writeback(k, file)).toBe(0);
    expect(last(k, "fs_warn")).toMatchObject({ file: "f", index: 0 });
    expect(last(k, "fs_warn")?.message).toMatch(/does not have buffers attached/);
    expect(k.frames.flags[pfn] & PG_DIRTY).toBe(0);
    expect(dec(file.backing.get(0)!.subarray(0, 4))).toBe("orig");
    expectConsistent(inst);
  });
});
