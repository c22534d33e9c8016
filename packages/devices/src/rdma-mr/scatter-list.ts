/**
 * The scatter-gather table of a registered region (`struct sg_append_table`): runs of physically
 * contiguous frames, appended chunk by chunk as `ib_umem_get` pins them
 * (`sg_alloc_append_table_from_pages`, lib/scatterlist.c, Linux v6.12). Contiguous frames from
 * consecutive chunks merge into the last entry, as the append variant does.
 * @module
 */

/** One scatter-gather entry: a run of physically contiguous frames. */
export interface SgEntry {
  /** First frame of the run (`sg_page(sg)`). */
  readonly pfn: number;
  /** Frames in the run (`DIV_ROUND_UP(sg->length, PAGE_SIZE)`). */
  npages: number;
}

/** A scatter-gather table built by appending page lists. */
export class SgAppendTable {
  /** The entries, in address order of the region. */
  readonly entries: SgEntry[] = [];

  /** Frames covered by all entries. */
  get npages(): number {
    return this.entries.reduce((n, e) => n + e.npages, 0);
  }

  /** `sg_alloc_append_table_from_pages()`: append `n` frames of `pages`, merging contiguous runs. */
  append(pages: ArrayLike<number>, n: number): void {
    for (let i = 0; i < n; i++) {
      const pfn = pages[i];
      const last = this.entries[this.entries.length - 1];
      if (last !== undefined && last.pfn + last.npages === pfn) last.npages++;
      else this.entries.push({ pfn, npages: 1 });
    }
  }

  /** Every frame in region order (the device's DMA view of the region). */
  frames(): Uint32Array {
    const out = new Uint32Array(this.npages);
    let i = 0;
    for (const e of this.entries) for (let j = 0; j < e.npages; j++) out[i++] = e.pfn + j;
    return out;
  }
}
