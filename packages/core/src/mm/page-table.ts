/**
 * A process page table, kept compact: per PMD in use a PTE table of 512 entries (typed arrays, no
 * object per page) or a PMD leaf (`pmd_trans_huge()`, a hugetlb PMD); per GiB maybe a PUD leaf.
 * @module
 */

export * from "./pte-table.js";
import { PTE_HUGE, PTE_INDEX_MASK, PTE_PRESENT, PTE_PUD, PTRS_PER_PMD, PTRS_PER_PTE, PUD_INDEX_MASK, PUD_PAGES, PteTable } from "./pte-table.js";

/**
 * The page table of one mm: virtual page number -> (pfn, bits). Models the pgd/p4d/pud/pmd/pte
 * walk with a map from PMD index to PTE table, and a map from PUD index to PUD leaf (a 1 GiB
 * hugetlb folio mapped whole: `set_huge_pte_at()` at PUD level, arch/x86/include/asm/hugetlb.h,
 * v6.12), which {@link table} answers for every page of its GiB.
 */
export class PageTable {
  private readonly tables = new Map<number, PteTable>();
  /**
   * PUD indices whose entry points to a PMD table (`!pud_none()`), set by `pmd_alloc()` and kept
   * until `free_pgtables()` (v6.12), unlike {@link PteTable}s, which the model drops when empty.
   */
  private readonly puds = new Set<number>();
  /** PUD index -> the PUD leaf there (`pud_leaf()`): a GiB mapped by one entry, with no PMD table under it. */
  private readonly pudLeaves = new Map<number, PteTable>();

  /** Number of PTE tables allocated. */
  get nrTables(): number {
    return this.tables.size;
  }

  /** The PTE table covering `vpn`, or undefined when none was ever needed (`pte_offset_map()`, include/linux/mm.h, v6.12). */
  table(vpn: number): PteTable | undefined {
    if (this.pudLeaves.size !== 0) {
      const leaf = this.pudLeaves.get(Math.floor(vpn / PUD_PAGES));
      if (leaf !== undefined) return leaf;
    }
    return this.tables.get(Math.floor(vpn / PTRS_PER_PTE));
  }

  /** The PTE table covering `vpn`, allocating it if needed (`pte_alloc()`, include/linux/mm.h, v6.12). Never a PMD leaf. */
  tableAlloc(vpn: number): PteTable {
    const key = Math.floor(vpn / PTRS_PER_PTE);
    let t = this.tables.get(key);
    if (t !== undefined && t.leafBits !== 0) throw new Error(`page table: a PTE at vpn ${vpn}, inside a PMD leaf`);
    if (this.pudLeaves.has(Math.floor(key / PTRS_PER_PMD))) throw new Error(`page table: a PTE at vpn ${vpn}, inside a PUD leaf`);
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

  /** True when the PUD entry covering `vpn` is not empty (`!pud_none()`): it points to a PMD table, or is a PUD leaf. */
  pudPresent(vpn: number): boolean {
    const pud = Math.floor(vpn / PUD_PAGES);
    return this.puds.has(pud) || this.pudLeaves.has(pud);
  }

  /** True when a PUD leaf maps `vpn` (`pud_leaf()`, arch/x86/include/asm/pgtable.h, v6.12). */
  isPudLeaf(vpn: number): boolean {
    return this.pudLeaves.size !== 0 && this.pudLeaves.has(Math.floor(vpn / PUD_PAGES));
  }

  /** The first page number of the leaf (PUD or PMD) or PTE table covering `vpn`. */
  leafStart(vpn: number): number {
    return this.isPudLeaf(vpn) ? vpn - (vpn & PUD_INDEX_MASK) : vpn - (vpn & PTE_INDEX_MASK);
  }

  /**
   * Install a PUD leaf mapping the 1 GiB folio at `head` over the GiB covering `vpn` (`set_huge_pte_at()`
   * on a PUD, v6.12). No PMD table is ever made there (`huge_pte_alloc()` stops at the PUD).
   */
  setPud(vpn: number, head: number, bits: number): void {
    const pud = Math.floor(vpn / PUD_PAGES);
    if (this.puds.has(pud)) throw new Error(`page table: a PUD leaf at vpn ${vpn} over a PMD table`);
    let t = this.pudLeaves.get(pud);
    if (t === undefined) {
      t = new PteTable();
      this.pudLeaves.set(pud, t);
    }
    t.present = 1;
    t.leafPfn = head;
    t.leafBits = bits | PTE_PRESENT | PTE_HUGE | PTE_PUD;
  }

  /** Every PUD index holding a PUD leaf, ascending. */
  pudLeafKeys(): number[] {
    return [...this.pudLeaves.keys()].sort((a, b) => a - b);
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

  /** The frame mapped at `vpn` (within a PMD or PUD leaf, the matching subpage), or -1 when nothing is present. */
  pfn(vpn: number): number {
    const t = this.table(vpn);
    if (t === undefined) return -1;
    const i = vpn & PTE_INDEX_MASK;
    if (t.leafBits !== 0) return t.leafPfn + ((t.leafBits & PTE_PUD) !== 0 ? vpn & PUD_INDEX_MASK : i);
    return (t.bits[i] & PTE_PRESENT) !== 0 ? t.pfn[i] : -1;
  }

  /** True when a PMD leaf (`pmd_trans_huge()` / `pmd_leaf()`) or a PUD leaf maps `vpn`. */
  isLeaf(vpn: number): boolean {
    const t = this.table(vpn);
    return t !== undefined && t.leafBits !== 0;
  }

  /** True when the PMD entry covering `vpn` is empty: no PTE table, no leaf (`pmd_none()`). */
  pmdNone(vpn: number): boolean {
    return this.table(vpn) === undefined;
  }

  /**
   * Install a PMD leaf mapping the 2 MiB folio at `head` (`set_pmd_at()`, v6.12) over an empty PMD,
   * a leaf (`remove_migration_pmd()`) or an emptied PTE table (collapse).
   */
  setPmd(vpn: number, head: number, bits: number): void {
    const key = Math.floor(vpn / PTRS_PER_PTE);
    let t = this.tables.get(key);
    // An emptied PTE table may become the leaf's deposit (collapse_huge_page(): pmdp_collapse_flush()).
    if (t !== undefined && t.leafBits === 0 && t.present !== 0) throw new Error(`page table: a PMD leaf at vpn ${vpn} over a PTE table`);
    if (this.isPudLeaf(vpn)) throw new Error(`page table: a PMD leaf at vpn ${vpn}, inside a PUD leaf`);
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
   * Move the PMD entry covering `oldVpn` (table or leaf; a PUD leaf moves whole) to the empty one at
   * `newVpn` (`move_normal_pmd()`, `move_huge_pmd()`, `move_huge_pte()`, v6.12). False when nothing moved.
   */
  movePmd(oldVpn: number, newVpn: number): boolean {
    const leaf = this.pudLeaves.get(Math.floor(oldVpn / PUD_PAGES));
    if (leaf !== undefined) {
      if (this.pudPresent(newVpn)) return false;
      this.pudLeaves.delete(Math.floor(oldVpn / PUD_PAGES));
      this.pudLeaves.set(Math.floor(newVpn / PUD_PAGES), leaf);
      return true;
    }
    const from = Math.floor(oldVpn / PTRS_PER_PTE);
    const to = Math.floor(newVpn / PTRS_PER_PTE);
    const t = this.tables.get(from);
    if (t === undefined || this.tables.has(to)) return false;
    this.tables.delete(from);
    this.tables.set(to, t);
    this.puds.add(Math.floor(to / PTRS_PER_PMD));
    return true;
  }

  /** Change the bits of the PMD or PUD leaf covering `vpn`: clear `clear`, then set `set` (the level stays). */
  updatePmd(vpn: number, clear: number, set: number): void {
    const t = this.table(vpn);
    if (t === undefined || t.leafBits === 0) return;
    t.leafBits = (t.leafBits & ~clear) | set | PTE_PRESENT | PTE_HUGE | (t.leafBits & PTE_PUD);
  }

  /** Clear the PMD or PUD leaf covering `vpn` (`pmdp_huge_get_and_clear()`, `huge_ptep_get_and_clear()`, v6.12); its old bits. */
  clearPmd(vpn: number): number {
    const pud = Math.floor(vpn / PUD_PAGES);
    const leaf = this.pudLeaves.size !== 0 ? this.pudLeaves.get(pud) : undefined;
    if (leaf !== undefined) {
      this.pudLeaves.delete(pud);
      return leaf.leafBits;
    }
    const key = Math.floor(vpn / PTRS_PER_PTE);
    const t = this.tables.get(key);
    if (t === undefined || t.leafBits === 0) return 0;
    const old = t.leafBits;
    this.tables.delete(key);
    return old;
  }

  /**
   * Turn the PMD leaf at `vpn` into its deposited PTE table, entry i mapping subpage i with `pteBits`
   * (`__split_huge_pmd_locked()`, v6.12), or every entry `zeroPfn` (`__split_huge_zero_page_pmd()`).
   */
  splitPmd(vpn: number, pteBits: number, zeroPfn = -1): void {
    const t = this.table(vpn);
    if (t === undefined || t.leafBits === 0) return;
    if ((t.leafBits & PTE_PUD) !== 0) throw new Error(`page table: a split of the PUD leaf at vpn ${vpn} (hugetlb never splits)`);
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
   * Clear a PTE (`ptep_get_and_clear()`, v6.12); the old bits. An emptied table stays until
   * {@link freePgtables} (no PT_RECLAIM in v6.12), so a later fault there finds no empty PMD for a THP.
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
   * each PMD or PUD leaf once, with the leaf's first page number (which may lie before
   * `startVpn`), its head frame and its bits (PTE_HUGE set; PTE_PUD too for a PUD leaf). `fn` may
   * split or clear the entry it is given.
   */
  forEachPresent(startVpn: number, endVpn: number, fn: (vpn: number, pfn: number, bits: number) => void): void {
    let vpn = startVpn;
    while (vpn < endVpn) {
      if (this.pudLeaves.size !== 0) {
        const pud = Math.floor(vpn / PUD_PAGES);
        const leaf = this.pudLeaves.get(pud);
        if (leaf !== undefined) {
          fn(pud * PUD_PAGES, leaf.leafPfn, leaf.leafBits);
          vpn = Math.min(endVpn, (pud + 1) * PUD_PAGES);
          continue;
        }
      }
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
