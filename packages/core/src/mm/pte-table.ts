/**
 * The entries of a page table: the PTE bits, the table sizes, and {@link PteTable}, what one PMD
 * entry (or one PUD leaf) holds. page-table.ts re-exports all of it.
 * @module
 */

/** PTE present (`pte_present`). */
export const PTE_PRESENT = 1 << 0;
/** PTE writable (`pte_write`). */
export const PTE_WRITE = 1 << 1;
/** PTE dirty (`pte_dirty`). */
export const PTE_DIRTY = 1 << 2;
/** PTE young / accessed (`pte_young`). */
export const PTE_YOUNG = 1 << 3;
/**
 * A PMD leaf (`pmd_trans_huge()` / `pmd_leaf()`, a hugetlb PMD entry): a 2 MiB folio mapped whole
 * by one entry. Only the bits the page table reports for a leaf carry it; a PTE never does.
 */
export const PTE_HUGE = 1 << 4;
/** Special mapping with no struct-page semantics: the zero page, PFNMAP memory (`pte_special`). */
export const PTE_SPECIAL = 1 << 5;
/**
 * A swap entry (`is_swap_pte()`: neither present nor none, include/linux/swapops.h, v6.12): the
 * entry's pfn column holds the swap offset, never a frame. See mm/swapops.ts.
 */
export const PTE_SWAP = 1 << 6;
/** `pte_swp_exclusive()` (include/linux/pgtable.h, v6.12): the swapped-out page was anon-exclusive; only on a {@link PTE_SWAP} entry. */
export const PTE_SWP_EXCLUSIVE = 1 << 7;
/**
 * A PUD leaf (`pud_leaf()`, arch/x86/include/asm/pgtable.h, v6.12: `_PAGE_PSE` in a PUD entry): a
 * 1 GiB hugetlb folio mapped whole by one entry. Carried (with {@link PTE_HUGE}) only by a leaf's
 * bits, which are a number: the PTE bit arrays are 8 bits wide and never hold it.
 */
export const PTE_PUD = 1 << 8;

/** Entries per PTE table (PTRS_PER_PTE). */
export const PTRS_PER_PTE = 512;

/** Entries per PMD table (PTRS_PER_PMD): PTE tables under one PUD entry. */
export const PTRS_PER_PMD = 512;

/** Pages under one PUD entry (PUD_SIZE / PAGE_SIZE: 1 GiB of address space). */
export const PUD_PAGES = PTRS_PER_PTE * PTRS_PER_PMD;

/**
 * `vpn & PTE_INDEX_MASK` is `vpn % PTRS_PER_PTE` for any page number: user page numbers reach
 * 2^32 (TASK_SIZE / PAGE_SIZE), past V8's small integers, where `%` is a floating-point
 * remainder call and `&` stays a truncation (low bits are kept exactly).
 */
export const PTE_INDEX_MASK = PTRS_PER_PTE - 1;

/** `vpn & PUD_INDEX_MASK` is `vpn % PUD_PAGES`: the page's index inside its GiB (see {@link PTE_INDEX_MASK}). */
export const PUD_INDEX_MASK = PUD_PAGES - 1;

/** Pages a leaf with these bits maps: {@link PUD_PAGES} for a PUD leaf, else {@link PTRS_PER_PTE} (a PMD leaf). */
export function leafPages(bits: number): number {
  return (bits & PTE_PUD) !== 0 ? PUD_PAGES : PTRS_PER_PTE;
}

/**
 * What one PMD entry points to: a PTE table of 512 entries, or (when {@link leafBits} is not 0) a
 * PMD leaf mapping the 2 MiB folio at {@link leafPfn} whole. A leaf keeps its (empty) PTE arrays:
 * they are the page table `pgtable_trans_huge_deposit()` set aside, which a split fills. A PUD
 * leaf (1 GiB hugetlb, {@link PTE_PUD} in its bits) is one of these too, standing for the PUD
 * entry; its arrays stay empty (hugetlb never splits).
 */
export class PteTable {
  /** Frame numbers. */
  readonly pfn: Uint32Array;
  /** PTE_* bits; 0 = none. */
  readonly bits: Uint8Array;
  /** Number of present entries (1 for a PMD leaf). */
  present = 0;
  /** The leaf's bits (PTE_PRESENT and PTE_HUGE set, and PTE_PUD for a PUD leaf), or 0 when this is a PTE table. */
  leafBits = 0;
  /** The head frame a PMD or PUD leaf maps. */
  leafPfn = 0;

  /** An empty table: both columns in one buffer of 5 bytes per entry (one allocation, not two). */
  constructor() {
    const buf = new ArrayBuffer(PTRS_PER_PTE * 5);
    this.pfn = new Uint32Array(buf, 0, PTRS_PER_PTE);
    this.bits = new Uint8Array(buf, PTRS_PER_PTE * 4, PTRS_PER_PTE);
  }
}
