/**
 * madvise (mm/madvise.c, mm/vma.c, v6.12).
 *
 * Address-space pictures follow the kernel's userland VMA tests: one character per 4 KiB page
 * from a base address, `|` where one VMA ends and the next begins, `.` for unmapped pages, and
 * the protection as the page character (`w` read-write, `r` read-only, `-` PROT_NONE).
 */
import { describe, expect, it } from "vitest";
import { EINVAL, ENOMEM } from "../errno.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent } from "../testing/kernel.js";
import { doMadvise, type MadviseAdvice } from "./madvise.js";
import { doMmap } from "./mmap.js";
import { VM_DONTCOPY, VM_HUGEPAGE, VM_READ, VM_SHARED, VM_WRITE } from "./vm-flags.js";
import { PTE_HUGE, PTE_PRESENT } from "./page-table.js";
import { touchRange, userRead, userWrite } from "./user-access.js";
import { drawVmas, kernelWithProcess, mapAt } from "../testing/mm.js";

const RW = VM_READ | VM_WRITE;
const BASE = 0x1000_0000;
const P = PAGE_SIZE;

const setup = () => kernelWithProcess({ cfg: { machine: { memory: "32MiB" } } });
const draw = drawVmas;

describe("madvise", () => {
  it("MADV_DONTNEED zaps the range (notifier clear) and the next read sees zeros", () => {
    const { inst, k, p, mm } = setup();
    mapAt(k, p, BASE, 4);
    expect(userWrite(k, p, BASE + P, Uint8Array.of(7))).toBe(0);
    touchRange(k, p, BASE, 4 * P, true);
    const before = k.notifiers.counts.clear;
    expect(doMadvise(k, p, BASE + P, 2 * P, "dontneed")).toBe(2);
    expect(k.notifiers.counts.clear).toBe(before + 1);
    expect(mm.pageTable.bits(BASE / P + 1) & PTE_PRESENT).toBe(0);
    expect(mm.pageTable.bits(BASE / P + 3) & PTE_PRESENT).toBe(PTE_PRESENT);
    expect((userRead(k, p, BASE + P, 1) as Uint8Array)[0]).toBe(0);
    expect(mm.vmas.length).toBe(1);
    expectConsistent(inst);
  });

  it("MADV_DONTNEED on hugetlb works on whole huge pages from an aligned start (madvise_dontneed_free_valid_vma)", () => {
    const { inst, k, p, mm } = setup();
    const a = doMmap(k, p, { length: 2 * HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, hugetlb: true });
    touchRange(k, p, a, 2 * HPAGE_PMD_SIZE, true);
    expect(doMadvise(k, p, a + P, P, "dontneed")).toBe(-EINVAL);
    // A length that is not a multiple of 2 MiB is rounded down.
    expect(doMadvise(k, p, a, HPAGE_PMD_SIZE + P, "dontneed")).toBe(HPAGE_PMD_NR);
    expect(mm.pageTable.bits(a / P) & PTE_PRESENT).toBe(0);
    expect(mm.pageTable.bits(a / P + HPAGE_PMD_NR) & PTE_PRESENT).toBe(PTE_PRESENT);
    expectConsistent(inst);
  });

  it("MADV_DONTNEED on a VM_PFNMAP mapping is -EINVAL", () => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, pfnmap: true });
    expect(doMadvise(k, p, a, P, "dontneed")).toBe(-EINVAL);
    expectConsistent(inst);
  });

  it.each([
    ["dontfork", VM_DONTCOPY],
    ["hugepage", VM_HUGEPAGE],
  ] as const)("MADV_%s sets the flag on exactly the range (splitting), and its inverse clears it and merges back", (advice, flag) => {
    const { inst, k, p, mm } = setup();
    mapAt(k, p, BASE, 6);
    expect(doMadvise(k, p, BASE + 2 * P, 2 * P, advice)).toBe(2);
    expect(mm.vmas.map((v) => (v.flags & flag) !== 0)).toEqual([false, true, false]);
    const inverse: MadviseAdvice = advice === "dontfork" ? "dofork" : "nohugepage";
    expect(doMadvise(k, p, BASE, 6 * P, inverse)).toBe(6);
    expect(draw(mm, BASE, 6)).toBe("|wwwwww|");
    expectConsistent(inst);
  });

  it("MADV_DOFORK on a VM_IO mapping is -EINVAL; MADV_DONTFORK is allowed (madvise_vma_behavior)", () => {
    const { inst, k, p, mm } = setup();
    const a = doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, pfnmap: true });
    expect(doMadvise(k, p, a, P, "dontfork")).toBe(1);
    expect(mm.findVma(a)!.flags & VM_DONTCOPY).toBe(VM_DONTCOPY);
    expect(doMadvise(k, p, a, P, "dofork")).toBe(-EINVAL);
    expectConsistent(inst);
  });

  it("MADV_HUGEPAGE makes the next write fault on an empty PMD allocate a THP; a PMD whose PTE table was emptied keeps 4 KiB pages", () => {
    const { inst, k, p, mm } = setup();
    const base = 0x4000_0000;
    mapAt(k, p, base, 2 * HPAGE_PMD_NR + 4);
    expect(touchRange(k, p, base, P, true)).toBe(1);
    expect(k.frames.isLarge(mm.pageTable.pfn(base / P))).toBe(false);
    doMadvise(k, p, base, (2 * HPAGE_PMD_NR + 4) * P, "hugepage");
    // v6.12 has no PT_RECLAIM: MADV_DONTNEED of the table's last page leaves the table (not
    // pmd_none()), so the next fault there maps a 4 KiB page (thp_vma_suitable_order() passes,
    // create_huge_pmd() is never tried).
    doMadvise(k, p, base, P, "dontneed");
    expect(mm.pageTable.pmdNone(base / P)).toBe(false);
    expect(touchRange(k, p, base + 9 * P, P, true)).toBe(1);
    expect(k.frames.isLarge(mm.pageTable.pfn(base / P + 9))).toBe(false);
    // The next aligned 2 MiB was never touched: a THP, mapped by one PMD leaf.
    const next = base + HPAGE_PMD_SIZE;
    expect(touchRange(k, p, next + 9 * P, P, true)).toBe(1);
    const pfn = mm.pageTable.pfn(next / P + 9);
    expect(k.frames.isLarge(pfn)).toBe(true);
    expect(mm.pageTable.isLeaf(next / P)).toBe(true);
    expect(k.frames.refcount[k.frames.head(pfn)]).toBe(1);
    // The 4 pages past the aligned blocks cannot hold a THP: ordinary pages.
    expect(touchRange(k, p, base + 2 * HPAGE_PMD_SIZE, P, true)).toBe(1);
    expect(k.frames.isLarge(mm.pageTable.pfn(base / P + 2 * HPAGE_PMD_NR))).toBe(false);
    expectConsistent(inst);
  });

  it("MADV_DONTNEED of part of a THP splits the PMD mapping and leaves the rest mapped", () => {
    const { inst, k, p, mm } = setup();
    const base = 0x4000_0000;
    mapAt(k, p, base, HPAGE_PMD_NR);
    doMadvise(k, p, base, HPAGE_PMD_SIZE, "hugepage");
    touchRange(k, p, base, P, true);
    const head = mm.pageTable.pfn(base / P);
    expect(doMadvise(k, p, base, 16 * P, "dontneed")).toBe(16);
    expect(mm.pageTable.pfn(base / P + 16)).toBe(head + 16);
    expect(mm.pageTable.bits(base / P + 16) & PTE_HUGE).toBe(0);
    expect(k.frames.refcount[head]).toBe(HPAGE_PMD_NR - 16);
    expectConsistent(inst);
  });

  it("applies to the mapped parts of a range with holes, then reports -ENOMEM", () => {
    const { inst, k, p, mm } = setup();
    mapAt(k, p, BASE, 2);
    mapAt(k, p, BASE + 3 * P, 2);
    expect(doMadvise(k, p, BASE, 5 * P, "dontfork")).toBe(-ENOMEM);
    expect(mm.vmas.every((v) => (v.flags & VM_DONTCOPY) !== 0)).toBe(true);
    expect(doMadvise(k, p, BASE + 8 * P, P, "dontfork")).toBe(-ENOMEM);
    expectConsistent(inst);
  });

  it.each([
    ["an unaligned address", BASE + 1, P],
    ["a zero length", BASE, 0],
  ])("refuses %s with -EINVAL", (_d, addr, len) => {
    const { k, p } = setup();
    mapAt(k, p, BASE, 2);
    expect(doMadvise(k, p, addr, len, "dontneed")).toBe(-EINVAL);
    expect(doMadvise(k, p, BASE, P, "bogus" as MadviseAdvice)).toBe(-EINVAL);
  });

  it("keeps VM_SHARED and file backing when splitting shared file mappings", () => {
    const { inst, k, p, mm } = setup();
    const f = k.createFile("f", "shmem", 4 * P);
    const a = doMmap(k, p, { length: 4 * P, prot: RW, shared: true, anonymous: false, file: f });
    doMadvise(k, p, a + P, P, "dontfork");
    expect(mm.vmas.map((v) => [v.pgoff, v.flags & VM_SHARED, v.file?.name])).toEqual([
      [0, VM_SHARED, "f"], [1, VM_SHARED, "f"], [2, VM_SHARED, "f"],
    ]);
    expect(f.mappings.size).toBe(3);
    expectConsistent(inst);
  });
});
