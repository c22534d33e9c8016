/**
 * The page table's PUD level (include/linux/pgtable.h, mm/memory.c, mm/mmap.c, v6.12): which GiBs
 * have a PMD table. Tables come with the first PTE or fault and stay when the PTEs go; only
 * `free_pgtables()` (munmap) takes them away, where no VMA is left in the GiB.
 */
import { describe, expect, it } from "vitest";
import { PageTable, PTE_HUGE, PTE_PRESENT, PTE_WRITE, PTE_YOUNG, PUD_PAGES } from "./page-table.js";

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
