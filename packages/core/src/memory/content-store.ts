import { PAGE_SIZE } from "../sim/units.js";

/**
 * Page contents, stored sparsely: only frames that hold written bytes have a buffer. A fault or a
 * touch stores nothing; reading a frame with no buffer reads zeros.
 */
export class ContentStore {
  private readonly pages = new Map<number, Uint8Array>();

  /** Number of frames holding bytes. */
  get size(): number {
    return this.pages.size;
  }

  /** True when `pfn` holds written bytes. */
  has(pfn: number): boolean {
    return this.pages.has(pfn);
  }

  /** True when frame `pfn` holds only zeros (`pages_identical(page, ZERO_PAGE(0))`): no buffer, or one of zeros. */
  isZeroPage(pfn: number): boolean {
    const page = this.pages.get(pfn);
    return page === undefined || page.every((b) => b === 0);
  }

  /** Read `length` bytes at `offset` in frame `pfn` into `out` at `outOffset`. */
  read(pfn: number, offset: number, length: number, out: Uint8Array, outOffset = 0): void {
    const page = this.pages.get(pfn);
    if (page === undefined) out.fill(0, outOffset, outOffset + length);
    else out.set(page.subarray(offset, offset + length), outOffset);
  }

  /** Write `bytes` at `offset` in frame `pfn`. */
  write(pfn: number, offset: number, bytes: Uint8Array): void {
    let page = this.pages.get(pfn);
    if (page === undefined) {
      if (bytes.every((b) => b === 0)) return;
      page = new Uint8Array(PAGE_SIZE);
      this.pages.set(pfn, page);
    }
    page.set(bytes, offset);
  }

  /** Copy the whole contents of `from` to `to` (`copy_highpage()`, include/linux/highmem.h, v6.12). */
  copy(from: number, to: number): void {
    const src = this.pages.get(from);
    if (src === undefined) this.pages.delete(to);
    else this.pages.set(to, src.slice());
  }

  /** A copy of frame `pfn`'s bytes, or undefined when it holds none (all zero). */
  snapshot(pfn: number): Uint8Array | undefined {
    return this.pages.get(pfn)?.slice();
  }

  /** Replace frame `pfn`'s bytes with `bytes` (or zeros when undefined). */
  restore(pfn: number, bytes: Uint8Array | undefined): void {
    if (bytes === undefined) this.pages.delete(pfn);
    else this.pages.set(pfn, bytes.slice());
  }

  /** Forget the bytes of the `nr` frames from `pfn`, walking whichever is smaller: the range or the frames holding bytes. */
  clearRange(pfn: number, nr: number): void {
    if (this.pages.size < nr) {
      for (const key of [...this.pages.keys()]) if (key >= pfn && key < pfn + nr) this.pages.delete(key);
    } else {
      for (let i = pfn; i < pfn + nr; i++) this.pages.delete(i);
    }
  }

  /** Forget frame `pfn`'s bytes (it reads as zeros again). */
  clear(pfn: number): void {
    this.pages.delete(pfn);
  }
}
