/**
 * exit (`exit_mmap`, kernel/fork.c and mm/mmap.c, v6.12): the address space torn down, what GUP
 * holders and shared mappings keep.
 */
import { describe, expect, it } from "vitest";
import { ENOENT } from "../errno.js";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, type testKernel } from "../testing/kernel.js";
import type { MmuIntervalNotifierOps } from "../notifier/mmu-notifiers.js";
import { doExit } from "./fork.js";
import { doMmap, doMunmap } from "./mmap.js";
import { type Process } from "./process.js";
import { touchRange, userRead, userWrite } from "./user-access.js";
import { VM_DONTCOPY, VM_READ, VM_WRITE } from "./vm-flags.js";
import { forkOrThrow, kernelWithProcess } from "../testing/mm.js";

const RW = VM_READ | VM_WRITE;
const P = PAGE_SIZE;
const enc = (s: string) => new TextEncoder().encode(s);

const pfnAt = (p: Process, addr: number) => p.mm!.pageTable.pfn(addr / P);

const setup = (cfg: Parameters<typeof testKernel>[0] = {}) => kernelWithProcess({ cfg: { machine: { memory: "32MiB" }, ...cfg }, memlock: 64 * P });
const fork = forkOrThrow;

describe("exit", () => {
  it("tears the address space down: notifier release then unmap (exit_mmap), every page unmapped and freed, intervals removed", () => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, { length: 4 * P, prot: RW, shared: false, anonymous: true });
    touchRange(k, p, a, 4 * P, true);
    const pfn = pfnAt(p, a);
    const seen: string[] = [];
    const ops: MmuIntervalNotifierOps = { invalidate: (_s, r) => (seen.push(r.event), true) };
    const sub = k.notifiers.insert(p.mm!, a, 4 * P, ops, "test");
    const release = k.notifiers.counts.release;
    expect(doExit(k, p)).toBe(4);
    expect(seen).toEqual(["release", "unmap"]);
    expect(k.notifiers.counts.release).toBe(release + 1);
    expect(sub.live).toBe(false);
    expect(k.notifiers.intervals(p.mm!)).toHaveLength(0);
    expect(k.memory.isAllocated(pfn)).toBe(false);
    expect(p.alive).toBe(false);
    expect(p.mm!.live).toBe(false);
    expect(p.mm!.vmas).toHaveLength(0);
    expect(k.mmOf(p.pid)).toBeUndefined();
    expect(doExit(k, p)).toBe(0);
    expect(doMunmap(k, p, a, P)).toBe(-ENOENT);
    expectConsistent(inst);
  });

  it("keeps pages a GUP holder still references after exit, freeing them at the last release", () => {
    const { inst, k, p, gup } = setup();
    const a = doMmap(k, p, { length: P, prot: RW, shared: false, anonymous: true });
    touchRange(k, p, a, P, true);
    const pages: number[] = [];
    gup.pinUserPages(p, a, 1, FOLL_WRITE, pages);
    doExit(k, p);
    expect(k.memory.isAllocated(pages[0])).toBe(true);
    expectConsistent(inst);
    gup.unpinUserPages(pages, 1);
    expect(k.memory.isAllocated(pages[0])).toBe(false);
    expectConsistent(inst);
  });

  it("a shared anonymous mapping's shmem file lives while any process maps it, then its pages are freed", () => {
    const { inst, k, p, gup } = setup();
    const free = k.memory.nrFree(0);
    const files = k.files.size;
    const a = doMmap(k, p, { length: 4 * P, prot: RW, shared: true, anonymous: true });
    expect(userWrite(k, p, a, enc("shared"))).toBe(0);
    touchRange(k, p, a, 4 * P, true);
    expect(k.files.size).toBe(files + 1);
    const c = fork(k, p);
    doExit(k, p);
    // The child still maps it: same pages, same data.
    expect(new TextDecoder().decode(userRead(k, c, a, 6) as Uint8Array)).toBe("shared");
    const pages: number[] = [];
    expect(gup.pinUserPages(c, a, 1, FOLL_WRITE, pages)).toBe(1);
    expect(doMunmap(k, c, a, 4 * P)).toBe(1); // the child refaulted only the page it read
    // Last mapping gone: the file is evicted; the pinned page survives as an orphan until unpinned.
    expect(k.files.size).toBe(files);
    expect(k.memory.nrFree(0)).toBe(free - 1);
    expectConsistent(inst);
    gup.unpinUserPages(pages, 1);
    expect(k.memory.nrFree(0)).toBe(free);
    expectConsistent(inst);
  });

  it("a child that exits leaves the parent's shared pages to the parent alone", () => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, { length: P, prot: RW, shared: false, anonymous: true });
    touchRange(k, p, a, P, true);
    const pfn = pfnAt(p, a);
    const c = fork(k, p);
    expect(k.frames.refcount[pfn]).toBe(2);
    doExit(k, c);
    expect(k.frames.refcount[pfn]).toBe(1);
    expect(k.frames.mapcount[pfn]).toBe(1);
    expect(p.mm!.vmas[0].flags & VM_DONTCOPY).toBe(0);
    expectConsistent(inst);
  });
});
