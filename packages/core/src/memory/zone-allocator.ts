import type { ZoneSpan } from "./zones.js";

/**
 * Free-frame tracking for one zone: an allocation bitmap shared by all zones, a next-fit cursor,
 * and a LIFO list of recently freed small frames that the next allocation reuses first (like the
 * kernel's per-cpu page lists, and like a filesystem handing a freed block straight back out).
 * Models the buddy allocator closely enough for the questions pinlab asks: whether an allocation
 * succeeds, where it lands, and whether a contiguous range is free.
 */
export class ZoneAllocator {
  private cursor: number;
  private readonly hot: number[] = [];
  private free: number;

  /** Most recently freed small frames kept for immediate reuse. */
  static readonly HOT_LIMIT = 4096;

  /** Track the frames of `span` in the shared `bitmap` (bit set = allocated). */
  constructor(readonly span: ZoneSpan, private readonly bitmap: Uint32Array) {
    this.cursor = span.start;
    this.free = span.end - span.start;
  }

  /** Free frames in the zone. */
  get nrFree(): number {
    return this.free;
  }

  /** Frames in the zone. */
  get nrFrames(): number {
    return this.span.end - this.span.start;
  }

  /** True when `pfn` is allocated. */
  isAllocated(pfn: number): boolean {
    return (this.bitmap[pfn >>> 5] & (1 << (pfn & 31))) !== 0;
  }

  /** Allocate `2^order` naturally aligned contiguous frames; returns the first PFN or -1. */
  alloc(order: number): number {
    if (order === 0) return this.allocOne();
    const nr = 1 << order;
    if (this.free < nr) return -1;
    const { start, end } = this.span;
    const first = alignUp(start, nr);
    const span = end - first;
    if (span < nr) return -1;
    const blocks = Math.floor(span / nr);
    let b = Math.floor((alignUp(Math.max(this.cursor, first), nr) - first) / nr);
    for (let tries = 0; tries < blocks; tries++, b++) {
      if (b >= blocks) b = 0;
      const pfn = first + b * nr;
      if (this.rangeFree(pfn, nr)) {
        this.markRange(pfn, nr);
        this.cursor = pfn + nr;
        return pfn;
      }
    }
    return -1;
  }

  /** Mark `nr` frames from `pfn` allocated; they must all be free. */
  take(pfn: number, nr: number): void {
    if (!this.rangeFree(pfn, nr)) throw new Error(`zone ${this.span.name}: take of busy range ${pfn}+${nr}`);
    this.markRange(pfn, nr);
  }

  /** True when every frame in [pfn, pfn + nr) is free. */
  rangeFree(pfn: number, nr: number): boolean {
    const end = pfn + nr;
    let i = pfn;
    while (i < end && (i & 31) !== 0) {
      if (this.isAllocated(i)) return false;
      i++;
    }
    while (i + 32 <= end) {
      if (this.bitmap[i >>> 5] !== 0) return false;
      i += 32;
    }
    while (i < end) {
      if (this.isAllocated(i)) return false;
      i++;
    }
    return true;
  }

  /** Return `nr` frames from `pfn` to the zone. Small frees go to the hot list for reuse. */
  release(pfn: number, nr: number): void {
    for (let i = pfn; i < pfn + nr; i++) {
      const w = i >>> 5;
      const bit = 1 << (i & 31);
      if ((this.bitmap[w] & bit) === 0) throw new Error(`zone ${this.span.name}: double free of pfn ${i}`);
      this.bitmap[w] &= ~bit;
    }
    this.free += nr;
    if (nr === 1) {
      if (this.hot.length >= ZoneAllocator.HOT_LIMIT) this.hot.shift();
      this.hot.push(pfn);
    }
  }

  private allocOne(): number {
    if (this.free === 0) return -1;
    while (this.hot.length > 0) {
      const pfn = this.hot.pop()!;
      if (!this.isAllocated(pfn)) {
        this.markRange(pfn, 1);
        return pfn;
      }
    }
    const pfn = this.findFree(this.cursor, this.span.end);
    const found = pfn >= 0 ? pfn : this.findFree(this.span.start, this.cursor);
    if (found < 0) return -1;
    this.markRange(found, 1);
    this.cursor = found + 1;
    return found;
  }

  private findFree(from: number, to: number): number {
    let i = from;
    while (i < to) {
      if ((i & 31) === 0 && i + 32 <= to) {
        const word = this.bitmap[i >>> 5];
        if (word === 0xffffffff) {
          i += 32;
          continue;
        }
        const inv = ~word;
        return i + (31 - Math.clz32(inv & -inv));
      }
      if (!this.isAllocated(i)) return i;
      i++;
    }
    return -1;
  }

  private markRange(pfn: number, nr: number): void {
    for (let i = pfn; i < pfn + nr; i++) this.bitmap[i >>> 5] |= 1 << (i & 31);
    this.free -= nr;
  }
}

function alignUp(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}
