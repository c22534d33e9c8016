/**
 * Per-VMA checks of the slow path (`check_vma_flags()`, mm/gup.c v6.12), FOLL_FORCE, and
 * partial success when a range runs into a VMA GUP refuses or into a hole.
 *
 *   p's address space (low to high), one letter per VMA, built by each test as needed:
 *     r  private anonymous, read-only          w  private anonymous, read-write
 *     n  private anonymous, PROT_NONE          s  MAP_SHARED read-only of an ext4 file
 *     d  MAP_SHARED of an FS-DAX file          h  MAP_HUGETLB (2 MiB)        x  VM_IO|VM_PFNMAP device memory
 */
import { describe, expect, it } from "vitest";
import { EFAULT, EOPNOTSUPP } from "../errno.js";
import type { Inode } from "../fs/inode.js";
import { PG_ANON, PG_ANON_EXCLUSIVE } from "../memory/page-flags.js";
import { doMmap } from "../mm/mmap.js";
import { touchRange, userRead } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { HPAGE_PMD_NR, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/index.js";
import { FOLL_ANON, FOLL_FORCE, FOLL_LONGTERM, FOLL_SPLIT_PMD, FOLL_WRITE } from "./foll-flags.js";

function setup() {
  const inst = testKernel({ machine: { memory: "32MiB", pmem: "2MiB" } });
  const k = inst.kernel;
  const p = k.spawn("p");
  const map = (pages: number, o: { prot?: number; shared?: boolean; file?: Inode; hugetlb?: boolean; pfnmap?: boolean; addr?: number } = {}) => {
    const a = doMmap(k, p, {
      length: pages * PAGE_SIZE, prot: o.prot ?? (VM_READ | VM_WRITE), shared: o.shared ?? false,
      anonymous: o.file === undefined && o.pfnmap !== true, file: o.file, hugetlb: o.hugetlb, pfnmap: o.pfnmap, addr: o.addr,
    });
    if (a < 0) throw new Error(`mmap: ${a}`);
    return a;
  };
  return { inst, k, gup: inst.gup, p, map };
}

describe("check_vma_flags", () => {
  it("refuses VM_IO | VM_PFNMAP mappings with EFAULT", () => {
    const { inst, gup, p, map } = setup();
    const x = map(2, { pfnmap: true });
    expect(gup.getUserPages(p, x, 1, 0, [])).toBe(-EFAULT);
    expect(gup.pinUserPagesFast(p, x, 1, 0, [])).toBe(-EFAULT);
    // Even a fault-in without pages: the VMA is refused before any page is looked at.
    expect(gup.getUserPages(p, x, 1, 0)).toBe(-EFAULT);
    expectConsistent(inst);
  });

  it("refuses FOLL_ANON on a file mapping with EFAULT", () => {
    const { inst, k, gup, p, map } = setup();
    const s = map(1, { prot: VM_READ, shared: true, file: k.createFile("data", "ext4", PAGE_SIZE) });
    expect(gup.getUserPages(p, s, 1, FOLL_ANON, [])).toBe(-EFAULT);
    const w = map(1);
    const pages: number[] = [];
    expect(gup.getUserPages(p, w, 1, FOLL_ANON, pages)).toBe(1);
    gup.putPages(pages, 1);
    expectConsistent(inst);
  });

  it("asks the policy about FOLL_LONGTERM (the test double refuses FS-DAX with EOPNOTSUPP)", () => {
    const { inst, k, gup, p, map } = setup();
    const d = map(1, { shared: true, file: k.createFile("pm", "fsdax", PAGE_SIZE) });
    expect(gup.pinUserPages(p, d, 1, FOLL_LONGTERM, [])).toBe(-EOPNOTSUPP);
    const pages: number[] = [];
    expect(gup.pinUserPages(p, d, 1, 0, pages)).toBe(1);
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("refuses FOLL_SPLIT_PMD on hugetlb with EOPNOTSUPP", () => {
    const { inst, gup, p, map } = setup();
    const h = map(HPAGE_PMD_NR, { hugetlb: true });
    expect(gup.getUserPages(p, h, 1, FOLL_SPLIT_PMD, [])).toBe(-EOPNOTSUPP);
    expectConsistent(inst);
  });

  it("needs VM_WRITE for FOLL_WRITE, unless FOLL_FORCE on a private COW mapping", () => {
    const { inst, gup, p, map } = setup();
    const r = map(1, { prot: VM_READ });
    expect(gup.getUserPages(p, r, 1, FOLL_WRITE, [])).toBe(-EFAULT);
    // ptrace-style poke: FOLL_FORCE breaks COW into a private anon page the PTE keeps read-only.
    const pages: number[] = [];
    expect(gup.getUserPages(p, r, 1, FOLL_WRITE | FOLL_FORCE, pages)).toBe(1);
    const fl = inst.kernel.frames.flags[pages[0]];
    expect(fl & (PG_ANON | PG_ANON_EXCLUSIVE)).toBe(PG_ANON | PG_ANON_EXCLUSIVE);
    gup.putPages(pages, 1);
    expectConsistent(inst);
  });

  it("refuses FOLL_FORCE writes to a shared read-only mapping and to hugetlb", () => {
    const { inst, k, gup, p, map } = setup();
    const s = map(1, { prot: VM_READ, shared: true, file: k.createFile("data", "ext4", PAGE_SIZE) });
    expect(gup.getUserPages(p, s, 1, FOLL_WRITE | FOLL_FORCE, [])).toBe(-EFAULT);
    const h = map(HPAGE_PMD_NR, { hugetlb: true, prot: VM_READ });
    expect(gup.getUserPages(p, h, 1, FOLL_WRITE | FOLL_FORCE, [])).toBe(-EFAULT);
    expectConsistent(inst);
  });

  it("needs VM_READ for a read, unless FOLL_FORCE", () => {
    const { inst, gup, p, map } = setup();
    const n = map(1, { prot: 0 });
    expect(gup.getUserPages(p, n, 1, 0, [])).toBe(-EFAULT);
    const pages: number[] = [];
    expect(gup.getUserPages(p, n, 1, FOLL_FORCE, pages)).toBe(1);
    // A read fault of never-written anonymous memory maps the shared zero page.
    expect(pages[0]).toBe(inst.kernel.memory.zeroPfn);
    gup.putPages(pages, 1);
    expectConsistent(inst);
  });
});

describe("partial success", () => {
  /** w w w (3 pages, read-write) directly followed by r (read-only) and then a hole. */
  function layout() {
    const s = setup();
    const base = 0x4000_0000;
    const w = s.map(3, { addr: base });
    const r = s.map(1, { prot: VM_READ, addr: base + 3 * PAGE_SIZE });
    touchRange(s.k, s.p, w, 3 * PAGE_SIZE, true);
    return { ...s, w, r };
  }

  it("returns the pages done before a VMA that refuses (the caller releases them)", () => {
    const { inst, gup, p, w } = layout();
    const pages: number[] = [];
    expect(gup.pinUserPages(p, w, 4, FOLL_WRITE, pages)).toBe(3);
    expect(pages).toHaveLength(3);
    gup.unpinUserPages(pages, 3);
    // Starting in the refusing VMA: the errno.
    expect(gup.pinUserPages(p, w + 3 * PAGE_SIZE, 1, FOLL_WRITE, [])).toBe(-EFAULT);
    expectConsistent(inst);
  });

  it("stops at a hole: partial count, or EFAULT when the hole is first", () => {
    const { inst, gup, p, w, r } = layout();
    const pages: number[] = [];
    expect(gup.getUserPages(p, w, 6, 0, pages)).toBe(4);
    gup.putPages(pages, 4);
    expect(gup.getUserPages(p, r + PAGE_SIZE, 1, 0, [])).toBe(-EFAULT);
    const fast: number[] = [];
    // GUP-fast takes the 4 present pages, the slow path fails on the hole: the partial count stands.
    expect(gup.pinUserPagesFast(p, w, 6, 0, fast)).toBe(4);
    gup.unpinUserPages(fast, 4);
    expectConsistent(inst);
  });

  it("faults pages in without a pages array and takes no references", () => {
    const { inst, gup, p, map } = setup();
    const a = map(8);
    expect(gup.getUserPages(p, a, 8, FOLL_WRITE)).toBe(8);
    expect(inst.kernel.vmstat.nr_gup_get_acquired).toBe(0);
    expect(userRead(inst.kernel, p, a, 1)).toEqual(new Uint8Array(1));
    expectConsistent(inst);
  });
});

