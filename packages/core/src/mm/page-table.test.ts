/**
 * The page table's PUD level (include/linux/pgtable.h, mm/memory.c, mm/mmap.c, v6.12): which GiBs
 * have a PMD table. Tables come with the first PTE or fault and stay when the PTEs go; only
 * `free_pgtables()` (munmap) takes them away, where no VMA is left in the GiB.
 */
import { describe, expect, it } from "vitest";
import { PageTable, PTE_YOUNG, PUD_PAGES } from "./page-table.js";

describe("PageTable PUD entries", () => {
  it("a PTE populates its GiB's PUD entry, and clearing the PTE keeps it", () => {
    const pt = new PageTable();
    expect(pt.pudPresent(10)).toBe(false);
    pt.set(10, 7, PTE_YOUNG);
    expect(pt.pudPresent(10)).toBe(true);
    expect(pt.pudPresent(PUD_PAGES - 1)).toBe(true);
    expect(pt.pudPresent(PUD_PAGES)).toBe(false);
    pt.clear(10);
    expect(pt.nrTables).toBe(0);
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
