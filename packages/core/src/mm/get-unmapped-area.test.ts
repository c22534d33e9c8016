/**
 * Where mmap places a mapping (`__get_unmapped_area()`, `do_mmap()`, `mmap_region()`, v6.12):
 * MAP_FIXED, MAP_FIXED_NOREPLACE, hints, and the model's alignment. Pictures as in mmap.test.ts:
 * one character per page from BASE, `|` at VMA boundaries, `.` unmapped.
 */
import { describe, expect, it } from "vitest";
import { EEXIST, EINVAL, ENOMEM, EPERM } from "../errno.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "../gup/foll-flags.js";
import { HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent } from "../testing/kernel.js";
import { drawVmas, kernelWithProcess, mapAt } from "../testing/mm.js";
import { getUnmappedArea, roundHintToMin } from "./get-unmapped-area.js";
import { doMmap, type MmapRequest } from "./mmap.js";
import { MMAP_BASE, MMAP_MIN_ADDR, TASK_SIZE } from "./mm-types.js";
import { PTE_PRESENT } from "./page-table.js";
import { touchRange, userRead, userWrite } from "./user-access.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";

const RW = VM_READ | VM_WRITE;
const BASE = 0x1000_0000;
const P = PAGE_SIZE;
const setup = () => kernelWithProcess({ cfg: { machine: { memory: "32MiB" } } });
const anon = (over: Partial<MmapRequest>): MmapRequest => ({ length: 2 * P, prot: RW, shared: false, anonymous: true, ...over });

describe("MAP_FIXED and MAP_FIXED_NOREPLACE", () => {
  it.each([
    ["an address past TASK_SIZE - len", ENOMEM, { addr: TASK_SIZE - P }],
    ["an address far past TASK_SIZE, not even page aligned", ENOMEM, { addr: TASK_SIZE + 1 }],
    ["an address that is not page aligned", EINVAL, { addr: BASE + 1 }],
    ["an address below mmap_min_addr", EPERM, { addr: MMAP_MIN_ADDR - P }],
    ["address 0", EPERM, { addr: 0 }],
    ["a hugetlb address that is not 2 MiB aligned (prepare_hugepage_range)", EINVAL, { addr: BASE + P, hugetlb: true }],
  ] as const)("refuse %s the same way, before looking at what is mapped", (_d, errno, over) => {
    for (const placement of ["fixed", "noreplace"] as const) {
      const { inst, k, p, mm } = setup();
      expect(doMmap(k, p, anon({ ...over, placement }))).toBe(-errno);
      expect(mm.vmas.length).toBe(0);
      expectConsistent(inst);
    }
  });

  it("MAP_FIXED_NOREPLACE is the default for an address and gives EEXIST over anything mapped", () => {
    const { k, p, mm } = setup();
    mapAt(k, p, BASE + 2 * P, 2);
    expect(doMmap(k, p, anon({ addr: BASE + 3 * P }))).toBe(-EEXIST);
    expect(doMmap(k, p, anon({ addr: BASE + 3 * P, placement: "noreplace" }))).toBe(-EEXIST);
    expect(drawVmas(mm, BASE, 6)).toBe("..|ww|..");
  });

  it("MAP_FIXED unmaps what is there first: one munmap event, split neighbours, fresh zero pages", () => {
    const { inst, k, p, mm } = setup();
    mapAt(k, p, BASE, 6);
    expect(userWrite(k, p, BASE + 2 * P, new TextEncoder().encode("old"))).toBe(0);
    const n = k.events.count;
    expect(doMmap(k, p, anon({ addr: BASE + 2 * P, prot: VM_READ, placement: "fixed" }))).toBe(BASE + 2 * P);
    expect(k.events.events.slice(n).map((e) => e.type)).toEqual(["munmap", "mmap"]);
    expect(drawVmas(mm, BASE, 6)).toBe("|ww|rr|ww|");
    expect(mm.pageTable.bits(BASE / P + 2) & PTE_PRESENT).toBe(0);
    expect(userRead(k, p, BASE + 2 * P, 3)).toEqual(new Uint8Array(3));
    expectConsistent(inst);
  });

  it("MAP_FIXED over a pinned page leaves the pin holding the old frame, no longer mapped", () => {
    const { inst, k, p, mm, gup } = setup();
    mapAt(k, p, BASE, 2);
    const pages: number[] = [];
    expect(gup.pinUserPages(p, BASE, 1, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(1);
    const old = pages[0];
    expect(doMmap(k, p, anon({ addr: BASE, placement: "fixed" }))).toBe(BASE);
    expect(k.memory.isAllocated(old)).toBe(true);
    expect(k.frames.mapcount[old]).toBe(0);
    expect(touchRange(k, p, BASE, P, true)).toBe(1);
    expect(mm.pageTable.pfn(BASE / P)).not.toBe(old);
    gup.unpinUserPages(pages, 1);
    expect(k.memory.isAllocated(old)).toBe(false);
    expectConsistent(inst);
  });

  it("MAP_FIXED across a hugetlb mapping off a 2 MiB boundary fails as munmap does, and changes nothing", () => {
    const { inst, k, p, mm } = setup();
    const h = doMmap(k, p, anon({ length: 2 * HPAGE_PMD_SIZE, hugetlb: true }));
    expect(doMmap(k, p, anon({ addr: h + P, placement: "fixed" }))).toBe(-EINVAL);
    expect(mm.findVma(h)).toMatchObject({ start: h, end: h + 2 * HPAGE_PMD_SIZE });
    expect(doMmap(k, p, anon({ addr: h + HPAGE_PMD_SIZE, placement: "fixed" }))).toBe(-EINVAL); // its end is off a boundary too
    expect(doMmap(k, p, anon({ addr: h + HPAGE_PMD_SIZE, length: HPAGE_PMD_SIZE, placement: "fixed" }))).toBe(h + HPAGE_PMD_SIZE);
    expect(mm.findVma(h)?.end).toBe(h + HPAGE_PMD_SIZE);
    expectConsistent(inst);
  });
});

describe("hints", () => {
  it("round_hint_to_min rounds down to a page and up to mmap_min_addr", () => {
    expect(roundHintToMin(BASE + 5)).toBe(BASE);
    expect(roundHintToMin(P)).toBe(MMAP_MIN_ADDR);
    expect(roundHintToMin(100)).toBe(0);
  });

  it("uses a free hint (rounded down), searches top-down when it is taken or does not fit", () => {
    const { inst, k, p, mm } = setup();
    expect(doMmap(k, p, anon({ addr: BASE + 123, placement: "hint" }))).toBe(BASE);
    const taken = doMmap(k, p, anon({ addr: BASE + P, placement: "hint" }));
    expect(taken).toBe(MMAP_BASE - 2 * P);
    expect(doMmap(k, p, anon({ addr: TASK_SIZE - P, placement: "hint" }))).toBe(MMAP_BASE - 4 * P);
    expect(doMmap(k, p, anon({ addr: P, placement: "hint" }))).toBe(MMAP_MIN_ADDR);
    expect(mm.vmas.length).toBe(3); // the two top-down ones merged
    expectConsistent(inst);
  });

  it("aligns a hugetlb hint up to 2 MiB, and an aligned search to the alignment asked", () => {
    const { k, p, mm } = setup();
    expect(doMmap(k, p, anon({ addr: BASE + P, placement: "hint", hugetlb: true }))).toBe(BASE + HPAGE_PMD_SIZE);
    mapAt(k, p, MMAP_BASE - P, 1);
    const a = doMmap(k, p, anon({ align: HPAGE_PMD_SIZE }));
    expect(a % HPAGE_PMD_SIZE).toBe(0);
    expect(a).toBe(MMAP_BASE - HPAGE_PMD_SIZE);
    expect(getUnmappedArea(mm, { length: P, placement: "hint", hugetlb: false, align: 2 ** 42 })).toBe(2 ** 42);
    expect(getUnmappedArea(mm, { length: P, placement: "hint", hugetlb: false, align: 2 ** 43 })).toBe(-ENOMEM); // MMAP_BASE < 2^43
  });

  it("ENOMEM when no free range is long enough", () => {
    const { k, p, mm } = setup();
    expect(doMmap(k, p, anon({ length: MMAP_BASE }))).toBe(-ENOMEM);
    expect(mm.vmas.length).toBe(0);
  });
});

describe("THP alignment of chosen addresses (thp_get_unmapped_area_vmflags)", () => {
  const RW = VM_READ | VM_WRITE;
  it("puts a private anonymous mapping of whole 2 MiB on a 2 MiB boundary, below an unaligned one, and leaves other lengths and shared memory alone", () => {
    const { inst, k, p } = kernelWithProcess({ cfg: { machine: { memory: "16MiB" } } });
    const guard = doMmap(k, p, { length: PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(guard).toBe(MMAP_BASE - PAGE_SIZE);
    const big = doMmap(k, p, { length: 2 * HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true });
    expect(big % HPAGE_PMD_SIZE).toBe(0);
    expect(big + 2 * HPAGE_PMD_SIZE).toBeLessThanOrEqual(guard);
    const odd = doMmap(k, p, { length: HPAGE_PMD_SIZE + PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(odd + HPAGE_PMD_SIZE + PAGE_SIZE).toBe(big);
    const shm = doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: true, anonymous: true });
    expect(shm + HPAGE_PMD_SIZE).toBe(odd);
    expectConsistent(inst);
  });

  it("aligns an ext4 file mapping so its file offset lands on 2 MiB boundaries (thp_get_unmapped_area)", () => {
    const { k, p } = kernelWithProcess({ cfg: { machine: { memory: "16MiB" } } });
    doMmap(k, p, { length: PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    const file = k.createFile("f", "ext4", 4 * HPAGE_PMD_SIZE);
    const a = doMmap(k, p, { length: 3 * HPAGE_PMD_SIZE, prot: RW, shared: true, anonymous: false, file, offset: 64 * PAGE_SIZE });
    expect((a - 64 * PAGE_SIZE) % HPAGE_PMD_SIZE).toBe(0);
  });
});
