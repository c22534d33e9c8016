/**
 * mremap (mm/mremap.c SYSCALL_DEFINE5(mremap), mremap_to, move_vma, move_page_tables, vma_to_resize;
 * mm/vma.c copy_vma; v6.12). Address-space pictures as in mmap.test.ts: one character per page
 * from a base address, `|` between VMAs, `.` unmapped.
 */
import { describe, expect, it } from "vitest";
import { EFAULT, EINVAL, ENOMEM, EPERM } from "../errno.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "../gup/foll-flags.js";
import { migrateRange } from "../migrate/migrate.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent } from "../testing/kernel.js";
import { drawVmas, forkOrThrow, kernelWithProcess, mapAt, pteAt } from "../testing/mm.js";
import { doMadvise } from "./madvise.js";
import { doMmap } from "./mmap.js";
import { MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, sysMremap, type MremapOutcome, type MremapRequest } from "./mremap.js";
import { PTE_PRESENT, PTE_SWAP } from "./page-table.js";
import type { Process } from "./process.js";
import { rmapList } from "./rmap.js";
import { userRead, userWrite } from "./user-access.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";

const P = PAGE_SIZE;
const H = HPAGE_PMD_SIZE;
const RW = VM_READ | VM_WRITE;
const BASE = 0x1000_0000;
const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | number) => (typeof b === "number" ? `errno ${-b}` : new TextDecoder().decode(b));
const setup = (machine: Record<string, unknown> = {}) => kernelWithProcess({ cfg: { machine: { memory: "32MiB", ...machine } } });
type T = ReturnType<typeof setup>;

function mremap(t: T, addr: number, oldLength: number, newLength: number, flags = 0, newAddr?: number): MremapOutcome | number {
  const req: MremapRequest = { addr, oldLength, newLength, flags, ...(newAddr !== undefined ? { newAddr } : {}) };
  return sysMremap(t.k, t.p, req);
}

function moved(r: MremapOutcome | number): MremapOutcome {
  if (typeof r === "number") throw new Error(`mremap failed: ${r}`);
  return r;
}

function write(t: T, p: Process, addr: number, s: string): void {
  expect(userWrite(t.k, p, addr, enc(s))).toBe(0);
}

describe("mremap argument checks, in the kernel's order", () => {
  it.each([
    ["unknown flags", EINVAL, { flags: 8 | MREMAP_MAYMOVE }],
    ["MREMAP_FIXED without MREMAP_MAYMOVE", EINVAL, { flags: MREMAP_FIXED, newAddr: BASE + 64 * P }],
    ["MREMAP_DONTUNMAP without MREMAP_MAYMOVE", EINVAL, { flags: MREMAP_DONTUNMAP }],
    ["MREMAP_DONTUNMAP with a size change", EINVAL, { flags: MREMAP_DONTUNMAP | MREMAP_MAYMOVE, newLength: 8 * P }],
    ["an unaligned address", EINVAL, { addr: BASE + 1 }],
    ["a zero new length", EINVAL, { newLength: 0 }],
    ["no VMA at the address", EFAULT, { addr: BASE + 32 * P }],
    ["an old range past the VMA (growing)", EFAULT, { oldLength: 8 * P, newLength: 16 * P, flags: MREMAP_MAYMOVE }],
    ["a zero old length of a private mapping", EINVAL, { oldLength: 0, newLength: 4 * P, flags: MREMAP_MAYMOVE }],
    ["growing in place without MREMAP_MAYMOVE when the next page is taken", ENOMEM, { newLength: 5 * P }],
    ["MREMAP_FIXED to an unaligned new address", EINVAL, { flags: MREMAP_FIXED | MREMAP_MAYMOVE, newAddr: BASE + 64 * P + 1 }],
    ["MREMAP_FIXED onto a range overlapping the old one", EINVAL, { flags: MREMAP_FIXED | MREMAP_MAYMOVE, newAddr: BASE + 2 * P }],
    ["MREMAP_FIXED below mmap_min_addr (security_mmap_addr)", EPERM, { flags: MREMAP_FIXED | MREMAP_MAYMOVE, newAddr: P }],
  ] as const)("refuses %s with errno %i", (_d, errno, over) => {
    const t = setup();
    mapAt(t.k, t.p, BASE, 4);
    mapAt(t.k, t.p, BASE + 4 * P, 1, VM_READ);
    const o = { addr: BASE, oldLength: 4 * P, newLength: 4 * P, flags: 0, ...over } as MremapRequest;
    expect(sysMremap(t.k, t.p, o)).toBe(-errno);
    expect(drawVmas(t.mm, BASE, 6)).toBe("|wwww|r|.");
  });

  it("returns the address unchanged for the same length, and for a shrink unmaps the tail", () => {
    const t = setup();
    mapAt(t.k, t.p, BASE, 4);
    expect(moved(mremap(t, BASE, 4 * P, 4 * P))).toEqual({ addr: BASE, how: "same" });
    expect(moved(mremap(t, BASE, 4 * P, 3 * P + 1))).toEqual({ addr: BASE, how: "same" });
    expect(moved(mremap(t, BASE, 4 * P, P))).toEqual({ addr: BASE, how: "shrink" });
    expect(drawVmas(t.mm, BASE, 4)).toBe("|w|...");
    expectConsistent(t.inst);
  });
});

describe("growing", () => {
  it("grows in place when the space after the VMA is free, and merges with the VMA it then touches", () => {
    const t = setup();
    mapAt(t.k, t.p, BASE, 2);
    mapAt(t.k, t.p, BASE + 4 * P, 2);
    write(t, t.p, BASE, "kept");
    expect(moved(mremap(t, BASE, 2 * P, 4 * P))).toEqual({ addr: BASE, how: "expand" });
    expect(drawVmas(t.mm, BASE, 7)).toBe("|wwwwww|.");
    expect(text(userRead(t.k, t.p, BASE, 4))).toBe("kept");
    expectConsistent(t.inst);
  });

  it("moves with MREMAP_MAYMOVE when it cannot grow in place, the pages keeping their frames and the new tail empty", () => {
    const t = setup();
    mapAt(t.k, t.p, BASE, 2);
    mapAt(t.k, t.p, BASE + 2 * P, 1, VM_READ);
    write(t, t.p, BASE + P, "second");
    const frame = pteAt(t.p, BASE + P).pfn;
    const r = moved(mremap(t, BASE, 2 * P, 4 * P, MREMAP_MAYMOVE));
    expect(r.how).toBe("move");
    expect(r.moved).toEqual({ pages: 1, swapEntries: 0, pmdLeaves: 0, split: 0 });
    expect(pteAt(t.p, r.addr + P).pfn).toBe(frame);
    expect(pteAt(t.p, r.addr + 3 * P).bits).toBe(0);
    expect(userRead(t.k, t.p, BASE, 1)).toBe(-EFAULT);
    expect(text(userRead(t.k, t.p, r.addr + P, 6))).toBe("second");
    expect(t.mm.findVma(r.addr)!.pgoff).toBe(BASE / P);
    expect(rmapList(t.k, frame).map((m) => m.vpn)).toEqual([r.addr / P + 1]);
    expectConsistent(t.inst);
  });
});

describe("moving keeps frames, references, mapcounts and pins", () => {
  it("a long-term pinned page moves pinned, and the rmap walk (migration) finds the moved pages", () => {
    const t = setup();
    const a = mapAt(t.k, t.p, BASE, 2);
    write(t, t.p, a, "pin");
    write(t, t.p, a + P, "free");
    const pages: number[] = [];
    expect(t.gup.pinUserPages(t.p, a, 1, FOLL_WRITE | FOLL_LONGTERM, pages)).toBe(1);
    const ref = t.k.frames.refcount[pages[0]];
    const r = moved(mremap(t, a, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, BASE + 64 * P));
    expect(r.addr).toBe(BASE + 64 * P);
    expect(pteAt(t.p, r.addr).pfn).toBe(pages[0]);
    expect(t.k.frames.refcount[pages[0]]).toBe(ref);
    expect(t.k.frames.mapcount[pages[0]]).toBe(1);
    expect(migrateRange(t.k, t.p.pid, r.addr, 2 * P)).toEqual({ migrated: 1, failed: 1 });
    expect(text(userRead(t.k, t.p, r.addr + P, 4))).toBe("free");
    expectConsistent(t.inst);
    t.gup.unpinUserPages(pages, 1);
    expectConsistent(t.inst);
  });

  it("tells interval notifiers over the old range: MMU_NOTIFY_UNMAP from move_page_tables, then the munmap of the old VMA", () => {
    const t = setup();
    const a = mapAt(t.k, t.p, BASE, 2);
    write(t, t.p, a, "x");
    const seen: string[] = [];
    t.k.notifiers.insert(t.mm, a, 2 * P, { invalidate: (_s, r) => (seen.push(`${r.event} ${(r.start - a) / P}-${(r.end - a) / P}`), true) }, "test");
    moved(mremap(t, a, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, BASE + 64 * P));
    expect(seen).toEqual(["unmap 0-2", "unmap 0-2"]);
  });

  it("moves swap entries with their slots", () => {
    const t = setup({ swap: "1MiB" });
    const a = mapAt(t.k, t.p, BASE, 2);
    write(t, t.p, a, "swapped");
    expect(doMadvise(t.k, t.p, a, P, "pageout")).toBe(1);
    const r = moved(mremap(t, a, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, BASE + 64 * P));
    expect(r.moved).toEqual({ pages: 0, swapEntries: 1, pmdLeaves: 0, split: 0 });
    expect(pteAt(t.p, r.addr).bits & (PTE_SWAP | PTE_PRESENT)).toBe(PTE_SWAP);
    expect(text(userRead(t.k, t.p, r.addr, 7))).toBe("swapped");
    expectConsistent(t.inst);
  });

  it("a fork child's pages stay found after the parent moves its copy (one anon_vma, each VMA its own pgoff)", () => {
    const t = setup();
    const a = mapAt(t.k, t.p, BASE, 2);
    write(t, t.p, a, "shared");
    const c = forkOrThrow(t.k, t.p);
    const frame = pteAt(t.p, a).pfn;
    const r = moved(mremap(t, a, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, BASE + 64 * P));
    expect(rmapList(t.k, frame).map((m) => `${m.vma.mm.pid}@${m.vpn - BASE / P}`).sort()).toEqual([`${c.pid}@0`, `${t.p.pid}@64`].sort());
    write(t, t.p, r.addr, "parent");
    expect(text(userRead(t.k, c, a, 6))).toBe("shared");
    expectConsistent(t.inst);
  });
});

describe("PMD leaves", () => {
  function thp(t: T): number {
    const a = doMmap(t.k, t.p, { length: 2 * H, prot: RW, shared: false, anonymous: true, align: H });
    expect(doMadvise(t.k, t.p, a, 2 * H, "hugepage")).toBe(2 * HPAGE_PMD_NR);
    write(t, t.p, a + 5 * P, "huge");
    expect(t.mm.pageTable.isLeaf(a / P)).toBe(true);
    return a;
  }

  it("moves a THP whole by its PMD when both sides are PMD aligned (move_huge_pmd)", () => {
    const t = setup();
    const a = thp(t);
    const head = pteAt(t.p, a).pfn;
    const to = a + 64 * H;
    const r = moved(mremap(t, a, H, H, MREMAP_MAYMOVE | MREMAP_FIXED, to));
    expect(r.moved).toEqual({ pages: HPAGE_PMD_NR, swapEntries: 0, pmdLeaves: 1, split: 0 });
    expect(t.mm.pageTable.isLeaf(to / P)).toBe(true);
    expect(pteAt(t.p, to).pfn).toBe(head);
    expect(t.k.vmstat.thp_split_pmd).toBe(0);
    expect(text(userRead(t.k, t.p, to + 5 * P, 4))).toBe("huge");
    expectConsistent(t.inst);
  });

  it("splits it and moves the PTEs when the new address is not PMD aligned (split_huge_pmd)", () => {
    const t = setup();
    const a = thp(t);
    const head = pteAt(t.p, a).pfn;
    const to = a + 64 * H + P;
    const r = moved(mremap(t, a, H, H, MREMAP_MAYMOVE | MREMAP_FIXED, to));
    expect(r.moved).toEqual({ pages: HPAGE_PMD_NR, swapEntries: 0, pmdLeaves: 0, split: 1 });
    expect(t.mm.pageTable.isLeaf(to / P)).toBe(false);
    expect(pteAt(t.p, to + 5 * P).pfn).toBe(head + 5);
    expect(t.k.vmstat.thp_split_pmd).toBe(1);
    expect(text(userRead(t.k, t.p, to + 5 * P, 4))).toBe("huge");
    expectConsistent(t.inst);
  });

  it("hugetlb: moves 2 MiB entries, refuses growth and unaligned addresses", () => {
    const t = setup();
    const a = doMmap(t.k, t.p, { length: 2 * H, prot: RW, shared: false, anonymous: true, hugetlb: true });
    expect(a).toBeGreaterThan(0);
    write(t, t.p, a + H, "tlb");
    expect(mremap(t, a, 2 * H, 3 * H, MREMAP_MAYMOVE)).toBe(-EINVAL);
    expect(mremap(t, a + P, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, a + 64 * H)).toBe(-EINVAL);
    expect(mremap(t, a, 2 * H, 2 * H, MREMAP_MAYMOVE | MREMAP_FIXED, a + 64 * H + P)).toBe(-EINVAL);
    expect(mremap(t, a, 2 * H, 2 * H, MREMAP_MAYMOVE | MREMAP_DONTUNMAP)).toBe(-EINVAL); // VM_DONTEXPAND
    const r = moved(mremap(t, a, 2 * H, 2 * H, MREMAP_MAYMOVE | MREMAP_FIXED, a + 64 * H));
    expect(r.moved).toEqual({ pages: HPAGE_PMD_NR, swapEntries: 0, pmdLeaves: 1, split: 0 });
    expect(text(userRead(t.k, t.p, r.addr + H, 3))).toBe("tlb");
    expect(moved(mremap(t, r.addr, 2 * H, 1))).toEqual({ addr: r.addr, how: "shrink" });
    expect(t.mm.findVma(r.addr)!.end).toBe(r.addr + H);
    expectConsistent(t.inst);
  });
});

describe("MREMAP_DONTUNMAP", () => {
  it("moves the pages and leaves the old VMA mapped and empty: a fault there maps a new zero-filled page", () => {
    const t = setup();
    const a = mapAt(t.k, t.p, BASE, 2);
    write(t, t.p, a, "moved");
    const frame = pteAt(t.p, a).pfn;
    const r = moved(mremap(t, a, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP));
    expect(r.addr).not.toBe(a);
    expect(pteAt(t.p, r.addr).pfn).toBe(frame);
    expect(t.mm.findVma(a)?.anonVma).toBeNull();
    expect(text(userRead(t.k, t.p, a, 5))).toBe("\0\0\0\0\0");
    write(t, t.p, a, "fresh");
    expect(pteAt(t.p, a).pfn).not.toBe(frame);
    expect(text(userRead(t.k, t.p, r.addr, 5))).toBe("moved");
    expectConsistent(t.inst);
  });

  it("also moves shared and file mappings in v6.12 (only VM_PFNMAP / VM_DONTEXPAND are refused): the old range faults the same file page back", () => {
    const t = setup();
    const f = t.k.createFile("f", "shmem", 2 * P);
    const a = doMmap(t.k, t.p, { length: 2 * P, prot: RW, shared: true, anonymous: false, file: f });
    write(t, t.p, a, "file");
    const r = moved(mremap(t, a, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP));
    expect(pteAt(t.p, a).bits).toBe(0);
    expect(text(userRead(t.k, t.p, a, 4))).toBe("file");
    expect(pteAt(t.p, a).pfn).toBe(pteAt(t.p, r.addr).pfn);
    const d = doMmap(t.k, t.p, { length: P, prot: RW, shared: true, anonymous: false, pfnmap: true });
    expect(mremap(t, d, P, P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP)).toBe(-EINVAL);
    expect(mremap(t, d, P, 2 * P, MREMAP_MAYMOVE)).toBe(-EFAULT);
    expectConsistent(t.inst);
  });
});

describe("a zero old length duplicates a shared mapping", () => {
  it("maps the same file pages at a new address and keeps the old mapping", () => {
    const t = setup();
    const f = t.k.createFile("f", "shmem", 2 * P);
    const a = doMmap(t.k, t.p, { length: 2 * P, prot: RW, shared: true, anonymous: false, file: f });
    write(t, t.p, a, "dup");
    const r = moved(mremap(t, a, 0, 2 * P, MREMAP_MAYMOVE));
    expect(text(userRead(t.k, t.p, r.addr, 3))).toBe("dup");
    expect(text(userRead(t.k, t.p, a, 3))).toBe("dup");
    expectConsistent(t.inst);
  });
});
