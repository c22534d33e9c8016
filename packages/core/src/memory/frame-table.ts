import { PG_HEAD, PG_TAIL } from "./page-flags.js";

/**
 * The frame table: one row per physical 4 KiB frame, stored as struct-of-arrays in typed arrays
 * (the model's `struct page` / `struct folio` array, `mem_map`). About 29 bytes per frame; the
 * arrays are zero-filled lazily by the OS, so untouched frames cost no resident memory. The
 * columns only large folios use ({@link entireMapcount}, {@link pincount}) are sparse in that
 * sense: they are written only where a value is not zero ({@link clearColumn}), so a machine of
 * order-0 pages never makes them resident.
 *
 * Folio rules follow the kernel: a large folio's refcount and `_pincount` live on its head
 * frame; `mapcount` is kept per subpage; `order` is written on every frame of the folio.
 */
export class FrameTable {
  /** Number of frames. */
  readonly nrFrames: number;
  /** Reference count (`folio->_refcount`), meaningful on a folio's head. */
  readonly refcount: Int32Array;
  /** Number of PTE mappings of this (sub)page (`page->_mapcount + 1`); a PMD mapping counts in {@link entireMapcount} instead. */
  readonly mapcount: Int32Array;
  /**
   * PMD-level mappings of a large folio (`folio->_entire_mapcount + 1`, include/linux/mm_types.h,
   * v6.12), meaningful on its head: one per PMD that maps a THP whole, one per mapping of a hugetlb
   * folio (hugetlb is always mapped whole, `hugetlb_add_file_rmap()`).
   */
  readonly entireMapcount: Int32Array;
  /** Page flags, see `page-flags.ts`. */
  readonly flags: Uint32Array;
  /** Owner: an inode id for file pages, an anon_vma id for anonymous pages, 0 for none. */
  readonly mapping: Uint32Array;
  /** Page offset in the file, or the virtual page number for anonymous pages. */
  readonly index: Uint32Array;
  /** Folio order, written on every frame of the folio (0 for a small folio). */
  readonly order: Uint8Array;
  /** `folio->_pincount`, used on the head of a large folio by policies that keep it. */
  readonly pincount: Int32Array;

  /** Allocate a table for `nrFrames` frames. */
  constructor(nrFrames: number) {
    this.nrFrames = nrFrames;
    this.refcount = new Int32Array(nrFrames);
    this.mapcount = new Int32Array(nrFrames);
    this.entireMapcount = new Int32Array(nrFrames);
    this.flags = new Uint32Array(nrFrames);
    this.mapping = new Uint32Array(nrFrames);
    this.index = new Uint32Array(nrFrames);
    this.order = new Uint8Array(nrFrames);
    this.pincount = new Int32Array(nrFrames);
  }

  /** Bytes of typed-array storage per frame. */
  static readonly BYTES_PER_FRAME = 4 + 4 + 4 + 4 + 4 + 4 + 1 + 4;

  /** Forget everything about frames [pfn, pfn + nr): they are free (or back in a hugetlb pool) with `flags`. */
  resetRange(pfn: number, nr: number, flags = 0): void {
    const end = pfn + nr;
    this.refcount.fill(0, pfn, end);
    this.mapcount.fill(0, pfn, end);
    this.flags.fill(flags, pfn, end);
    this.mapping.fill(0, pfn, end);
    this.index.fill(0, pfn, end);
    this.order.fill(0, pfn, end);
    clearColumn(this.entireMapcount, pfn, end);
    clearColumn(this.pincount, pfn, end);
  }

  /** The head frame of the folio containing `pfn` (`page_folio()`, include/linux/page-flags.h, v6.12). */
  head(pfn: number): number {
    if ((this.flags[pfn] & PG_TAIL) === 0) return pfn;
    const nr = 1 << this.order[pfn];
    return pfn - (pfn & (nr - 1));
  }

  /** Number of base pages in the folio whose head is `head` (`folio_nr_pages()`, include/linux/mm.h, v6.12). */
  nrPages(head: number): number {
    return 1 << this.order[head];
  }

  /** True when `pfn` belongs to a large folio (order > 0). */
  isLarge(pfn: number): boolean {
    return (this.flags[pfn] & (PG_HEAD | PG_TAIL)) !== 0;
  }

  /** True when `pfn` is a valid frame number. */
  valid(pfn: number): boolean {
    return Number.isInteger(pfn) && pfn >= 0 && pfn < this.nrFrames;
  }

  /**
   * Mappings of a folio (`folio_mapcount()`, include/linux/mm.h, v6.12: `_large_mapcount + 1` for a
   * large folio): every PTE mapping one of its pages plus every PMD mapping it whole.
   */
  folioMapcount(head: number): number {
    const nr = this.nrPages(head);
    let sum = this.entireMapcount[head];
    for (let i = 0; i < nr; i++) sum += this.mapcount[head + i];
    return sum;
  }

  /**
   * The mappings of one page as /proc/kpagecount reports them (`folio_precise_page_mapcount()`,
   * fs/proc/internal.h, v6.12): its own PTE mappings plus its folio's PMD mappings.
   */
  pageMapcount(pfn: number): number {
    return this.mapcount[pfn] + ((this.flags[pfn] & (PG_HEAD | PG_TAIL)) !== 0 ? this.entireMapcount[this.head(pfn)] : 0);
  }
}

/**
 * Zero `col[from, to)` writing only the elements that are not zero already: a column only some
 * frames use stays untouched (not resident) wherever it was zero.
 */
export function clearColumn(col: Int32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) if (col[i] !== 0) col[i] = 0;
}
