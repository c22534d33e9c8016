/**
 * A process page table, kept compact: PTE tables of 512 entries (one per 2 MiB of address space,
 * like a real PMD's PTE page) created on first use, each a pair of typed arrays (frame number and
 * bits). About 5 bytes per entry; no object per page.
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
/** Part of a PMD-sized mapping of a large folio (`pmd_trans_huge` / hugetlb). */
export const PTE_HUGE = 1 << 4;
/** Special mapping with no struct-page semantics: the zero page, PFNMAP memory (`pte_special`). */
export const PTE_SPECIAL = 1 << 5;

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

/** One PTE table: 512 entries. */
export class PteTable {
  /** Frame numbers. */
  readonly pfn = new Uint32Array(PTRS_PER_PTE);
  /** PTE_* bits; 0 = none. */
  readonly bits = new Uint8Array(PTRS_PER_PTE);
  /** Number of present entries. */
  present = 0;
}

/**
 * The page table of one mm: virtual page number -> (pfn, bits). Models the pgd/p4d/pud/pmd/pte
 * walk with a map from PMD index to PTE table.
 */
export class PageTable {
  private readonly tables = new Map<number, PteTable>();
  /**
   * PUD indices (vpn / PUD_PAGES) whose entry points to a PMD table (`!pud_none()`). Set by the
   * first fault or PTE in that GiB (`pmd_alloc()` in `__handle_mm_fault()`, mm/memory.c, v6.12)
   * and kept when the PTEs go (v6.12 frees page tables only in `free_pgtables()`, at munmap and
   * exit), unlike {@link PteTable}s, which the model drops when empty.
   */
  private readonly puds = new Set<number>();

  /** Number of PTE tables allocated. */
  get nrTables(): number {
    return this.tables.size;
  }

  /** The PTE table covering `vpn`, or undefined when none was ever needed (`pte_offset_map()`, include/linux/mm.h, v6.12). */
  table(vpn: number): PteTable | undefined {
    return this.tables.get(Math.floor(vpn / PTRS_PER_PTE));
  }

  /** The PTE table covering `vpn`, allocating it if needed (`pte_alloc()`, include/linux/mm.h, v6.12). */
  tableAlloc(vpn: number): PteTable {
    const key = Math.floor(vpn / PTRS_PER_PTE);
    let t = this.tables.get(key);
    if (t === undefined) {
      t = new PteTable();
      this.tables.set(key, t);
      this.puds.add(Math.floor(key / PTRS_PER_PMD));
    }
    return t;
  }

  /** Populate the PUD entry covering `vpn` with a PMD table (`pud_alloc()` + `pmd_alloc()`, include/linux/mm.h, v6.12). */
  pmdAlloc(vpn: number): void {
    this.puds.add(Math.floor(vpn / PUD_PAGES));
  }

  /** True when the PUD entry covering `vpn` points to a PMD table (`!pud_none()`). */
  pudPresent(vpn: number): boolean {
    return this.puds.has(Math.floor(vpn / PUD_PAGES));
  }

  /**
   * `free_pgtables()` (mm/mmap.c, v6.12) after [startVpn, endVpn) was unmapped: free the PMD table of
   * every PUD overlapping it for which `inUse(first, end)` (any VMA left in that GiB) is false, as
   * `free_pmd_range()` does for a PUD lying wholly between the neighbouring VMAs (floor, ceiling).
   */
  freePgtables(startVpn: number, endVpn: number, inUse: (firstVpn: number, endVpn: number) => boolean): void {
    for (let pud = Math.floor(startVpn / PUD_PAGES); pud * PUD_PAGES < endVpn; pud++) {
      if (this.puds.has(pud) && !inUse(pud * PUD_PAGES, (pud + 1) * PUD_PAGES)) this.puds.delete(pud);
    }
  }

  /** Every PUD index with a PMD table, ascending. */
  pudKeys(): number[] {
    return [...this.puds].sort((a, b) => a - b);
  }

  /** The PTE bits at `vpn` (0 = none). */
  bits(vpn: number): number {
    const t = this.table(vpn);
    return t === undefined ? 0 : t.bits[vpn & PTE_INDEX_MASK];
  }

  /** The frame at `vpn`, or -1 when the PTE is not present. */
  pfn(vpn: number): number {
    const t = this.table(vpn);
    if (t === undefined) return -1;
    const i = vpn & PTE_INDEX_MASK;
    return (t.bits[i] & PTE_PRESENT) !== 0 ? t.pfn[i] : -1;
  }

  /** Install a present PTE (`set_pte_at()`, include/linux/pgtable.h, v6.12). */
  set(vpn: number, pfn: number, bits: number): void {
    const t = this.tableAlloc(vpn);
    const i = vpn & PTE_INDEX_MASK;
    if ((t.bits[i] & PTE_PRESENT) === 0) t.present++;
    t.pfn[i] = pfn;
    t.bits[i] = bits | PTE_PRESENT;
  }

  /** Change the bits of a present PTE: clear `clear`, then set `set`. */
  update(vpn: number, clear: number, set: number): void {
    const t = this.table(vpn);
    if (t === undefined) return;
    const i = vpn & PTE_INDEX_MASK;
    if ((t.bits[i] & PTE_PRESENT) === 0) return;
    t.bits[i] = (t.bits[i] & ~clear) | set | PTE_PRESENT;
  }

  /** Clear a PTE (`ptep_get_and_clear()`, include/linux/pgtable.h, v6.12). Returns the old bits. */
  clear(vpn: number): number {
    const key = Math.floor(vpn / PTRS_PER_PTE);
    const t = this.tables.get(key);
    if (t === undefined) return 0;
    const i = vpn & PTE_INDEX_MASK;
    const old = t.bits[i];
    if ((old & PTE_PRESENT) !== 0) {
      t.present--;
      if (t.present === 0) this.tables.delete(key);
    }
    t.bits[i] = 0;
    t.pfn[i] = 0;
    return old;
  }

  /** Visit every present PTE in [startVpn, endVpn) in address order. */
  forEachPresent(startVpn: number, endVpn: number, fn: (vpn: number, pfn: number, bits: number) => void): void {
    let vpn = startVpn;
    while (vpn < endVpn) {
      const key = Math.floor(vpn / PTRS_PER_PTE);
      const tableEnd = Math.min(endVpn, (key + 1) * PTRS_PER_PTE);
      const t = this.tables.get(key);
      if (t !== undefined) {
        for (let v = vpn; v < tableEnd; v++) {
          const i = v & PTE_INDEX_MASK;
          const b = t.bits[i];
          if ((b & PTE_PRESENT) !== 0) fn(v, t.pfn[i], b);
        }
      }
      vpn = tableEnd;
    }
  }

  /** Every PMD index that has a PTE table, in ascending order. */
  tableKeys(): number[] {
    return [...this.tables.keys()].sort((a, b) => a - b);
  }
}
