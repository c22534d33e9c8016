/**
 * The `alloc` fault point (`should_fail_alloc_page()`, mm/fail_page_alloc.c, v6.12): one
 * allocation request is one call, and every allocating path takes its out-of-memory branch when
 * the call fails: faults and COW answer ENOMEM, GUP returns what it took before, fork fails
 * whole, a migration without a target fails and the folio stays, a long-term pin fails with
 * nothing pinned, cma_alloc finds its window busy. After each, the model is consistent and every
 * pin taken is released.
 *
 *   zones: NORMAL 4 MiB | MOVABLE 4 MiB | CMA 1 MiB | PMEM 1 MiB; user pages come from MOVABLE first.
 */
import { describe, expect, it } from "vitest";
import { EBUSY, ENOMEM } from "../errno.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "../gup/foll-flags.js";
import { ZoneId } from "./zones.js";
import { doMadvise } from "../mm/madvise.js";
import { doMmap } from "../mm/mmap.js";
import { doFork } from "../mm/fork.js";
import { touchRange, userRead, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { cmaAlloc } from "../migrate/cma.js";
import { migrateRange } from "../migrate/migrate.js";
import type { FaultSpec } from "../sim/fault-spec.js";
import { HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/index.js";

const RW = VM_READ | VM_WRITE;

function setup(alloc?: FaultSpec) {
  const inst = testKernel({ machine: { memory: "4MiB", movable: "4MiB", cma: "1MiB", pmem: "1MiB" }, ...(alloc !== undefined ? { faults: { alloc } } : {}) });
  const k = inst.kernel;
  const p = k.spawn("p");
  const injected: number[] = [];
  k.events.on("fault_inject", (e) => injected.push(e.call));
  const anon = (pages: number) => doMmap(k, p, { length: pages * PAGE_SIZE, prot: RW, shared: false, anonymous: true });
  const balanced = () => expect(k.vmstat.nr_foll_pin_acquired).toBe(k.vmstat.nr_foll_pin_released);
  return { inst, k, gup: inst.gup, p, injected, anon, balanced };
}

describe("the alloc fault point", () => {
  it("counts every allocation request, configured or not, and emits nothing when unconfigured", () => {
    const { inst, k, p, injected, anon } = setup();
    const a = anon(4);
    expect(touchRange(k, p, a, 4 * PAGE_SIZE, true)).toBe(4);
    expect(inst.faults.stats().alloc).toEqual({ calls: 4, injected: 0 });
    expect(injected).toEqual([]);
  });

  it("a write fault whose page allocation fails answers ENOMEM; the pages before it stay", () => {
    const { inst, k, p, injected, anon } = setup({ at: [3] });
    const a = anon(4);
    expect(touchRange(k, p, a, 4 * PAGE_SIZE, true)).toBe(-ENOMEM);
    expect(injected).toEqual([3]);
    expect(p.mm!.pageTable.pfn(a / PAGE_SIZE + 1)).toBeGreaterThan(0);
    expect(p.mm!.pageTable.pfn(a / PAGE_SIZE + 2)).toBeLessThan(0);
    // The next call succeeds: the process can fault the page in again.
    expect(touchRange(k, p, a, 4 * PAGE_SIZE, true)).toBe(4);
    expect(inst.faults.stats().alloc).toEqual({ calls: 5, injected: 1 });
    expectConsistent(inst);
  });

  it("GUP returns the pages it took before the failing fault (partial), ENOMEM when it took none", () => {
    const { inst, k, gup, p, anon, balanced } = setup({ at: [3, 5, 6] });
    const a = anon(4);
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 4, FOLL_WRITE, pages)).toBe(2); // calls 1, 2; call 3 fails
    gup.unpinUserPages(pages, 2);
    // Pages 0-1 are present (GUP-fast takes them); page 2 faults in (call 4), page 3 fails (call 5).
    expect(gup.pinUserPagesFast(p, a, 4, FOLL_WRITE, pages)).toBe(3);
    gup.unpinUserPages(pages, 3);
    // Page 3 alone: its fault fails (call 6) and nothing was taken: ENOMEM.
    expect(gup.pinUserPages(p, a + 3 * PAGE_SIZE, 1, FOLL_WRITE, pages)).toBe(-ENOMEM);
    expect(k.vmstat.nr_foll_pin_acquired).toBe(5);
    balanced();
    expectConsistent(inst);
  });

  it("a COW whose copy cannot be allocated fails the write with ENOMEM and leaves both processes sharing", () => {
    const { inst, k, p, anon } = setup({ at: [2] });
    const a = anon(1);
    expect(userWrite(k, p, a, new TextEncoder().encode("parent"))).toBe(0); // call 1
    const child = doFork(k, p, "c");
    expect(typeof child).toBe("object");
    const c = child as Exclude<typeof child, number>;
    expect(userWrite(k, c, a, new TextEncoder().encode("child"))).toBe(-ENOMEM); // call 2: the COW copy
    expect(c.mm!.pageTable.pfn(a / PAGE_SIZE)).toBe(p.mm!.pageTable.pfn(a / PAGE_SIZE));
    expect(new TextDecoder().decode((userRead(k, c, a, 6) as Uint8Array))).toBe("parent");
    expect(k.vmstat.nr_cow).toBe(0);
    expectConsistent(inst);
  });

  it("a file page that cannot be read into the page cache fails the fault with ENOMEM", () => {
    const { inst, k, p } = setup({ every: 1 });
    const f = k.createFile("data", "ext4", 8 * PAGE_SIZE);
    const a = doMmap(k, p, { length: 8 * PAGE_SIZE, prot: RW, shared: true, anonymous: false, file: f });
    expect(userRead(k, p, a, 1)).toBe(-ENOMEM);
    expect(f.cache.size).toBe(0);
    expectConsistent(inst);
  });

  it("a THP allocation is one call; when it fails the fault falls back to one small page, another call", () => {
    const { inst, k, p } = setup({ at: [1] });
    const a = doMmap(k, p, { length: 2 * HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true });
    const base = Math.ceil(a / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
    expect(doMadvise(k, p, a, 2 * HPAGE_PMD_SIZE, "hugepage")).toBeGreaterThanOrEqual(0);
    expect(touchRange(k, p, base, PAGE_SIZE, true)).toBe(1);
    expect(k.frames.order[p.mm!.pageTable.pfn(base / PAGE_SIZE)]).toBe(0);
    expect(inst.faults.stats().alloc).toEqual({ calls: 2, injected: 1 });
    expectConsistent(inst);
  });

  it("a hugetlb fault whose folio cannot be allocated answers ENOMEM", () => {
    const { inst, k, p } = setup({ every: 1 });
    const a = doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, hugetlb: true });
    expect(touchRange(k, p, a, PAGE_SIZE, true)).toBe(-ENOMEM);
    expectConsistent(inst);
  });

  it("fork fails with ENOMEM, no child left, when a maybe-pinned page cannot be copied", () => {
    const { inst, k, gup, p, anon, balanced } = setup({ at: [2] });
    const a = anon(1);
    expect(touchRange(k, p, a, PAGE_SIZE, true)).toBe(1); // call 1
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 1, FOLL_WRITE, pages)).toBe(1);
    expect(doFork(k, p, "c")).toBe(-ENOMEM); // call 2: copy_present_page()
    expect(k.findProcess("c")).toBeUndefined();
    gup.unpinUserPages(pages, 1);
    balanced();
    expectConsistent(inst);
  });

  it("a migration whose target cannot be allocated counts the folio failed and leaves it in place", () => {
    const { inst, k, p, anon } = setup({ at: [3, 4] });
    const a = anon(2);
    expect(touchRange(k, p, a, 2 * PAGE_SIZE, true)).toBe(2); // calls 1, 2
    const frames = () => [0, 1].map((i) => p.mm!.pageTable.pfn(a / PAGE_SIZE + i));
    const before = frames();
    expect(migrateRange(k, p.pid, a, 2 * PAGE_SIZE)).toEqual({ migrated: 0, failed: 2 }); // calls 3, 4
    expect(frames()).toEqual(before);
    expect(k.vmstat.nr_migrate_failed).toBe(2);
    expectConsistent(inst);
    expect(migrateRange(k, p.pid, a, 2 * PAGE_SIZE)).toEqual({ migrated: 2, failed: 0 });
    expect(frames()).not.toEqual(before);
    expectConsistent(inst);
  });

  it("a long-term pin whose migration target cannot be allocated fails with ENOMEM, nothing left pinned", () => {
    const { inst, k, gup, p, anon, balanced } = setup({ at: [3] });
    const a = anon(2);
    expect(touchRange(k, p, a, 2 * PAGE_SIZE, true)).toBe(2); // calls 1-2, in ZONE_MOVABLE
    expect(k.memory.zoneOf(p.mm!.pageTable.pfn(a / PAGE_SIZE))).toBe(ZoneId.MOVABLE);
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 2, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(-ENOMEM); // call 3: the first target
    expect(k.frames.refcount[p.mm!.pageTable.pfn(a / PAGE_SIZE)]).toBe(1);
    balanced();
    expectConsistent(inst);
    // The next attempt finds targets: the pin succeeds in ZONE_NORMAL.
    expect(gup.pinUserPages(p, a, 2, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(2);
    expect(k.memory.zoneOf(pages[0])).toBe(ZoneId.NORMAL);
    gup.unpinUserPages(pages, 2);
    balanced();
    expectConsistent(inst);
  });

  it("cma_alloc: a page to move out of the area that finds no target blocks its window (the model's EBUSY)", () => {
    // CMA holds more free pages than NORMAL, so a user page comes from CMA (ALLOC_CMA balancing).
    const inst = testKernel({ machine: { memory: "1MiB", cma: "2MiB" }, faults: { alloc: { at: [2] } } });
    const k = inst.kernel;
    const p = k.spawn("p");
    const a = doMmap(k, p, { length: PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(touchRange(k, p, a, PAGE_SIZE, true)).toBe(1); // call 1
    expect(k.memory.zoneOf(p.mm!.pageTable.pfn(a / PAGE_SIZE))).toBe(ZoneId.CMA);
    const cma = k.memory.zones[ZoneId.CMA];
    // The model's cma_alloc treats a missing target like a page that will not move: the window
    // is busy and, the area having no other window this large, the allocation fails with EBUSY.
    // (v6.12 would stop at once with -ENOMEM: __alloc_contig_migrate_range bails out on it.)
    expect(cmaAlloc(k, cma.end - cma.start)).toBe(-EBUSY); // call 2: the target in NORMAL
    expect(k.memory.zoneOf(p.mm!.pageTable.pfn(a / PAGE_SIZE))).toBe(ZoneId.CMA);
    expectConsistent(inst);
    // Without the fault the page moves out and the whole area is allocated.
    expect(cmaAlloc(k, cma.end - cma.start)).toMatchObject({ pages: cma.end - cma.start });
    expect(inst.faults.stats().alloc).toEqual({ calls: 3, injected: 1 });
  });

  it("an FS-DAX block is not a page allocation: never a call", () => {
    const { inst, k, p } = setup({ every: 1 });
    const f = k.createFile("pm", "fsdax", 4 * PAGE_SIZE);
    const a = doMmap(k, p, { length: 4 * PAGE_SIZE, prot: RW, shared: true, anonymous: false, file: f });
    expect(touchRange(k, p, a, 4 * PAGE_SIZE, true)).toBe(4);
    expect(inst.faults.stats().alloc.calls).toBe(0);
    expectConsistent(inst);
  });
});
