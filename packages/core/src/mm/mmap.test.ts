/**
 * mmap and munmap (mm/mmap.c, mm/vma.c, v6.12).
 *
 * Address-space pictures follow the kernel's userland VMA tests: one character per 4 KiB page
 * from a base address, `|` where one VMA ends and the next begins, `.` for unmapped pages, and
 * the protection as the page character (`w` read-write, `r` read-only, `-` PROT_NONE).
 */
import { describe, expect, it } from "vitest";
import { EEXIST, EINVAL, ENOMEM, EPERM } from "../errno.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent } from "../testing/kernel.js";
import { doFork } from "./fork.js";
import { doMmap, doMunmap } from "./mmap.js";
import { MMAP_MIN_ADDR, TASK_SIZE } from "./mm-types.js";
import { VM_HUGETLB, VM_IO, VM_PFNMAP, VM_READ, VM_WRITE } from "./vm-flags.js";
import { PTE_PRESENT } from "./page-table.js";
import type { Process } from "./process.js";
import { touchRange, userRead, userWrite } from "./user-access.js";
import { drawVmas, kernelWithProcess, mapAt } from "../testing/mm.js";

const RW = VM_READ | VM_WRITE;
const BASE = 0x1000_0000;
const P = PAGE_SIZE;

const setup = () => kernelWithProcess({ cfg: { machine: { memory: "32MiB" } } });
const draw = drawVmas;

describe("mmap", () => {
  it("places mappings top-down below MMAP_BASE without overlap, page aligned", () => {
    const { inst, k, p, mm } = setup();
    const a = doMmap(k, p, { length: 3 * P, prot: RW, shared: false, anonymous: true });
    const b = doMmap(k, p, { length: 5000, prot: VM_READ, shared: false, anonymous: true });
    expect(a % P).toBe(0);
    expect(b).toBe(a - 2 * P); // 5000 bytes round up to two pages, placed right below
    expect(mm.vmas.map((v) => [v.start, v.end])).toEqual([[b, a], [a, a + 3 * P]]);
    expectConsistent(inst);
  });

  it.each([
    ["zero length", EINVAL, { length: 0 }],
    ["negative length", EINVAL, { length: -P }],
    ["fractional length", EINVAL, { length: 1.5 }],
    ["length beyond the address space", ENOMEM, { length: TASK_SIZE + P }],
    ["unknown prot bits", EINVAL, { prot: 1 << 8 }],
    ["unaligned fixed address", EINVAL, { addr: BASE + 1 }],
    ["fixed address below mmap_min_addr", EPERM, { addr: MMAP_MIN_ADDR - P }],
    ["fixed range past TASK_SIZE (__get_unmapped_area: addr > TASK_SIZE - len)", ENOMEM, { addr: TASK_SIZE - P, length: 2 * P }],
    ["MAP_HUGETLB on a file mapping", EINVAL, { hugetlb: true, anonymous: false, file: true }],
    ["neither anonymous nor a file", EINVAL, { anonymous: false }],
  ] as const)("refuses %s with errno %i", (_d, errno, over) => {
    const { inst, k, p, mm } = setup();
    const file = "file" in over ? k.createFile("f", "ext4", P) : undefined;
    const req = { length: P, prot: RW, shared: false, anonymous: true, ...over, file };
    expect(doMmap(k, p, req)).toBe(-errno);
    expect(mm.vmas.length).toBe(0);
    expectConsistent(inst);
  });

  it("refuses an unaligned file offset, and a hugetlbfs offset that is not 2 MiB aligned", () => {
    const { k, p } = setup();
    const f = k.createFile("f", "ext4", 4 * P);
    const h = k.createFile("h", "hugetlbfs", 2 * HPAGE_PMD_SIZE);
    expect(doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, file: f, offset: 100 })).toBe(-EINVAL);
    expect(doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, file: h, offset: P })).toBe(-EINVAL);
    expect(doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, file: h, offset: HPAGE_PMD_SIZE })).toBeGreaterThan(0);
  });

  it("MAP_FIXED_NOREPLACE over an existing mapping is -EEXIST and changes nothing", () => {
    const { inst, k, p, mm } = setup();
    mapAt(k, p, BASE + 2 * P, 2);
    //          0 1 2 3 4 5
    // before: ..|ww|..
    expect(draw(mm, BASE, 6)).toBe("..|ww|..");
    expect(doMmap(k, p, { length: 2 * P, prot: VM_READ, shared: false, anonymous: true, addr: BASE + 3 * P })).toBe(-EEXIST);
    expect(doMmap(k, p, { length: 2 * P, prot: VM_READ, shared: false, anonymous: true, addr: BASE })).toBe(BASE);
    expect(draw(mm, BASE, 6)).toBe("|rr|ww|..");
    expectConsistent(inst);
  });

  it("merges a new mapping into a compatible neighbour (vma_merge_new_range), not otherwise", () => {
    const { inst, k, p, mm } = setup();
    mapAt(k, p, BASE, 2);
    mapAt(k, p, BASE + 4 * P, 2);
    expect(touchRange(k, p, BASE, P, true)).toBe(1);
    //                              012345
    expect(draw(mm, BASE, 6)).toBe("|ww|..|ww|");
    // Filling the hole with the same flags joins all three; its populate touches only its pages.
    expect(doMmap(k, p, { length: 2 * P, prot: RW, shared: false, anonymous: true, addr: BASE + 2 * P, populate: true })).toBe(BASE + 2 * P);
    expect(draw(mm, BASE, 6)).toBe("|wwwwww|");
    expect([0, 1, 2, 3, 4].map((i) => (mm.pageTable.bits(BASE / P + i) & PTE_PRESENT) !== 0)).toEqual([true, false, true, true, false]);
    // Different protection, a shared anonymous mapping (its own shmem file) or a file: no merge.
    mapAt(k, p, BASE + 6 * P, 1, VM_READ);
    expect(doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: true, addr: BASE + 7 * P })).toBe(BASE + 7 * P);
    expect(doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: true, addr: BASE + 8 * P })).toBe(BASE + 8 * P);
    expect(draw(mm, BASE, 9)).toBe("|wwwwww|r|w|w|");
    // Contiguous offsets of one file merge.
    const f = k.createFile("f", "ext4", 8 * P);
    expect(doMmap(k, p, { length: 2 * P, prot: RW, shared: true, anonymous: false, file: f, addr: BASE + 12 * P, offset: 2 * P })).toBe(BASE + 12 * P);
    expect(doMmap(k, p, { length: 2 * P, prot: RW, shared: true, anonymous: false, file: f, addr: BASE + 10 * P, offset: 0 })).toBe(BASE + 10 * P);
    expect(mm.findVma(BASE + 10 * P)).toMatchObject({ start: BASE + 10 * P, end: BASE + 14 * P, pgoff: 0 });
    expect(f.mappings.size).toBe(1);
    expectConsistent(inst);
  });

  it("rounds hugetlb lengths up to 2 MiB and aligns the placement", () => {
    const { inst, k, p, mm } = setup();
    const a = doMmap(k, p, { length: P, prot: RW, shared: false, anonymous: true, hugetlb: true });
    expect(a % HPAGE_PMD_SIZE).toBe(0);
    expect(mm.findVma(a)!.end - a).toBe(HPAGE_PMD_SIZE);
    expect(mm.findVma(a)!.flags & VM_HUGETLB).toBe(VM_HUGETLB);
    expect(touchRange(k, p, a + 7 * P, 1, true)).toBe(1);
    expect(mm.rss).toBe(HPAGE_PMD_NR);
    expectConsistent(inst);
  });

  it("MAP_POPULATE faults the whole range in one fault event (write faults for private writable mappings)", () => {
    const { inst, k, p } = setup();
    const n = k.events.count;
    const a = doMmap(k, p, { length: 8 * P, prot: RW, shared: false, anonymous: true, populate: true });
    const evs = k.events.events.slice(n);
    expect(evs.map((e) => e.type)).toEqual(["mmap", "fault"]);
    expect(evs[1]).toMatchObject({ type: "fault", pages: 8, write: true, source: "populate", counts: { anon: 8 } });
    expect(p.mm!.pageTable.pfn(a / P)).toBeGreaterThan(0);
    expectConsistent(inst);
  });

  it("MAP_POPULATE past EOF still maps the file (the kernel ignores populate errors) and populates up to EOF", () => {
    const { inst, k, p, mm } = setup();
    const f = k.createFile("f", "ext4", 2 * P);
    const a = doMmap(k, p, { length: 4 * P, prot: VM_READ, shared: true, anonymous: false, file: f, populate: true });
    expect(a).toBeGreaterThan(0);
    expect(mm.findVma(a)?.end).toBe(a + 4 * P);
    expect(mm.pageTable.bits(a / P + 1) & PTE_PRESENT).toBe(PTE_PRESENT);
    expect(mm.pageTable.bits(a / P + 2) & PTE_PRESENT).toBe(0);
    expectConsistent(inst);
  });

  it("a VM_PFNMAP mapping maps reserved device frames that fork copies and munmap leaves allocated", () => {
    const { inst, k, p, mm } = setup();
    const a = doMmap(k, p, { length: 2 * P, prot: RW, shared: true, anonymous: false, pfnmap: true });
    expect(mm.findVma(a)!.flags & (VM_IO | VM_PFNMAP)).toBe(VM_IO | VM_PFNMAP);
    const pfn = mm.pageTable.pfn(a / P);
    expect(pfn).toBeGreaterThan(0);
    expect(userWrite(k, p, a, Uint8Array.of(5))).toBe(0);
    const c = doFork(k, p, "c") as Process;
    expect(c.mm!.pageTable.pfn(a / P)).toBe(pfn);
    expect((userRead(k, c, a, 1) as Uint8Array)[0]).toBe(5);
    expect(doMunmap(k, p, a, 2 * P)).toBe(0);
    expect(k.memory.isAllocated(pfn)).toBe(true);
    expectConsistent(inst);
  });
});

describe("munmap", () => {
  it.each([
    // [from, pages] relative to BASE, over a 6-page mapping: expected picture afterwards
    [0, 6, "......"],
    [0, 2, "..|wwww|"],
    [4, 2, "|wwww|.."],
    [2, 2, "|ww|..|ww|"],
    [5, 3, "|wwwww|..."],
  ] as const)("unmapping %i+%i pages of |wwwwww| leaves %s", (from, pages, picture) => {
    const { inst, k, p, mm } = setup();
    mapAt(k, p, BASE, 6);
    expect(touchRange(k, p, BASE, 6 * P, true)).toBe(6);
    const n = k.events.count;
    expect(doMunmap(k, p, BASE + from * P, pages * P)).toBe(Math.min(pages, 6 - from));
    expect(draw(mm, BASE, 6 + (from + pages > 6 ? 2 : 0)).slice(0, picture.length)).toBe(picture);
    expect(k.events.events.slice(n).filter((e) => e.type === "munmap").length).toBe(1);
    expect(mm.rss).toBe(6 - Math.min(pages, 6 - from));
    expectConsistent(inst);
  });

  it("frees the pages it unmaps, and succeeds on a range with nothing mapped", () => {
    const { inst, k, p } = setup();
    mapAt(k, p, BASE, 4);
    touchRange(k, p, BASE, 4 * P, true);
    const pfn = p.mm!.pageTable.pfn(BASE / P);
    expect(doMunmap(k, p, BASE, 4 * P)).toBe(4);
    expect(k.memory.isAllocated(pfn)).toBe(false);
    expect(doMunmap(k, p, BASE, 4 * P)).toBe(0);
    expectConsistent(inst);
  });

  it.each([
    ["an unaligned address", BASE + 1, P],
    ["a zero length", BASE, 0],
    ["a negative length", BASE, -1],
    ["a range past TASK_SIZE", TASK_SIZE - P, 2 * P],
  ])("refuses %s with -EINVAL", (_d, addr, len) => {
    const { inst, k, p } = setup();
    mapAt(k, p, BASE, 2);
    expect(doMunmap(k, p, addr, len)).toBe(-EINVAL);
    expect(p.mm!.vmas.length).toBe(1);
    expectConsistent(inst);
  });

  it("refuses to split a hugetlb mapping off a 2 MiB boundary", () => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, { length: 2 * HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, hugetlb: true });
    expect(doMunmap(k, p, a + P, P)).toBe(-EINVAL);
    expect(doMunmap(k, p, a + HPAGE_PMD_SIZE, HPAGE_PMD_SIZE)).toBe(0);
    expect(p.mm!.findVma(a)?.end).toBe(a + HPAGE_PMD_SIZE);
    expectConsistent(inst);
  });
});
