/**
 * The page table's PUD level (include/linux/pgtable.h, mm/memory.c, mm/mmap.c, v6.12): which GiBs
 * have a PMD table. Tables come with the first PTE or fault and stay when the PTEs go; only
 * `free_pgtables()` (munmap) takes them away, where no VMA is left in the GiB. A PUD leaf (a 1 GiB
 * hugetlb page, `set_huge_pte_at()` at PUD level) maps a whole GiB by one entry.
 */
import { describe, expect, it } from "vitest";
import { PageTable, PTE_DIRTY, PTE_HUGE, PTE_PRESENT, PTE_PUD, PTE_WRITE, PTE_YOUNG, PTRS_PER_PTE, PUD_PAGES } from "./page-table.js";

describe("PageTable PUD entries", () => {
  it("a PTE populates its GiB's PUD entry, and clearing the PTE keeps it", () => {
    const pt = new PageTable();
    expect(pt.pudPresent(10)).toBe(false);
    pt.set(10, 7, PTE_YOUNG);
    expect(pt.pudPresent(10)).toBe(true);
    expect(pt.pudPresent(PUD_PAGES - 1)).toBe(true);
    expect(pt.pudPresent(PUD_PAGES)).toBe(false);
    pt.clear(10);
    // v6.12 has no PT_RECLAIM: the emptied PTE table stays until free_pgtables().
    expect(pt.nrTables).toBe(1);
    expect(pt.pmdNone(10)).toBe(false);
    expect(pt.pudPresent(10)).toBe(true);
    expect(pt.pudKeys()).toEqual([0]);
  });

  it("pmdAlloc populates without a PTE (a fault that maps nothing still allocated the tables)", () => {
    const pt = new PageTable();
    pt.pmdAlloc(3 * PUD_PAGES + 5);
    expect(pt.pudKeys()).toEqual([3]);
    expect(pt.nrTables).toBe(0);
  });

  it("freePgtables frees only the GiBs with no VMA left, over the whole unmapped range", () => {
    const pt = new PageTable();
    pt.pmdAlloc(0);
    pt.pmdAlloc(PUD_PAGES);
    pt.pmdAlloc(2 * PUD_PAGES);
    // GiB 1 still has a VMA; GiBs 0 and 2 do not.
    pt.freePgtables(0, 3 * PUD_PAGES, (first) => first === PUD_PAGES);
    expect(pt.pudKeys()).toEqual([1]);
    pt.freePgtables(PUD_PAGES + 1, PUD_PAGES + 2, () => false);
    expect(pt.pudKeys()).toEqual([]);
  });
});

describe("PageTable PMD leaves", () => {
  it("a leaf maps 512 pages by one entry: each page reads its subpage, the bits carry PTE_HUGE", () => {
    const pt = new PageTable();
    pt.setPmd(512 + 7, 1024, PTE_YOUNG | PTE_WRITE);
    expect(pt.isLeaf(512)).toBe(true);
    expect(pt.isLeaf(1023)).toBe(true);
    expect(pt.isLeaf(511)).toBe(false);
    expect(pt.pfn(512)).toBe(1024);
    expect(pt.pfn(512 + 300)).toBe(1024 + 300);
    expect(pt.bits(600) & (PTE_HUGE | PTE_PRESENT | PTE_WRITE)).toBe(PTE_HUGE | PTE_PRESENT | PTE_WRITE);
    const seen: [number, number, number][] = [];
    pt.forEachPresent(600, 2000, (vpn, pfn, bits) => seen.push([vpn, pfn, bits & PTE_HUGE]));
    expect(seen).toEqual([[512, 1024, PTE_HUGE]]);
    expect(() => pt.set(600, 5, 0)).toThrow(/inside a PMD leaf/);
    expect(() => pt.update(600, PTE_WRITE, 0)).toThrow(/inside a PMD leaf/);
    expect(() => pt.clear(600)).toThrow(/inside a PMD leaf/);
  });

  it("a split fills the deposited table with 512 PTEs of the next subpages; clearing a leaf empties the PMD", () => {
    const pt = new PageTable();
    pt.setPmd(0, 2048, PTE_YOUNG);
    pt.splitPmd(0, PTE_YOUNG);
    expect(pt.isLeaf(0)).toBe(false);
    expect(pt.table(0)!.present).toBe(512);
    expect(pt.pfn(511)).toBe(2048 + 511);
    expect(pt.bits(511) & PTE_HUGE).toBe(0);
    pt.setPmd(512, 4096, PTE_YOUNG);
    expect(pt.clearPmd(512) & PTE_HUGE).toBe(PTE_HUGE);
    expect(pt.pmdNone(512)).toBe(true);
    expect(() => pt.setPmd(5, 4096, 0)).toThrow(/over a PTE table/);
  });

  it("freePgtables frees PTE tables no VMA reaches, and keeps those a VMA still does", () => {
    const pt = new PageTable();
    pt.set(3, 9, PTE_YOUNG);
    pt.clear(3);
    pt.set(512 + 3, 9, PTE_YOUNG);
    pt.clear(512 + 3);
    pt.freePgtables(0, 1024, (first) => first === 512);
    expect(pt.pmdNone(3)).toBe(true);
    expect(pt.pmdNone(512 + 3)).toBe(false);
  });
});

describe("PageTable: PUD leaves (1 GiB hugetlb)", () => {
  const G = 3 * PUD_PAGES; // the fourth GiB of address space

  it("maps a whole GiB with one entry that every page of it resolves to", () => {
    const pt = new PageTable();
    pt.setPud(G + 77, 1000, PTE_WRITE);
    expect(pt.isLeaf(G) && pt.isPudLeaf(G + PUD_PAGES - 1)).toBe(true);
    expect(pt.isPudLeaf(G + PUD_PAGES)).toBe(false);
    expect(pt.pfn(G)).toBe(1000);
    expect(pt.pfn(G + PUD_PAGES - 1)).toBe(1000 + PUD_PAGES - 1);
    expect(pt.bits(G + 5) & (PTE_PRESENT | PTE_HUGE | PTE_PUD | PTE_WRITE)).toBe(PTE_PRESENT | PTE_HUGE | PTE_PUD | PTE_WRITE);
    expect(pt.leafStart(G + 12345)).toBe(G);
    expect(pt.leafStart(5 * PTRS_PER_PTE + 3)).toBe(5 * PTRS_PER_PTE);
    expect(pt.pudPresent(G)).toBe(true);
    expect(pt.pudLeafKeys()).toEqual([3]);
    // No PMD table under a PUD leaf (huge_pte_alloc() stops at the PUD).
    expect(pt.pudKeys()).toEqual([]);
    expect(pt.nrTables).toBe(0);
  });

  it("is visited once by forEachPresent, from its first page, even when the range starts inside it", () => {
    const pt = new PageTable();
    pt.setPud(G, 1000, 0);
    pt.set(G + PUD_PAGES + 1, 7, 0);
    const seen: [number, number, boolean][] = [];
    pt.forEachPresent(G + 100, G + PUD_PAGES + 2, (vpn, pfn, bits) => seen.push([vpn, pfn, (bits & PTE_PUD) !== 0]));
    expect(seen).toEqual([[G, 1000, true], [G + PUD_PAGES + 1, 7, false]]);
  });

  it("keeps its level through updatePmd and goes whole with clearPmd", () => {
    const pt = new PageTable();
    pt.setPud(G, 1000, PTE_WRITE);
    pt.updatePmd(G + 9, PTE_WRITE, PTE_DIRTY);
    expect(pt.bits(G) & (PTE_PUD | PTE_WRITE | PTE_DIRTY)).toBe(PTE_PUD | PTE_DIRTY);
    expect(pt.clearPmd(G + 9) & PTE_PUD).toBe(PTE_PUD);
    expect(pt.isLeaf(G)).toBe(false);
    expect(pt.pfn(G)).toBe(-1);
  });

  it("refuses a PTE, a PMD leaf or a split inside it, and a PUD leaf over a PMD table", () => {
    const pt = new PageTable();
    pt.setPud(G, 1000, 0);
    expect(() => pt.set(G + 1, 5, 0)).toThrow(/inside a PUD leaf/);
    expect(() => pt.setPmd(G + PTRS_PER_PTE, 5, 0)).toThrow(/inside a PUD leaf/);
    expect(() => pt.splitPmd(G, 0)).toThrow(/hugetlb never splits/);
    pt.set(2 * PUD_PAGES, 5, 0);
    expect(() => pt.setPud(2 * PUD_PAGES, 1000, 0)).toThrow(/over a PMD table/);
  });
});
