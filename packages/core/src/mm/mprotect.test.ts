/**
 * mprotect (mm/mprotect.c, mm/vma.c, v6.12).
 *
 * Address-space pictures follow the kernel's userland VMA tests: one character per 4 KiB page
 * from a base address, `|` where one VMA ends and the next begins, `.` for unmapped pages, and
 * the protection as the page character (`w` read-write, `r` read-only, `-` PROT_NONE).
 */
import { describe, expect, it } from "vitest";
import { EFAULT, EINVAL, ENOMEM } from "../errno.js";
import { PG_ANON_EXCLUSIVE } from "../memory/page-flags.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent } from "../testing/kernel.js";
import { doFork } from "./fork.js";
import { doMadvise } from "./madvise.js";
import { doMmap } from "./mmap.js";
import { doMprotect } from "./mprotect.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";
import { PTE_HUGE, PTE_WRITE, PUD_PAGES } from "./page-table.js";
import { doMunmap } from "./mmap.js";
import type { MmuIntervalNotifierOps, MmuNotifierRange } from "../notifier/mmu-notifiers.js";
import { touchRange, userWrite } from "./user-access.js";
import { drawVmas, kernelWithProcess, mapAt } from "../testing/mm.js";

const RW = VM_READ | VM_WRITE;
const BASE = 0x1000_0000;
const P = PAGE_SIZE;

const setup = () => kernelWithProcess({ cfg: { machine: { memory: "32MiB" } } });
const draw = drawVmas;

describe("mprotect", () => {
  it("splits and merges VMAs at the edges of the range", () => {
    const { inst, k, p, mm } = setup();
    mapAt(k, p, BASE, 8);
    //             01234567
    expect(draw(mm, BASE, 8)).toBe("|wwwwwwww|");
    expect(doMprotect(k, p, BASE + 2 * P, 3 * P, VM_READ)).toBe(0);
    expect(draw(mm, BASE, 8)).toBe("|ww|rrr|www|");
    expect(doMprotect(k, p, BASE + 4 * P, 2 * P, VM_READ)).toBe(0);
    expect(draw(mm, BASE, 8)).toBe("|ww|rrrr|ww|");
    expect(doMprotect(k, p, BASE, 8 * P, 0)).toBe(0);
    expect(draw(mm, BASE, 8)).toBe("|--------|");
    expect(doMprotect(k, p, BASE + 2 * P, 4 * P, RW)).toBe(0);
    expect(draw(mm, BASE, 8)).toBe("|--|wwww|--|");
    expect(doMprotect(k, p, BASE, 8 * P, RW)).toBe(0);
    expect(draw(mm, BASE, 8)).toBe("|wwwwwwww|");
    expect(mm.vmas.length).toBe(1);
    expectConsistent(inst);
  });

  it("does not merge VMAs that map different files or non-contiguous file offsets", () => {
    const { inst, k, p, mm } = setup();
    const f = k.createFile("f", "ext4", 16 * P);
    expect(doMmap(k, p, { length: 2 * P, prot: RW, shared: true, anonymous: false, file: f, offset: 0, addr: BASE })).toBe(BASE);
    expect(doMmap(k, p, { length: 2 * P, prot: VM_READ, shared: true, anonymous: false, file: f, offset: 8 * P, addr: BASE + 2 * P })).toBe(BASE + 2 * P);
    expect(doMprotect(k, p, BASE + 2 * P, 2 * P, RW)).toBe(0);
    expect(draw(mm, BASE, 4)).toBe("|ww|ww|");
    expectConsistent(inst);
  });

  it("requires the whole range to be mapped: -ENOMEM, after changing the VMAs before the hole (do_mprotect_pkey)", () => {
    const { inst, k, p, mm } = setup();
    mapAt(k, p, BASE + P, 2);
    mapAt(k, p, BASE + 4 * P, 2);
    //                               0123456
    expect(draw(mm, BASE, 7)).toBe(".|ww|.|ww|.");
    // A hole at the start: nothing changes.
    expect(doMprotect(k, p, BASE, 3 * P, VM_READ)).toBe(-ENOMEM);
    expect(draw(mm, BASE, 7)).toBe(".|ww|.|ww|.");
    // A hole in the middle: the first VMA changes, the second does not.
    expect(doMprotect(k, p, BASE + P, 5 * P, VM_READ)).toBe(-ENOMEM);
    expect(draw(mm, BASE, 7)).toBe(".|rr|.|ww|.");
    // A hole at the end: everything mapped changes.
    expect(doMprotect(k, p, BASE + 4 * P, 3 * P, 0)).toBe(-ENOMEM);
    expect(draw(mm, BASE, 7)).toBe(".|rr|.|--|.");
    expectConsistent(inst);
  });

  it.each([
    ["an unaligned address", BASE + 8, P, VM_READ, EINVAL],
    ["a zero length", BASE, 0, VM_READ, EINVAL],
    ["unknown prot bits", BASE, P, 1 << 9, EINVAL],
  ])("refuses %s", (_d, addr, len, prot, errno) => {
    const { inst, k, p } = setup();
    mapAt(k, p, BASE, 2);
    expect(doMprotect(k, p, addr, len, prot)).toBe(-errno);
    expectConsistent(inst);
  });

  it("write-protects present PTEs when write is removed, and tells notifiers once per VMA", () => {
    const { inst, k, p, mm } = setup();
    mapAt(k, p, BASE, 4);
    touchRange(k, p, BASE, 4 * P, true);
    const before = k.notifiers.counts.protection_vma;
    expect(doMprotect(k, p, BASE, 4 * P, VM_READ)).toBe(0);
    expect(k.notifiers.counts.protection_vma).toBe(before + 1);
    expect([0, 1, 2, 3].map((i) => mm.pageTable.bits(BASE / P + i) & PTE_WRITE)).toEqual([0, 0, 0, 0]);
    const ev = k.events.events.filter((e) => e.type === "mprotect").at(-1);
    expect(ev).toMatchObject({ writeProtected: 4, prot: "r--" });
    expectConsistent(inst);
  });

  it("with unchanged protection splits nothing, changes no PTE and tells no notifier (mprotect_fixup returns early)", () => {
    const { inst, k, p, mm } = setup();
    mapAt(k, p, BASE, 4);
    touchRange(k, p, BASE, 4 * P, true);
    const before = k.notifiers.counts.protection_vma;
    expect(doMprotect(k, p, BASE + P, P, RW)).toBe(0);
    expect(draw(mm, BASE, 4)).toBe("|wwww|");
    expect(mm.pageTable.bits(BASE / P + 1) & PTE_WRITE).toBe(PTE_WRITE);
    expect(k.notifiers.counts.protection_vma).toBe(before);
    expectConsistent(inst);
  });

  it("makes exclusive anonymous pages writable again, but never a page shared with a child", () => {
    const { inst, k, p, mm } = setup();
    mapAt(k, p, BASE, 2);
    touchRange(k, p, BASE, 2 * P, true);
    doMprotect(k, p, BASE, 2 * P, VM_READ);
    doMprotect(k, p, BASE, 2 * P, RW);
    expect(mm.pageTable.bits(BASE / P) & PTE_WRITE).toBe(PTE_WRITE);
    doFork(k, p, "c");
    const pfn = mm.pageTable.pfn(BASE / P);
    expect(k.frames.flags[pfn] & PG_ANON_EXCLUSIVE).toBe(0);
    doMprotect(k, p, BASE, 2 * P, VM_READ);
    doMprotect(k, p, BASE, 2 * P, RW);
    expect(mm.pageTable.bits(BASE / P) & PTE_WRITE).toBe(0);
    expectConsistent(inst);
  });

  it.each([
    ["ext4", false],
    ["shmem", true],
  ] as const)("restoring write on a clean shared %s page makes it writable only without write-notify (%s)", (fs, writable) => {
    const { inst, k, p, mm } = setup();
    const f = k.createFile("f", fs, P);
    const a = doMmap(k, p, { length: P, prot: VM_READ, shared: true, anonymous: false, file: f });
    touchRange(k, p, a, P, false);
    expect(doMprotect(k, p, a, P, RW)).toBe(0);
    expect((mm.pageTable.bits(a / P) & PTE_WRITE) !== 0).toBe(writable);
    expectConsistent(inst);
  });

  it("refuses to split a hugetlb mapping off a 2 MiB boundary", () => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, hugetlb: true });
    expect(doMprotect(k, p, a, P, VM_READ)).toBe(-EINVAL);
    expect(p.mm!.vmas.length).toBe(1);
    expect(p.mm!.findVma(a)!.flags & VM_WRITE).toBe(VM_WRITE);
    expectConsistent(inst);
  });

  it("splitting a VMA inside a THP splits its PMD mapping: a write in the writable half cannot make the read-only half writable", () => {
    const { inst, k, p, mm } = setup();
    const base = 0x4000_0000;
    mapAt(k, p, base, HPAGE_PMD_NR);
    doMadvise(k, p, base, HPAGE_PMD_SIZE, "hugepage");
    expect(touchRange(k, p, base, P, true)).toBe(1);
    expect(mm.pageTable.bits(base / P + 300) & PTE_HUGE).toBe(PTE_HUGE);
    const half = HPAGE_PMD_SIZE / 2;
    expect(doMprotect(k, p, base + half, half, VM_READ)).toBe(0);
    for (const i of [0, 255, 256, 511]) expect(mm.pageTable.bits(base / P + i) & PTE_HUGE).toBe(0);
    // Write-protect the lower half's PTEs, then write to it: only the faulting PTE becomes writable.
    for (let i = 0; i < 256; i++) mm.pageTable.update(base / P + i, PTE_WRITE, 0);
    expect(userWrite(k, p, base + 10 * P, Uint8Array.of(1))).toBe(0);
    expect(mm.pageTable.bits(base / P + 10) & PTE_WRITE).toBe(PTE_WRITE);
    expect(mm.pageTable.bits(base / P + 11) & PTE_WRITE).toBe(0);
    expect(mm.pageTable.bits(base / P + 300) & PTE_WRITE).toBe(0);
    expect(userWrite(k, p, base + 300 * P, Uint8Array.of(1))).toBe(-EFAULT);
    expectConsistent(inst);
  });

  describe("MMU notifiers (change_pud_range, hugetlb_change_protection)", () => {
    const watch = (k: ReturnType<typeof setup>["k"], p: ReturnType<typeof setup>["p"], start: number, length: number) => {
      const got: Pick<MmuNotifierRange, "start" | "end" | "event">[] = [];
      const ops: MmuIntervalNotifierOps = { invalidate: (_s, r) => (got.push({ start: r.start, end: r.end, event: r.event }), true) };
      k.notifiers.insert(p.mm!, start, length, ops, "t");
      return got;
    };

    it("sends nothing where no page table exists below the range, then one range once a fault allocated it", () => {
      const { inst, k, p } = setup();
      mapAt(k, p, BASE, 8);
      const got = watch(k, p, BASE, 8 * P);
      expect(doMprotect(k, p, BASE, 8 * P, VM_READ)).toBe(0);
      expect(got).toEqual([]);
      touchRange(k, p, BASE + 6 * P, P, false);
      expect(doMadvise(k, p, BASE, 8 * P, "dontneed")).toBeGreaterThanOrEqual(0);
      got.length = 0;
      // MADV_DONTNEED left the tables: the range is still sent.
      expect(doMprotect(k, p, BASE + 2 * P, 4 * P, RW)).toBe(0);
      expect(got).toEqual([{ start: BASE + 2 * P, end: BASE + 6 * P, event: "protection_vma" }]);
      expectConsistent(inst);
    });

    it("starts the range at the first GiB with a PMD table; munmap frees the tables of an emptied GiB", () => {
      const { inst, k, p } = setup();
      const GIB = PUD_PAGES * P;
      const base = 4 * GIB - 2 * P;
      mapAt(k, p, base, 4);
      const got = watch(k, p, base, 4 * P);
      touchRange(k, p, 4 * GIB, P, false);
      expect(doMprotect(k, p, base, 4 * P, VM_READ)).toBe(0);
      expect(got).toEqual([{ start: 4 * GIB, end: base + 4 * P, event: "protection_vma" }]);
      expect(doMunmap(k, p, base, 4 * P)).toBeGreaterThanOrEqual(0);
      expect(p.mm!.pageTable.pudKeys()).toEqual([]);
      mapAt(k, p, base, 4);
      got.length = 0;
      // The interval outlives the munmap (a driver removes it), so it still watches the new VMA.
      expect(doMprotect(k, p, base, 4 * P, RW)).toBe(0);
      expect(got).toEqual([]);
      expectConsistent(inst);
    });

    it("hugetlb_change_protection always sends the range", () => {
      const { inst, k, p } = setup();
      const h = doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, hugetlb: true });
      const got = watch(k, p, h, HPAGE_PMD_SIZE);
      expect(doMprotect(k, p, h, HPAGE_PMD_SIZE, VM_READ)).toBe(0);
      expect(got).toEqual([{ start: h, end: h + HPAGE_PMD_SIZE, event: "protection_vma" }]);
      expectConsistent(inst);
    });
  });
});

