/**
 * MADV_WIPEONFORK / MADV_KEEPONFORK (`madvise_vma_behavior()`, mm/madvise.c) and what fork makes
 * of VM_WIPEONFORK (`dup_mmap()`, kernel/fork.c, v6.12): the child gets the range, empty.
 */
import { describe, expect, it } from "vitest";
import { EINVAL } from "../errno.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "../gup/foll-flags.js";
import { PG_ANON_EXCLUSIVE } from "../memory/page-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent } from "../testing/kernel.js";
import { drawVmas, forkOrThrow, kernelWithProcess } from "../testing/mm.js";
import { doMadvise } from "./madvise.js";
import { doMmap, type MmapRequest } from "./mmap.js";
import { PTE_PRESENT, PTE_WRITE } from "./page-table.js";
import { userRead, userWrite } from "./user-access.js";
import { VM_DONTCOPY, VM_READ, VM_WIPEONFORK, VM_WRITE } from "./vm-flags.js";

const RW = VM_READ | VM_WRITE;
const P = PAGE_SIZE;
const enc = (s: string) => new TextEncoder().encode(s);
const setup = () => kernelWithProcess({ cfg: { machine: { memory: "32MiB" } } });
const anon = (over: Partial<MmapRequest> = {}): MmapRequest => ({ length: 4 * P, prot: RW, shared: false, anonymous: true, ...over });

describe("MADV_WIPEONFORK", () => {
  it.each([
    ["a shared anonymous mapping (its shmem file)", { shared: true }],
    ["an anonymous hugetlb mapping (its hugetlbfs file)", { hugetlb: true, length: 2 * 1024 * 1024 }],
    ["a pfnmap mapping (a driver's file)", { anonymous: false, pfnmap: true }],
  ] as const)("is refused on %s", (_d, over: Partial<MmapRequest>) => {
    const { k, p, mm } = setup();
    const a = doMmap(k, p, anon(over));
    expect(doMadvise(k, p, a, over.length ?? 4 * P, "wipeonfork")).toBe(-EINVAL);
    expect(mm.findVma(a)!.flags & VM_WIPEONFORK).toBe(0);
  });

  it("is refused on a private file mapping, and taken on private anonymous memory only where asked", () => {
    const { inst, k, p, mm } = setup();
    const f = k.createFile("f", "ext4", 4 * P);
    const fa = doMmap(k, p, anon({ anonymous: false, file: f }));
    expect(doMadvise(k, p, fa, 4 * P, "wipeonfork")).toBe(-EINVAL);
    const a = doMmap(k, p, anon());
    expect(doMadvise(k, p, a + P, 2 * P, "wipeonfork")).toBe(2);
    expect(mm.vmas.filter((v) => (v.flags & VM_WIPEONFORK) !== 0).map((v) => [v.start - a, v.end - a])).toEqual([[P, 3 * P]]);
    expect(doMadvise(k, p, a, 4 * P, "keeponfork")).toBe(4);
    expect(drawVmas(mm, a, 4)).toBe("|wwww|");
    expectConsistent(inst);
  });
});

describe("fork of a VM_WIPEONFORK range", () => {
  it("gives the child the same range, empty: no PTE, zeros to read; the parent's pages stay exclusive and writable", () => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, anon());
    expect(userWrite(k, p, a, enc("secret"))).toBe(0);
    expect(doMadvise(k, p, a, 4 * P, "wipeonfork")).toBe(4);
    const pfn = p.mm!.pageTable.pfn(a / P);
    const seq = p.mm!.writeProtectSeq;
    const c = forkOrThrow(k, p);
    const cv = c.mm!.findVma(a)!;
    expect([cv.start, cv.end, cv.anonVma]).toEqual([a, a + 4 * P, null]);
    expect(cv.flags & VM_WIPEONFORK).toBe(VM_WIPEONFORK); // vm_area_dup() keeps the flag
    expect(c.mm!.pageTable.bits(a / P) & PTE_PRESENT).toBe(0);
    expect(userRead(k, c, a, 6)).toEqual(new Uint8Array(6));
    expect(p.mm!.pageTable.bits(a / P) & PTE_WRITE).toBe(PTE_WRITE);
    expect(k.frames.flags[pfn] & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(k.frames.mapcount[pfn]).toBe(1);
    expect(p.mm!.writeProtectSeq).toBe(seq); // copy_page_range() never ran
    expect(k.events.events.filter((e) => e.type === "fork").at(-1)).toMatchObject({ vmas: 1, sharedPages: 0, copiedForDma: 0 });
    expectConsistent(inst);
  });

  it("a pinned page there is neither shared nor copied: the child faults its own zero-filled page", () => {
    const { inst, k, p, gup } = setup();
    const a = doMmap(k, p, anon());
    expect(doMadvise(k, p, a, 4 * P, "wipeonfork")).toBe(4);
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 1, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(1);
    const c = forkOrThrow(k, p);
    expect(userWrite(k, c, a, enc("child"))).toBe(0);
    expect(c.mm!.pageTable.pfn(a / P)).not.toBe(pages[0]);
    expect(k.vmstat.nr_fork_dma_copies).toBe(0);
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("MADV_KEEPONFORK undoes it, MADV_DOFORK undoes MADV_DONTFORK: the child then shares the page", () => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, anon());
    expect(userWrite(k, p, a, enc("kept"))).toBe(0);
    expect(doMadvise(k, p, a, 4 * P, "wipeonfork")).toBe(4);
    expect(doMadvise(k, p, a, 4 * P, "keeponfork")).toBe(4);
    expect(doMadvise(k, p, a, 4 * P, "dontfork")).toBe(4);
    expect(forkOrThrow(k, p, "c1").mm!.findVma(a)).toBeUndefined();
    expect(doMadvise(k, p, a, 4 * P, "dofork")).toBe(4);
    expect(p.mm!.findVma(a)!.flags & (VM_DONTCOPY | VM_WIPEONFORK)).toBe(0);
    const c2 = forkOrThrow(k, p, "c2");
    expect(c2.mm!.pageTable.pfn(a / P)).toBe(p.mm!.pageTable.pfn(a / P));
    expect(new TextDecoder().decode(userRead(k, c2, a, 4) as Uint8Array)).toBe("kept");
    expectConsistent(inst);
  });
});
