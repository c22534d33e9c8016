/**
 * 1 GiB hugetlb pages (MAP_HUGETLB | MAP_HUGE_1GB) end to end, v6.12: mmap's rounding,
 * reservation and alignment (`ksys_mmap_pgoff()`, `hugetlb_reserve_pages()`,
 * `prepare_hugepage_range()`, `hugetlb_vm_op_split()`), the fault mapping one PUD leaf
 * (`hugetlb_no_page()`), GUP's one grab per GiB (`gup_fast_pud_leaf()`, `follow_huge_pud()`), fork
 * (`copy_hugetlb_page_range()`), COW (`hugetlb_wp()`), migration from the pool, and the way back to
 * the pool (`hugetlb_vm_op_close()`, `free_huge_folio()`).
 */
import { describe, expect, it } from "vitest";
import { EFAULT, EINVAL, ENOMEM } from "../errno.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "../gup/foll-flags.js";
import { migrateRange } from "../migrate/migrate.js";
import { PG_ANON_EXCLUSIVE } from "../memory/page-flags.js";
import { HPAGE_PUD_NR, HPAGE_PUD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent } from "../testing/kernel.js";
import { forkOrThrow, kernelWithProcess, lastFault } from "../testing/mm.js";
import { doFork } from "./fork.js";
import { doMmap, doMunmap } from "./mmap.js";
import { doMprotect } from "./mprotect.js";
import { PTE_PUD, PTE_WRITE } from "./page-table.js";
import { userRead, userWrite } from "./user-access.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";

const RW = VM_READ | VM_WRITE;
const G = HPAGE_PUD_SIZE;
const enc = (s: string) => new TextEncoder().encode(s);
const setup = (pool: number) => kernelWithProcess({ cfg: { machine: { memory: `${pool + 1}GiB`, hugetlb_1g: pool } } });
const gig = { prot: RW, shared: false, anonymous: true, hugetlb: true, hugetlbSize: G } as const;

describe("1 GiB hugetlb: mmap", () => {
  it("rounds the length up to a GiB at a GiB-aligned address and reserves one pool page for it", () => {
    const { k, p } = setup(1);
    const a = doMmap(k, p, { ...gig, length: PAGE_SIZE });
    expect(a % G).toBe(0);
    expect(p.mm!.findVma(a)!.end - a).toBe(G);
    expect(k.memory.hugetlb1g.resvHugePages).toBe(1);
    expect(doMmap(k, p, { ...gig, length: G })).toBe(-ENOMEM);
    expect(doMunmap(k, p, a, G)).toBe(0);
    expect(k.memory.hugetlb1g.resvHugePages).toBe(0);
  });

  it("refuses more than the pool, an unaligned fixed address, a split off a GiB, a size with no hstate", () => {
    const { k, p } = setup(1);
    expect(doMmap(k, p, { ...gig, length: 2 * G })).toBe(-ENOMEM);
    expect(doMmap(k, p, { ...gig, length: G, addr: G + 2 * 1024 * 1024, placement: "fixed" })).toBe(-EINVAL);
    expect(doMmap(k, p, { ...gig, length: G, hugetlbSize: 4 * 1024 * 1024 })).toBe(-EINVAL);
    const a = doMmap(k, p, { ...gig, length: G });
    expect(doMunmap(k, p, a + 2 * 1024 * 1024, 2 * 1024 * 1024)).toBe(-EINVAL);
    expect(doMprotect(k, p, a, 2 * 1024 * 1024, VM_READ)).toBe(-EINVAL);
  });
});

describe("1 GiB hugetlb: fault, GUP, unmap", () => {
  it("maps one PUD leaf whose folio has one reference and one entire mapcount", () => {
    const { inst, k, p } = setup(1);
    const a = doMmap(k, p, { ...gig, length: G });
    expect(userWrite(k, p, a + G / 2, enc("mid"))).toBe(0);
    const pt = p.mm!.pageTable;
    const head = pt.pfn(a / PAGE_SIZE);
    expect(pt.bits(a / PAGE_SIZE) & PTE_PUD).toBe(PTE_PUD);
    expect(pt.pfn((a + G / 2) / PAGE_SIZE)).toBe(head + HPAGE_PUD_NR / 2);
    expect(k.frames.order[head]).toBe(18);
    expect(k.frames.refcount[head]).toBe(1);
    expect(k.frames.entireMapcount[head]).toBe(1);
    expect(k.frames.flags[head] & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(p.mm!.rss).toBe(HPAGE_PUD_NR);
    expect(k.memory.hugetlb1g.resvHugePages).toBe(0);
    expectConsistent(inst);
  });

  it.each([
    ["fast", true],
    ["slow", false],
  ] as const)("pins the whole GiB with one grab on the %s path, counting every subpage", (_d, fast) => {
    const { inst, k, p, gup } = setup(1);
    const a = doMmap(k, p, { ...gig, length: G });
    if (fast) expect(userWrite(k, p, a, enc("x"))).toBe(0);
    const pages: number[] = [];
    const got = fast ? gup.pinUserPagesFast(p, a, HPAGE_PUD_NR, FOLL_WRITE | FOLL_LONGTERM, pages) : gup.pinUserPages(p, a, HPAGE_PUD_NR, FOLL_WRITE | FOLL_LONGTERM, pages);
    expect(got).toBe(HPAGE_PUD_NR);
    const head = pages[0];
    expect(pages[HPAGE_PUD_NR - 1]).toBe(head + HPAGE_PUD_NR - 1);
    expect(k.vmstat.nr_foll_pin_acquired).toBe(HPAGE_PUD_NR);
    expect(k.policy.pinCount(head)).toBe(HPAGE_PUD_NR);
    expect(k.frames.refcount[head]).toBe(1 + HPAGE_PUD_NR);
    gup.unpinUserPages(pages, HPAGE_PUD_NR);
    expect(k.frames.refcount[head]).toBe(1);
    expectConsistent(inst);
  });

  it("populates a GiB with one fault (MAP_POPULATE steps over the rest of the huge page)", () => {
    const { k, p } = setup(1);
    const a = doMmap(k, p, { ...gig, length: G, populate: true });
    expect(p.mm!.pageTable.isPudLeaf(a / PAGE_SIZE)).toBe(true);
    const ev = lastFault(k.events.events)!;
    expect(ev.pages).toBe(HPAGE_PUD_NR);
    expect(ev.counts).toEqual({ hugetlb: 1 });
  });

  it("gives a faulted folio back to the pool at munmap", () => {
    const { inst, k, p } = setup(1);
    const a = doMmap(k, p, { ...gig, length: G });
    expect(userWrite(k, p, a, enc("x"))).toBe(0);
    expect(k.memory.hugetlb1g.freeHugePages).toBe(0);
    expect(doMunmap(k, p, a, G)).toBe(HPAGE_PUD_NR);
    expect(k.memory.hugetlb1g.freeHugePages).toBe(1);
    expectConsistent(inst);
  });
});

describe("1 GiB hugetlb: fork, COW, migration", () => {
  it("shares an unpinned page, then copies the GiB on the child's write and reuses it on the parent's", () => {
    const { inst, k, p } = setup(2);
    const a = doMmap(k, p, { ...gig, length: G });
    expect(userWrite(k, p, a, enc("old"))).toBe(0);
    const head = p.mm!.pageTable.pfn(a / PAGE_SIZE);
    const c = forkOrThrow(k, p);
    expect(k.frames.entireMapcount[head]).toBe(2);
    expect(c.mm!.pageTable.bits(a / PAGE_SIZE) & (PTE_PUD | PTE_WRITE)).toBe(PTE_PUD);
    expect(userWrite(k, c, a, enc("new"))).toBe(0);
    expect(c.mm!.pageTable.pfn(a / PAGE_SIZE)).not.toBe(head);
    expect(userRead(k, p, a, 3)).toEqual(enc("old"));
    expect(userWrite(k, p, a, enc("own"))).toBe(0);
    expect(p.mm!.pageTable.pfn(a / PAGE_SIZE)).toBe(head);
    expect(k.memory.hugetlb1g.freeHugePages).toBe(0);
    // A third copy finds no pool page: SIGBUS (alloc_hugetlb_folio()'s -ENOSPC through vmf_error()).
    const c2 = forkOrThrow(k, p, "c2");
    expect(userWrite(k, c2, a, enc("no"))).toBe(-EFAULT);
    expectConsistent(inst);
  });

  it("copies a pinned page whole for the child at fork, or fails with ENOMEM when the pool has none (copy_mm, whatever copy_hugetlb_page_range said)", () => {
    const { inst, k, p, gup } = setup(1);
    const a = doMmap(k, p, { ...gig, length: G });
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 1, FOLL_WRITE, pages)).toBe(1);
    expect(doFork(k, p, "c")).toBe(-ENOMEM);
    expect(k.findProcess("c")).toBeUndefined();
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
    const big = setup(2);
    const b = doMmap(big.k, big.p, { ...gig, length: G });
    const pinned: number[] = [];
    expect(big.gup.pinUserPages(big.p, b, 1, FOLL_WRITE, pinned)).toBe(1);
    const c = forkOrThrow(big.k, big.p);
    const child = c.mm!.pageTable.pfn(b / PAGE_SIZE);
    expect(child).not.toBe(pinned[0]);
    expect(big.p.mm!.pageTable.pfn(b / PAGE_SIZE)).toBe(pinned[0]);
    expect(big.k.frames.flags[child] & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(c.mm!.pageTable.bits(b / PAGE_SIZE) & PTE_WRITE).toBe(PTE_WRITE);
    big.gup.unpinUserPages(pinned, 1);
    expectConsistent(big.inst);
  });

  it("migrates a 1 GiB folio only to a free pool page", () => {
    const one = setup(1);
    const a = doMmap(one.k, one.p, { ...gig, length: G });
    expect(userWrite(one.k, one.p, a, enc("stay"))).toBe(0);
    expect(migrateRange(one.k, one.p.pid, a, PAGE_SIZE).migrated).toBe(0);
    const two = setup(2);
    const b = doMmap(two.k, two.p, { ...gig, length: G });
    expect(userWrite(two.k, two.p, b, enc("move"))).toBe(0);
    const before = two.p.mm!.pageTable.pfn(b / PAGE_SIZE);
    expect(migrateRange(two.k, two.p.pid, b, PAGE_SIZE).migrated).toBeGreaterThan(0);
    expect(two.p.mm!.pageTable.pfn(b / PAGE_SIZE)).not.toBe(before);
    expect(two.p.mm!.pageTable.bits(b / PAGE_SIZE) & PTE_PUD).toBe(PTE_PUD);
    expect(userRead(two.k, two.p, b, 4)).toEqual(enc("move"));
    expect(two.k.memory.hugetlb1g.freeHugePages).toBe(1);
    expectConsistent(two.inst);
  });
});
