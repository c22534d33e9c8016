/**
 * The device's own page table for one ODP region: per 4 KiB page, the frame it maps (or none) and
 * whether it may write it. The model of mlx5's MTT/KSM entries for an ODP MR, of
 * `umem_odp->pfn_list` / `dma_list`, and of test_hmm's `dmirror->pt` XArray (lib/test_hmm.c,
 * Linux v6.12). An entry holds **no** page reference: only the MMU notifier keeps it honest.
 * @module
 */

/** Per-page mirror entries of a region. */
export class MirrorTable {
  /** Frame per page, -1 when the entry is not valid. */
  readonly pfn: Int32Array;
  /** 1 when the device may write through the entry (`DPT_XA_TAG_WRITE` / `ODP_WRITE_ALLOWED_BIT`). */
  readonly writable: Uint8Array;
  private count = 0;

  /** An empty table of `npages` entries. */
  constructor(readonly npages: number) {
    this.pfn = new Int32Array(npages).fill(-1);
    this.writable = new Uint8Array(npages);
  }

  /** Valid entries. */
  get valid(): number {
    return this.count;
  }

  /** True when entry `i` maps a frame. */
  isValid(i: number): boolean {
    return this.pfn[i] >= 0;
  }

  /** True when entry `i` maps a frame the device may access as asked (`write` needs a writable entry). */
  usable(i: number, write: boolean): boolean {
    return this.pfn[i] >= 0 && (!write || this.writable[i] === 1);
  }

  /** Map entry `i` to `pfn`. */
  set(i: number, pfn: number, writable: boolean): void {
    if (this.pfn[i] < 0) this.count++;
    this.pfn[i] = pfn;
    this.writable[i] = writable ? 1 : 0;
  }

  /** Invalidate entry `i`; returns the frame it mapped, or -1. */
  clear(i: number): number {
    const old = this.pfn[i];
    if (old >= 0) this.count--;
    this.pfn[i] = -1;
    this.writable[i] = 0;
    return old;
  }
}
