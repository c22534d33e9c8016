/**
 * PMD-mapped THPs (mm/huge_memory.c, v6.12): the huge zero folio on a read fault, the split of a
 * PMD leaf, and the split of a whole folio into small ones (`split_huge_page_to_list_to_order()`).
 */
import { describe, expect, it } from "vitest";
import { EAGAIN, EINVAL } from "../errno.js";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { PG_ANON_EXCLUSIVE, PG_HUGE_ZERO } from "../memory/page-flags.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, type testKernel } from "../testing/kernel.js";
import { forkOrThrow, kernelWithProcess } from "../testing/mm.js";
import { reclaim } from "../migrate/reclaim.js";
import { doExit } from "./fork.js";
import { splitFolio, splitHugePmd } from "./huge-memory.js";
import { doMadvise } from "./madvise.js";
import { doMmap } from "./mmap.js";
import { PTE_SPECIAL } from "./page-table.js";
import type { Process } from "./process.js";
import { touchRange, userRead, userWrite } from "./user-access.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";

const P = PAGE_SIZE;
const RW = VM_READ | VM_WRITE;
const setup = (cfg: Parameters<typeof testKernel>[0] = {}) => kernelWithProcess({ cfg: { machine: { memory: "32MiB" }, ...cfg } });

function thpArea(k: ReturnType<typeof setup>["k"], p: Process): number {
  const a = doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true });
  expect(a % HPAGE_PMD_SIZE).toBe(0);
  expect(doMadvise(k, p, a, HPAGE_PMD_SIZE, "hugepage")).toBe(HPAGE_PMD_NR);
  return a;
}

describe("the huge zero folio", () => {
  it("maps a read fault by one PMD, without a reference or a mapcount, and splits into 4 KiB zero-page PTEs", () => {
    const { inst, k, p } = setup();
    const a = thpArea(k, p);
    expect(userRead(k, p, a + 5 * P, 3)).toEqual(new Uint8Array(3));
    const pt = p.mm!.pageTable;
    const head = pt.pfn(a / P);
    expect(pt.isLeaf(a / P)).toBe(true);
    expect(k.frames.flags[head] & PG_HUGE_ZERO).toBe(PG_HUGE_ZERO);
    expect(k.frames.refcount[head]).toBe(1);
    expect(k.frames.entireMapcount[head]).toBe(0);
    expect(p.mm!.rss).toBe(0);
    splitHugePmd(k, p.mm!.vmas[0], a / P + 3);
    expect(pt.isLeaf(a / P)).toBe(false);
    expect(pt.pfn(a / P + 100)).toBe(k.memory.zeroPfn);
    expect(pt.bits(a / P + 100) & PTE_SPECIAL).toBe(PTE_SPECIAL);
    expect(k.vmstat.thp_split_pmd).toBe(1);
    expectConsistent(inst);
  });
});

describe("the huge zero folio's lifetime (huge_zero_refcount)", () => {
  it("counts each mm once, survives its last user until reclaim runs the shrinker, and stays while pinned", () => {
    const { inst, k, p, gup } = setup();
    const a = thpArea(k, p);
    touchRange(k, p, a, 2 * P, false);
    touchRange(k, p, a + 100 * P, P, false);
    const head = k.memory.hugeZeroPfn;
    expect(head).toBeGreaterThan(0);
    expect(k.memory.hugeZeroRefcount).toBe(2);
    const c = forkOrThrow(k, p, "c");
    expect(c.mm!.pageTable.pfn(a / P)).toBe(head);
    expect(k.memory.hugeZeroRefcount).toBe(3);
    const pages: number[] = [];
    expect(gup.pinUserPages(c, a, 1, 0, pages)).toBe(1);
    doExit(k, c);
    doExit(k, p);
    expect(k.memory.hugeZeroRefcount).toBe(1);
    expectConsistent(inst);
    reclaim(k);
    expect(k.memory.hugeZeroPfn).toBe(-1);
    expect(k.memory.isAllocated(head)).toBe(true);
    gup.unpinUserPages(pages, 1);
    expect(k.memory.isAllocated(head)).toBe(false);
    expectConsistent(inst);
  });
});

describe("splitFolio (split_huge_page_to_list_to_order)", () => {
  it("splits a THP shared after fork into 512 small folios, each keeping its two PTE mappings' references", () => {
    const { inst, k, p } = setup();
    const a = thpArea(k, p);
    expect(userWrite(k, p, a + 7 * P, new TextEncoder().encode("seven"))).toBe(0);
    const head = p.mm!.pageTable.pfn(a / P);
    const c = forkOrThrow(k, p, "c");
    expect(splitFolio(k, head)).toBe(0);
    expect(k.vmstat.thp_split_pmd).toBe(2);
    expect(k.vmstat.thp_split_page).toBe(1);
    expect(k.frames.order[head + 7]).toBe(0);
    expect(k.frames.isLarge(head + 7)).toBe(false);
    expect(k.frames.refcount[head + 7]).toBe(2);
    expect(k.frames.mapcount[head + 7]).toBe(2);
    expect(c.mm!.pageTable.pfn(a / P + 7)).toBe(head + 7);
    expect(userRead(k, c, a + 7 * P, 5)).toEqual(new TextEncoder().encode("seven"));
    // v6.12 (remap_page with RMP_USE_SHARED_ZEROPAGE): every zero-filled piece maps the zero page in both processes, and is freed.
    for (const i of [0, 511]) {
      expect(k.memory.isAllocated(head + i)).toBe(false);
      for (const proc of [p, c]) expect(proc.mm!.pageTable.pfn(a / P + i)).toBe(k.memory.zeroPfn);
    }
    expectConsistent(inst);
  });

  it("keeps zero-filled pieces as they were before v6.12 (splitZeroRemap)", () => {
    const { inst, k, p } = setup({ kernel: "v6.5" });
    const a = thpArea(k, p);
    touchRange(k, p, a, P, true);
    const head = p.mm!.pageTable.pfn(a / P);
    expect(splitFolio(k, head)).toBe(0);
    expect(k.memory.isAllocated(head + 3)).toBe(true);
    expect(p.mm!.pageTable.pfn(a / P + 3)).toBe(head + 3);
    expect(k.frames.refcount[head + 3]).toBe(1);
    expectConsistent(inst);
  });

  it("keeps anon-exclusive per piece and frees the pieces nothing maps", () => {
    const { inst, k, p } = setup();
    const a = thpArea(k, p);
    touchRange(k, p, a, P, true);
    expect(userWrite(k, p, a + 40 * P, new TextEncoder().encode("forty"))).toBe(0);
    const head = p.mm!.pageTable.pfn(a / P);
    expect(doMadvise(k, p, a + 16 * P, 16 * P, "dontneed")).toBe(16);
    expect(splitFolio(k, head)).toBe(0);
    expect(k.frames.flags[head + 40] & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(k.memory.isAllocated(head + 20)).toBe(false);
    expect(k.memory.isAllocated(head + 40)).toBe(true);
    expectConsistent(inst);
  });

  it("refuses a folio referenced beyond its mappings (a GUP reference: -EAGAIN) and anything that is not a THP (-EINVAL)", () => {
    const { inst, k, p, gup } = setup();
    const a = thpArea(k, p);
    touchRange(k, p, a, P, true);
    const head = p.mm!.pageTable.pfn(a / P);
    const pages: number[] = [];
    expect(gup.getUserPages(p, a, 1, FOLL_WRITE, pages)).toBe(1);
    expect(splitFolio(k, head)).toBe(-EAGAIN);
    expect(k.frames.order[head]).toBe(9);
    expect(p.mm!.pageTable.isLeaf(a / P)).toBe(true);
    gup.putPage(pages[0]);
    expect(splitFolio(k, head, 1)).toBe(-EINVAL);
    expect(splitFolio(k, head, 4)).toBe(0);
    expect(k.frames.order[head + 16]).toBe(4);
    expect(k.frames.refcount[head + 16]).toBe(16);
    expect(k.frames.refcount[head]).toBe(16);
    expect(splitFolio(k, k.memory.zeroPfn)).toBe(-EINVAL);
    expectConsistent(inst);
  });
});
