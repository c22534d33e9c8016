import { PAGE_SIZE } from "../sim/units.js";

/** What the oracle remembers about a frame a holder took: what it was when taken. */
export interface HolderRecord {
  /** The frame. */
  readonly pfn: number;
  /** The process whose address space it was taken from (-1 when not from a process). */
  readonly pid: number;
  /** The virtual address it was mapped at there (-1 when unknown); mremap moves it with the page. */
  vaddr: number;
  /** The file it belonged to (inode id, 0 = none) and its page index there. */
  readonly inode: number;
  /** Page index in that file. */
  readonly index: number;
  /** It was an anonymous or private copy-on-write page (COW can separate process and holder). */
  readonly private: boolean;
  /** Taken with write intent (FOLL_WRITE, or a writable mirror entry). */
  readonly write: boolean;
  /** Taken long-term (FOLL_LONGTERM). */
  readonly longterm: boolean;
  /** Oracle clock (event sequence) when taken: later cleans are "after" it. */
  readonly seq: number;
  /** How many references the holder has on it (a mirror entry holds none and counts 1). */
  count: number;
  /**
   * (2.0) A process other than `pid` wrote into this private frame while the holder held it (pid
   * of the last such writer, -1 for none): COW should have kept that write away from a reference
   * taken from `pid`, so the holder's next read leaks it (`cow_leak`).
   */
  leakedFrom: number;
  /**
   * A device mirror entry maps it with no reference (an ODP mirror after `hmm_range_fault()`,
   * recorded by `hold`): only the process's mapping of it at `vaddr`, kept honest by the MMU
   * notifier, keeps the frame the holder's. Once the process no longer maps it there, the frame may
   * be freed or reused.
   */
  mirrored: boolean;
}

/**
 * (2.0) How many of `recs` hold, for process `pid`, a frame of [pfn, pfn + nr) (mapped at the
 * matching page from `vpn`, unless `vpn` is -1): what a whole-folio COW or fork copy of a 1 GiB
 * hugetlb page leaves behind, counted from the holder's records rather than page by page.
 */
export function heldIn(recs: ReadonlyMap<number, HolderRecord>, pid: number, vpn: number, pfn: number, nr: number): number {
  let held = 0;
  for (const rec of recs.values()) {
    if (rec.pfn < pfn || rec.pfn >= pfn + nr || rec.pid !== pid) continue;
    if (vpn < 0 || rec.vaddr === (vpn + rec.pfn - pfn) * PAGE_SIZE) held++;
  }
  return held;
}
