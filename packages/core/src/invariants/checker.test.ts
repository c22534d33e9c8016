/**
 * The invariant checker catches corruption: each check gets a healthy machine, one injected
 * fault, and must name it.
 */
import { describe, expect, it } from "vitest";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { PG_ALLOC, PG_ANON } from "../memory/page-flags.js";
import { Gfp } from "../memory/physical-memory.js";
import { doTruncate } from "../fs/truncate.js";
import { doExit } from "../mm/fork.js";
import { doMmap } from "../mm/mmap.js";
import { PTE_YOUNG } from "../mm/page-table.js";
import { touchRange, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { testKernel } from "../testing/kernel.js";
import { checkInvariants } from "./checker.js";

const RW = VM_READ | VM_WRITE;
const P = PAGE_SIZE;

/** A healthy machine: anon and file pages, a pin, and a file mapped twice. */
function healthy() {
  const inst = testKernel({ machine: { memory: "8MiB", pmem: "256KiB" } });
  const k = inst.kernel;
  const p = k.spawn("p");
  const a = doMmap(k, p, { length: 4 * P, prot: RW, shared: false, anonymous: true });
  touchRange(k, p, a, 4 * P, true);
  const file = k.createFile("f", "ext4", 4 * P);
  const b = doMmap(k, p, { length: 4 * P, prot: RW, shared: true, anonymous: false, file });
  userWrite(k, p, b, Uint8Array.of(1));
  touchRange(k, p, b + P, P, false);
  const pages: number[] = [];
  inst.gup.pinUserPages(p, a + 3 * P, 1, FOLL_WRITE, pages);
  expect(inst.check()).toEqual([]);
  const anon = p.mm!.pageTable.pfn(a / P);
  const fpfn = file.cache.get(0)!;
  return { inst, k, p, a, b, file, anon, fpfn, pinned: pages[0], f: k.frames };
}

/** A frame nobody uses. */
function freeFrame(k: ReturnType<typeof healthy>["k"]): number {
  const pfn = k.memory.allocFolio(0, Gfp.PINNABLE);
  k.memory.put(pfn);
  return pfn;
}

describe("invariant checker", () => {
  it.each<[string, (h: ReturnType<typeof healthy>) => void, RegExp]>([
    ["a PTE mapping a free frame", ({ k, p, a }) => p.mm!.pageTable.set(a / P + 1, freeFrame(k), PTE_YOUNG), /maps frame \d+, which is not allocated/],
    ["a PTE left outside every VMA", ({ p, a }) => (p.mm!.findVma(a)!.end -= P), /lies outside every VMA/],
    ["an anon page its rmap cannot find (wrong index)", ({ f, anon }) => (f.index[anon] += 1), /anon frame \d+ at vpn \d+ is not found by its rmap/],
    ["a file page its rmap cannot find (wrong inode)", ({ f, fpfn }) => (f.mapping[fpfn] = 999), /file frame \d+ at vpn \d+ is not found by its rmap/],
    ["a mapped page that is neither anon nor file", ({ f, anon }) => (f.flags[anon] &= ~PG_ANON), /neither anonymous nor a file page/],
    ["a mapcount off by one", ({ f, anon }) => f.mapcount[anon]++, /mapcount 2 but 1 PTE\(s\) map it/],
    ["a bumped refcount", ({ f, fpfn }) => f.refcount[fpfn]++, /folio \d+: refcount 4 but mappings, cache, buffers and GUP explain 3 \(gets 0, pins 0\)/],
    ["a pin's refcount lost", ({ f, pinned }) => f.refcount[pinned]--, /refcount 1 but .* explain 2 \(gets 0, pins 1\)/],
    ["an allocated frame with no reference (a leak)", ({ k, f }) => {
      const pfn = k.memory.allocFolio(0);
      f.refcount[pfn] = 0;
    }, /is allocated but has no reference at all \(leaked\)/],
    ["a free frame still counted", ({ k, f }) => (f.refcount[freeFrame(k)] = 1), /free frame \d+ has refcount 1/],
    ["PG_alloc without the allocator knowing", ({ k, f }) => (f.flags[freeFrame(k)] |= PG_ALLOC), /PG_alloc is set but the allocator has it free/],
    ["a page-cache entry to a free frame", ({ k, file }) => file.cache.set(3, freeFrame(k)), /file "f": page 3 points at frame \d+, which is not allocated/],
    ["a page-cache entry to another index's frame", ({ file, fpfn }) => file.cache.set(2, fpfn), /page 2 -> frame \d+, but the frame says inode \d+ index 0/],
    ["pin counters out of balance", ({ k }) => k.vmstat.nr_foll_pin_acquired++, /nr_foll_pin_acquired - nr_foll_pin_released = 2, but 1 pins are outstanding/],
    ["a negative pinned_vm", ({ p }) => (p.mm!.pinnedVm = -1), /pid \d+: pinned_vm is negative \(-1\)/],
    ["bytes written into the shared zero page", ({ k }) => k.memory.contents.write(k.memory.zeroPfn, 100, new Uint8Array([0x6f])), /frame 0, the shared zero page, holds written bytes/],
  ])("catches %s", (_d, corrupt, message) => {
    const h = healthy();
    corrupt(h);
    const v = h.inst.check();
    expect(v.some((m) => message.test(m)), v.join("\n")).toBe(true);
  });

  it("checks a released FS-DAX block against its stale holders", () => {
    const inst = testKernel({ machine: { memory: "8MiB", pmem: "256KiB" } });
    const k = inst.kernel;
    const p = k.spawn("p");
    const file = k.createFile("d", "fsdax", P);
    const a = doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, file });
    const pages: number[] = [];
    inst.gup.pinUserPages(p, a, 1, FOLL_WRITE, pages);
    doTruncate(k, file, 0);
    expect(inst.check()).toEqual([]);
    k.frames.refcount[pages[0]]++;
    expect(inst.check()).toEqual([`released FS-DAX block ${pages[0]} has refcount 2 but its stale holders explain 1`]);
  });

  it("ignores exited processes' page tables and stops at the limit", () => {
    const h = healthy();
    doExit(h.k, h.p);
    expect(h.inst.check()).toEqual([]);
    const inst = testKernel();
    for (let i = 0; i < 30; i++) inst.kernel.frames.refcount[100 + i] = 1;
    expect(checkInvariants(inst.kernel, inst.gup, 5)).toHaveLength(5);
    expect(inst.check()).toHaveLength(20);
  });
});

describe("invariant checker: 1 GiB hugetlb", () => {
  function gigantic() {
    const inst = testKernel({ machine: { memory: "2GiB", hugetlb_1g: 1 } });
    const k = inst.kernel;
    const p = k.spawn("p");
    const a = doMmap(k, p, { length: 1024 ** 3, prot: RW, shared: false, anonymous: true, hugetlb: true, hugetlbSize: 1024 ** 3 });
    userWrite(k, p, a, Uint8Array.of(1));
    expect(inst.check()).toEqual([]);
    return { inst, k, head: p.mm!.pageTable.pfn(a / P) };
  }

  it("counts a PUD leaf in its folio's entire mapcount", () => {
    const { inst, k, head } = gigantic();
    k.frames.entireMapcount[head]++;
    expect(inst.check().join("\n")).toMatch(`folio ${head}: entire mapcount 2 but 1 PMD(s) map it`);
  });

  it("catches a pool that reserved more than it has free", () => {
    const { inst, k } = gigantic();
    k.memory.hugetlb1g.resvHugePages = 1;
    expect(inst.check().join("\n")).toMatch("the 1GiB hugetlb pool has 1 reserved but 0 free");
  });
});
