/**
 * fork (`dup_mmap`, `copy_page_range`, `copy_present_pte`, `copy_hugetlb_page_range`) and exit
 * (`exit_mmap`), v6.12.
 *
 * Parent address space used by the VMA-copy table (one letter per VMA, 4 pages each):
 *
 *   BASE     +4p      +8p      +12p     +16p     +20p     +24p
 *   |AAAA|   |BBBB|   |CCCC|   |DDDD|   |EEEE|   |FFFF|
 *   A private anon (written)       B private anon MADV_DONTFORK
 *   C shared ext4 (written)        D private ext4, read only (no anon_vma)
 *   E private ext4, one COW page   F shared anonymous (shmem)
 */
import { describe, expect, it } from "vitest";
import { ENOENT, ENOMEM } from "../errno.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "../gup/foll-flags.js";
import { PG_ANON_EXCLUSIVE } from "../memory/page-flags.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, type testKernel } from "../testing/kernel.js";
import { doExit, doFork } from "./fork.js";
import { doMadvise } from "./madvise.js";
import { doMmap } from "./mmap.js";
import { PTE_HUGE, PTE_PRESENT, PTE_WRITE } from "./page-table.js";
import { type Process } from "./process.js";
import { touchRange, userRead, userWrite } from "./user-access.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";
import { forkOrThrow, kernelWithProcess } from "../testing/mm.js";

const RW = VM_READ | VM_WRITE;
const P = PAGE_SIZE;
const BASE = 0x2000_0000;
const enc = (s: string) => new TextEncoder().encode(s);

const pfnAt = (p: Process, addr: number) => p.mm!.pageTable.pfn(addr / P);
const bitsAt = (p: Process, addr: number) => p.mm!.pageTable.bits(addr / P);

const setup = (cfg: Parameters<typeof testKernel>[0] = {}) => kernelWithProcess({ cfg: { machine: { memory: "32MiB" }, ...cfg }, memlock: 64 * P });
const fork = forkOrThrow;

describe("fork: which VMAs and page tables are copied", () => {
  it("copies every VMA but VM_DONTCOPY, and page tables only where the child cannot refault", () => {
    const { inst, k, p } = setup();
    const file = k.createFile("f", "ext4", 16 * P);
    const map = (i: number, req: Partial<Parameters<typeof doMmap>[2]>) =>
      expect(doMmap(k, p, { length: 4 * P, prot: RW, shared: false, anonymous: true, addr: BASE + i * 4 * P, ...req })).toBe(BASE + i * 4 * P);
    map(0, {});
    map(1, { dontcopy: true });
    map(2, { shared: true, anonymous: false, file });
    map(3, { anonymous: false, file, offset: 4 * P });
    map(4, { anonymous: false, file, offset: 12 * P }); // not contiguous with D: no merge
    map(5, { shared: true });
    for (const i of [0, 1, 2, 5]) expect(touchRange(k, p, BASE + i * 4 * P, 4 * P, true)).toBe(4);
    expect(touchRange(k, p, BASE + 3 * 4 * P, 4 * P, false)).toBe(4);
    expect(touchRange(k, p, BASE + 4 * 4 * P, 4 * P, false)).toBe(4);
    expect(userWrite(k, p, BASE + 4 * 4 * P, enc("cow"))).toBe(0);
    const c = fork(k, p);
    const cmm = c.mm!;
    expect(cmm.vmas.map((v) => (v.start - BASE) / (4 * P))).toEqual([0, 2, 3, 4, 5]);
    const present = (i: number) => [0, 1, 2, 3].map((j) => (cmm.pageTable.bits((BASE + (i * 4 + j) * P) / P) & PTE_PRESENT) !== 0);
    expect(present(0)).toEqual([true, true, true, true]); // anon: copied
    expect(present(2)).toEqual([false, false, false, false]); // shared file: refaults
    expect(present(3)).toEqual([false, false, false, false]); // private file, no anon_vma: refaults
    expect(present(4)).toEqual([true, true, true, true]); // private file with a COW page: copied
    expect(present(5)).toEqual([false, false, false, false]); // shared anonymous: refaults
    const ev = k.events.events.filter((e) => e.type === "fork").at(-1);
    expect(ev).toMatchObject({ parent: p.pid, child: c.pid, vmas: 5, sharedPages: 8, copiedForDma: 0 });
    expect((userRead(k, c, BASE + 4 * 4 * P, 3) as Uint8Array)).toEqual(enc("cow"));
    expectConsistent(inst);
  });

  it("shares private anonymous pages write-protected in both, clearing anon-exclusive; the first writer copies", () => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, { length: 2 * P, prot: RW, shared: false, anonymous: true });
    expect(userWrite(k, p, a, enc("parent"))).toBe(0);
    const pfn = pfnAt(p, a);
    expect(k.frames.flags[pfn] & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    const c = fork(k, p);
    expect(pfnAt(c, a)).toBe(pfn);
    expect(bitsAt(p, a) & PTE_WRITE).toBe(0);
    expect(bitsAt(c, a) & PTE_WRITE).toBe(0);
    expect(k.frames.flags[pfn] & PG_ANON_EXCLUSIVE).toBe(0);
    expect(k.frames.refcount[pfn]).toBe(2);
    expect(k.frames.mapcount[pfn]).toBe(2);
    expect(userWrite(k, c, a, enc("child!"))).toBe(0);
    expect(pfnAt(c, a)).not.toBe(pfn);
    expect(new TextDecoder().decode(userRead(k, p, a, 6) as Uint8Array)).toBe("parent");
    // The zero page is shared too, and stays special.
    expect(pfnAt(c, a + P)).toBe(-1);
    expectConsistent(inst);
  });

  it("bumps write_protect_seq by two per copied COW VMA, so GUP-fast sees the fork", () => {
    const { k, p } = setup();
    const a = doMmap(k, p, { length: P, prot: RW, shared: false, anonymous: true });
    touchRange(k, p, a, P, true);
    const file = k.createFile("f", "shmem", P);
    doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, file });
    const seq = p.mm!.writeProtectSeq;
    fork(k, p);
    expect(p.mm!.writeProtectSeq).toBe(seq + 2);
    expect(p.mm!.writeProtectSeq % 2).toBe(0);
    const q = k.spawn("q");
    doMmap(k, q, { length: P, prot: RW, shared: true, anonymous: false, file });
    fork(k, q, "qc"); // no COW VMA with pages: copy_page_range never write-protects
    expect(q.mm!.writeProtectSeq).toBe(0);
  });

  it("gives the child the parent's RLIMIT_MEMLOCK but neither its pinned_vm nor MMF_HAS_PINNED", () => {
    const { inst, k, p, gup } = setup();
    const a = doMmap(k, p, { length: P, prot: RW, shared: false, anonymous: true });
    p.mm!.pinnedVm = 3;
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 1, FOLL_WRITE, pages)).toBe(1);
    const c = fork(k, p);
    expect(c.mm!.memlockLimit).toBe(64 * P);
    expect(c.mm!.pinnedVm).toBe(0);
    expect(c.mm!.hasPinned).toBe(false);
    expect(c.parent).toBe(p.pid);
    gup.unpinUserPages(pages, 1);
    p.mm!.pinnedVm = 0;
    expectConsistent(inst);
  });
});

describe("fork and pinned pages (folio_needs_cow_for_dma)", () => {
  it("copies a maybe-pinned exclusive page for the child at fork; the parent keeps the pinned page writable", () => {
    const { inst, k, p, gup } = setup();
    const a = doMmap(k, p, { length: 2 * P, prot: RW, shared: false, anonymous: true });
    expect(userWrite(k, p, a, enc("dma"))).toBe(0);
    touchRange(k, p, a + P, P, true);
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 1, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(1);
    expect(p.mm!.hasPinned).toBe(true);
    const pinned = pages[0];
    const unpinned = pfnAt(p, a + P);
    const c = fork(k, p);
    // Pinned page: the child got its own copy, the parent's PTE stays writable and exclusive.
    expect(pfnAt(c, a)).not.toBe(pinned);
    expect(pfnAt(p, a)).toBe(pinned);
    expect(bitsAt(p, a) & PTE_WRITE).toBe(PTE_WRITE);
    expect(k.frames.flags[pinned] & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(bitsAt(c, a) & PTE_WRITE).toBe(PTE_WRITE);
    expect((userRead(k, c, a, 3) as Uint8Array)).toEqual(enc("dma"));
    // The other page is shared as usual.
    expect(pfnAt(c, a + P)).toBe(unpinned);
    expect(k.events.events.filter((e) => e.type === "fork").at(-1)).toMatchObject({ sharedPages: 1, copiedForDma: 1 });
    expect(k.vmstat.nr_fork_dma_copies).toBe(1);
    // A parent write now reaches the pinned page, which the device sees.
    expect(userWrite(k, p, a, enc("new"))).toBe(0);
    expect(pfnAt(p, a)).toBe(pinned);
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("shares the page when the policy says no copy is needed (the hook decides)", () => {
    const { inst, k, p, gup } = setup({ policyOptions: { forkCopy: false } });
    const a = doMmap(k, p, { length: P, prot: RW, shared: false, anonymous: true });
    touchRange(k, p, a, P, true);
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 1, FOLL_WRITE, pages)).toBe(1);
    const c = fork(k, p);
    expect(pfnAt(c, a)).toBe(pages[0]);
    expect(k.frames.flags[pages[0]] & PG_ANON_EXCLUSIVE).toBe(0);
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("does not ask the policy at all without MMF_HAS_PINNED (a FOLL_GET reference is not protected)", () => {
    const { inst, k, p, gup } = setup();
    const a = doMmap(k, p, { length: P, prot: RW, shared: false, anonymous: true });
    touchRange(k, p, a, P, true);
    const pages: number[] = [];
    expect(gup.getUserPages(p, a, 1, FOLL_WRITE, pages)).toBe(1);
    expect(p.mm!.hasPinned).toBe(false);
    let asked = 0;
    const orig = k.policy.forkMustCopy;
    (k.policy as { forkMustCopy: typeof orig }).forkMustCopy = (mm, head) => (asked++, orig(mm, head));
    const c = fork(k, p);
    expect(asked).toBe(0);
    expect(pfnAt(c, a)).toBe(pages[0]);
    gup.putPage(pages[0]);
    expectConsistent(inst);
  });

  it("splits a pinned PMD-mapped THP in the parent and copies it page by page for the child", () => {
    const { inst, k, p, gup } = setup();
    const base = 0x4000_0000;
    doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, addr: base });
    doMadvise(k, p, base, HPAGE_PMD_SIZE, "hugepage");
    touchRange(k, p, base, P, true);
    const head = pfnAt(p, base);
    expect(k.frames.isLarge(head)).toBe(true);
    const pages: number[] = [];
    expect(gup.pinUserPages(p, base, 2, FOLL_WRITE, pages)).toBe(2);
    const c = fork(k, p);
    expect(bitsAt(p, base) & PTE_HUGE).toBe(0);
    expect(pfnAt(c, base)).not.toBe(head);
    expect(k.frames.isLarge(pfnAt(c, base))).toBe(false);
    expect(pfnAt(c, base + 100 * P)).not.toBe(head + 100);
    expect(k.events.events.filter((e) => e.type === "fork").at(-1)).toMatchObject({ copiedForDma: HPAGE_PMD_NR });
    gup.unpinUserPages(pages, 2);
    expectConsistent(inst);
  });

  it("shares an unpinned THP, PMD-mapped in both", () => {
    const { inst, k, p } = setup();
    const base = 0x4000_0000;
    doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, addr: base });
    doMadvise(k, p, base, HPAGE_PMD_SIZE, "hugepage");
    touchRange(k, p, base, P, true);
    const head = pfnAt(p, base);
    const c = fork(k, p);
    expect(pfnAt(c, base + 7 * P)).toBe(head + 7);
    expect(bitsAt(c, base + 7 * P) & (PTE_HUGE | PTE_WRITE)).toBe(PTE_HUGE);
    expect(bitsAt(p, base + 7 * P) & (PTE_HUGE | PTE_WRITE)).toBe(PTE_HUGE);
    // copy_huge_pmd(): one reference and one entire mapcount per PMD, anon-exclusive gone.
    expect(k.frames.refcount[head]).toBe(2);
    expect(k.frames.entireMapcount[head]).toBe(2);
    expect(k.frames.pageMapcount(head + 7)).toBe(2);
    expect(k.vmstat.thp_split_pmd).toBe(0);
    expectConsistent(inst);
  });

  it.each([
    ["shares", false],
    ["copies", true],
  ] as const)("%s a private anonymous hugetlb folio (pinned: %s)", (_d, pin) => {
    const { inst, k, p, gup } = setup();
    const a = doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, hugetlb: true });
    expect(userWrite(k, p, a, enc("huge"))).toBe(0);
    const head = pfnAt(p, a);
    const pages: number[] = [];
    if (pin) expect(gup.pinUserPages(p, a, 1, FOLL_WRITE, pages)).toBe(1);
    const c = fork(k, p);
    expect(pfnAt(c, a) === head).toBe(!pin);
    expect((bitsAt(p, a) & PTE_WRITE) !== 0).toBe(pin);
    expect((userRead(k, c, a, 4) as Uint8Array)).toEqual(enc("huge"));
    if (pin) gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("fails with -ENOMEM and leaves no child when a copy for a pinned page cannot be allocated", () => {
    const { inst, k, p, gup } = setup({ machine: { memory: "1MiB" } });
    const len = 200 * P;
    const a = doMmap(k, p, { length: len, prot: RW, shared: false, anonymous: true });
    expect(touchRange(k, p, a, len, true)).toBe(200);
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 200, FOLL_WRITE, pages)).toBe(200);
    const procs = k.processes.size;
    const free = k.memory.nrFree(0);
    expect(doFork(k, p, "c")).toBe(-ENOMEM);
    expect(k.processes.size).toBe(procs);
    expect(k.findProcess("c")).toBeUndefined();
    expect(k.memory.nrFree(0)).toBe(free);
    expect(bitsAt(p, a) & PTE_WRITE).toBe(PTE_WRITE);
    gup.unpinUserPages(pages, 200);
    expectConsistent(inst);
  });

  it("refuses to fork an exited process", () => {
    const { k, p } = setup();
    doExit(k, p);
    expect(doFork(k, p, "c")).toBe(-ENOENT);
  });
});
