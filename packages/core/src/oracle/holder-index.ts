/**
 * The oracle's records of which holder holds which frame, indexed both ways: by holder (for a
 * DMA check, a whole-folio COW, an mremap, the display) and by frame (for the per-page hooks: a
 * COW, a fork copy, a user write, a pinned writeback touch only the holders of that one frame).
 * Every per-page operation costs O(holders of that frame), not O(every holder ever seen), and a
 * holder whose last record is dropped is removed.
 * @module
 */
import type { HolderRecord } from "./holder-record.js";

/** One holder's record of one frame, as the per-frame index keeps it. */
export interface FrameHolder {
  /** The holder's name. */
  readonly name: string;
  /** The holder's rank in first-seen order (see {@link HolderIndex.ordinal}). */
  readonly ordinal: number;
  /** What the holder took. */
  readonly rec: HolderRecord;
}

const NONE: readonly FrameHolder[] = [];

/**
 * Holder records by holder name and by frame. Hooks visit holders in the order each name was
 * first seen (the order hazards have always been recorded in: the eventsHash depends on it), so
 * each name keeps its rank even after its records are gone and it comes back.
 */
export class HolderIndex {
  private readonly byName = new Map<string, Map<number, HolderRecord>>();
  private readonly byFrame = new Map<number, FrameHolder[]>();
  /** First-seen rank of every name (a number per name: what fixes the hazard order). */
  private readonly ordinals = new Map<string, number>();

  /** The rank of `name` in first-seen order (assigned on first use). */
  ordinal(name: string): number {
    let o = this.ordinals.get(name);
    if (o === undefined) {
      o = this.ordinals.size;
      this.ordinals.set(name, o);
    }
    return o;
  }

  /** The record of `name` for `pfn`, if it holds it. */
  get(name: string, pfn: number): HolderRecord | undefined {
    return this.byName.get(name)?.get(pfn);
  }

  /** The records of every holder of `pfn`, in first-seen order of the holders (do not keep). */
  atFrame(pfn: number): readonly FrameHolder[] {
    return this.byFrame.get(pfn) ?? NONE;
  }

  /** Every holder with records, in first-seen order (a fresh map: for whole-folio hooks and display). */
  holders(): Map<string, ReadonlyMap<number, HolderRecord>> {
    const names = [...this.byName.keys()].sort((a, b) => this.ordinal(a) - this.ordinal(b));
    return new Map(names.map((n) => [n, this.byName.get(n)!]));
  }

  /** Every record of every holder, in no particular order. */
  *records(): IterableIterator<HolderRecord> {
    for (const recs of this.byName.values()) yield* recs.values();
  }

  /** Add `rec` for `name` (which must not already hold `rec.pfn`). */
  add(name: string, rec: HolderRecord): void {
    let recs = this.byName.get(name);
    if (recs === undefined) {
      recs = new Map();
      this.byName.set(name, recs);
    }
    recs.set(rec.pfn, rec);
    const entry: FrameHolder = { name, ordinal: this.ordinal(name), rec };
    const list = this.byFrame.get(rec.pfn);
    if (list === undefined) {
      this.byFrame.set(rec.pfn, [entry]);
      return;
    }
    let i = list.length;
    while (i > 0 && list[i - 1].ordinal > entry.ordinal) i--;
    list.splice(i, 0, entry);
  }

  /** Remove `name`'s record of `pfn`; a holder left with none is removed. */
  remove(name: string, pfn: number): void {
    const recs = this.byName.get(name);
    if (recs === undefined || !recs.delete(pfn)) return;
    if (recs.size === 0) this.byName.delete(name);
    const list = this.byFrame.get(pfn)!;
    if (list.length === 1) {
      this.byFrame.delete(pfn);
      return;
    }
    list.splice(list.findIndex((e) => e.name === name), 1);
  }
}
