import { PG_HEAD, PG_TAIL } from "./page-flags.js";

/**
 * The frame table: one row per physical 4 KiB frame, stored as struct-of-arrays in typed arrays
 * (the model's `struct page` / `struct folio` array, `mem_map`). About 25 bytes per frame; the
 * arrays are zero-filled lazily by the OS, so untouched frames cost no resident memory.
 *
 * Folio rules follow the kernel: a large folio's refcount and `_pincount` live on its head
 * frame; `mapcount` is kept per subpage; `order` is written on every frame of the folio.
 */
export class FrameTable {
  /** Number of frames. */
  readonly nrFrames: number;
  /** Reference count (`folio->_refcount`), meaningful on a folio's head. */
  readonly refcount: Int32Array;
  /** Number of page-table mappings of this (sub)page (`page->_mapcount + 1`). */
  readonly mapcount: Int32Array;
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
    this.flags = new Uint32Array(nrFrames);
    this.mapping = new Uint32Array(nrFrames);
    this.index = new Uint32Array(nrFrames);
    this.order = new Uint8Array(nrFrames);
    this.pincount = new Int32Array(nrFrames);
  }

  /** Bytes of typed-array storage per frame. */
  static readonly BYTES_PER_FRAME = 4 + 4 + 4 + 4 + 4 + 1 + 4;

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

  /** Sum of subpage mapcounts of a folio (`folio_mapcount()`, include/linux/mm.h, v6.12). */
  folioMapcount(head: number): number {
    const nr = this.nrPages(head);
    let sum = 0;
    for (let i = 0; i < nr; i++) sum += this.mapcount[head + i];
    return sum;
  }
}
