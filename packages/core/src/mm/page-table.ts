/**
 * A process page table, kept compact: one entry per PMD (2 MiB of address space) in use, either a
 * PTE table of 512 entries (a pair of typed arrays, frame number and bits: about 5 bytes per
 * entry, no object per page) or a PMD leaf mapping a 2 MiB folio whole (`pmd_trans_huge()`, a
 * hugetlb PMD entry).
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

/**
 * What one PMD entry points to: a PTE table of 512 entries, or (when {@link leafBits} is not 0) a
 * PMD leaf mapping the 2 MiB folio at {@link leafPfn} whole. A leaf keeps its (empty) PTE arrays:
 * they are the page table `pgtable_trans_huge_deposit()` set aside, which a split fills.
 */
export class PteTable {
  /** Frame numbers. */
  readonly pfn = new Uint32Array(PTRS_PER_PTE);
  /** PTE_* bits; 0 = none. */
  readonly bits = new Uint8Array(PTRS_PER_PTE);
  /** Number of present entries (1 for a PMD leaf). */
  present = 0;
  /** The PMD leaf's bits (PTE_PRESENT and PTE_HUGE set), or 0 when this is a PTE table. */
  leafBits = 0;
  /** The head frame a PMD leaf maps. */
  leafPfn = 0;
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

  /** The PTE table covering `vpn`, allocating it if needed (`pte_alloc()`, include/linux/mm.h, v6.12). Never a PMD leaf. */
  tableAlloc(vpn: number): PteTable {
    const key = Math.floor(vpn / PTRS_PER_PTE);
    let t = this.tables.get(key);
    if (t !== undefined && t.leafBits !== 0) throw new Error(`page table: a PTE at vpn ${vpn}, inside a PMD leaf`);
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
    // free_pte_range(): a PTE table no VMA reaches any more goes with its PMD entry.
    for (let key = Math.floor(startVpn / PTRS_PER_PTE); key * PTRS_PER_PTE < endVpn; key++) {
      const t = this.tables.get(key);
      if (t !== undefined && t.leafBits === 0 && !inUse(key * PTRS_PER_PTE, (key + 1) * PTRS_PER_PTE)) this.tables.delete(key);
    }
    for (let pud = Math.floor(startVpn / PUD_PAGES); pud * PUD_PAGES < endVpn; pud++) {
      if (this.puds.has(pud) && !inUse(pud * PUD_PAGES, (pud + 1) * PUD_PAGES)) this.puds.delete(pud);
    }
  }

  /** Every PUD index with a PMD table, ascending. */
  pudKeys(): number[] {
    return [...this.puds].sort((a, b) => a - b);
  }

  /** The bits of the entry mapping `vpn` (0 = none): its PTE's, or its PMD leaf's (with PTE_HUGE). */
  bits(vpn: number): number {
    const t = this.table(vpn);
    if (t === undefined) return 0;
    return t.leafBits !== 0 ? t.leafBits : t.bits[vpn & PTE_INDEX_MASK];
  }

  /** The frame mapped at `vpn` (within a PMD leaf, the matching subpage), or -1 when nothing is present. */
  pfn(vpn: number): number {
    const t = this.table(vpn);
    if (t === undefined) return -1;
    const i = vpn & PTE_INDEX_MASK;
    if (t.leafBits !== 0) return t.leafPfn + i;
    return (t.bits[i] & PTE_PRESENT) !== 0 ? t.pfn[i] : -1;
  }

  /** True when a PMD leaf maps `vpn` (`pmd_trans_huge()` / `pmd_leaf()`). */
  isLeaf(vpn: number): boolean {
    const t = this.table(vpn);
    return t !== undefined && t.leafBits !== 0;
  }

  /** True when the PMD entry covering `vpn` is empty: no PTE table, no leaf (`pmd_none()`). */
  pmdNone(vpn: number): boolean {
    return this.table(vpn) === undefined;
  }

  /**
   * Install a PMD leaf mapping the 2 MiB folio at `head` over the PMD covering `vpn`
   * (`set_pmd_at()`, include/linux/pgtable.h, v6.12); the PMD must be empty, a leaf already
   * (migration's `remove_migration_pmd()` replaces one) or a PTE table with nothing left in it
   * (collapse replaces it).
   */
  setPmd(vpn: number, head: number, bits: number): void {
    const key = Math.floor(vpn / PTRS_PER_PTE);
    let t = this.tables.get(key);
    // An emptied PTE table may become the leaf's deposit (collapse_huge_page(): pmdp_collapse_flush()).
    if (t !== undefined && t.leafBits === 0 && t.present !== 0) throw new Error(`page table: a PMD leaf at vpn ${vpn} over a PTE table`);
    if (t === undefined) {
      t = new PteTable();
      this.tables.set(key, t);
      this.puds.add(Math.floor(key / PTRS_PER_PMD));
    }
    t.present = 1;
    t.leafPfn = head;
    t.leafBits = bits | PTE_PRESENT | PTE_HUGE;
  }

  /**
   * Move the PMD entry covering `oldVpn` (a PTE table or a leaf) to the empty one covering `newVpn`
   * (`move_normal_pmd()`, `move_huge_pmd()`, mm/mremap.c and mm/huge_memory.c, v6.12). False, and
   * nothing moves, when there is nothing to move or the target PMD is not empty.
   */
  movePmd(oldVpn: number, newVpn: number): boolean {
    const from = Math.floor(oldVpn / PTRS_PER_PTE);
    const to = Math.floor(newVpn / PTRS_PER_PTE);
    const t = this.tables.get(from);
    if (t === undefined || this.tables.has(to)) return false;
    this.tables.delete(from);
    this.tables.set(to, t);
    this.puds.add(Math.floor(to / PTRS_PER_PMD));
    return true;
  }

  /** Change the bits of the PMD leaf covering `vpn`: clear `clear`, then set `set`. */
  updatePmd(vpn: number, clear: number, set: number): void {
    const t = this.table(vpn);
    if (t === undefined || t.leafBits === 0) return;
    t.leafBits = (t.leafBits & ~clear) | set | PTE_PRESENT | PTE_HUGE;
  }

  /** Clear the PMD leaf covering `vpn`, leaving the PMD empty (`pmdp_huge_get_and_clear()`, v6.12). Returns its old bits. */
  clearPmd(vpn: number): number {
    const key = Math.floor(vpn / PTRS_PER_PTE);
    const t = this.tables.get(key);
    if (t === undefined || t.leafBits === 0) return 0;
    const old = t.leafBits;
    this.tables.delete(key);
    return old;
  }

  /**
   * Turn the PMD leaf covering `vpn` into its deposited PTE table, every entry mapping the next
   * subpage with `pteBits` (`__split_huge_pmd_locked()`, mm/huge_memory.c, v6.12). Reference and
   * mapcount bookkeeping is the caller's. `zeroPfn` maps every entry to that frame instead (the
   * huge zero page's split, `__split_huge_zero_page_pmd()`).
   */
  splitPmd(vpn: number, pteBits: number, zeroPfn = -1): void {
    const t = this.table(vpn);
    if (t === undefined || t.leafBits === 0) return;
    for (let i = 0; i < PTRS_PER_PTE; i++) {
      t.pfn[i] = zeroPfn >= 0 ? zeroPfn : t.leafPfn + i;
      t.bits[i] = pteBits | PTE_PRESENT;
    }
    t.present = PTRS_PER_PTE;
    t.leafBits = 0;
    t.leafPfn = 0;
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
    if (t.leafBits !== 0) throw new Error(`page table: a PTE update at vpn ${vpn}, inside a PMD leaf`);
    const i = vpn & PTE_INDEX_MASK;
    if ((t.bits[i] & PTE_PRESENT) === 0) return;
    t.bits[i] = (t.bits[i] & ~clear) | set | PTE_PRESENT;
  }

  /**
   * Clear a PTE (`ptep_get_and_clear()`, include/linux/pgtable.h, v6.12). Returns the old bits. The
   * PTE table stays even when it empties: v6.12 has no PT_RECLAIM, so a table goes only in
   * {@link freePgtables} (munmap, exit), and a later fault there finds no empty PMD for a THP.
   */
  clear(vpn: number): number {
    const t = this.table(vpn);
    if (t === undefined) return 0;
    if (t.leafBits !== 0) throw new Error(`page table: a PTE clear at vpn ${vpn}, inside a PMD leaf`);
    const i = vpn & PTE_INDEX_MASK;
    const old = t.bits[i];
    if ((old & PTE_PRESENT) !== 0) t.present--;
    t.bits[i] = 0;
    t.pfn[i] = 0;
    return old;
  }

  /**
   * Visit every present entry reaching into [startVpn, endVpn) in address order: each PTE, and
   * each PMD leaf once, with the leaf's first page number (which may lie before `startVpn`), its
   * head frame and its bits (PTE_HUGE set). `fn` may split or clear the entry it is given.
   */
  forEachPresent(startVpn: number, endVpn: number, fn: (vpn: number, pfn: number, bits: number) => void): void {
    let vpn = startVpn;
    while (vpn < endVpn) {
      const key = Math.floor(vpn / PTRS_PER_PTE);
      const tableEnd = Math.min(endVpn, (key + 1) * PTRS_PER_PTE);
      const t = this.tables.get(key);
      if (t !== undefined && t.leafBits !== 0) {
        fn(key * PTRS_PER_PTE, t.leafPfn, t.leafBits);
      } else if (t !== undefined) {
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
