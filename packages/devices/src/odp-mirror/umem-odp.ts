/**
 * One on-demand-paging region (`struct ib_umem_odp`, drivers/infiniband/core/umem_odp.c, Linux
 * v6.12): an interval notifier over the range and a mirror of its pages, with no page pinned.
 * @module
 */
import {
  PAGE_SIZE,
  type DeviceContext, type MmuIntervalNotifier, type MmuNotifierRange, type Process,
} from "@pinlab/core";
import { emitDeviceEvent } from "../shared/device-events.js";
import { MirrorTable } from "./mirror-table.js";
import type { OdpCounters } from "./odp-counters.js";
import type { OdpMirrorOptions } from "./odp-mirror-meta.js";

/** The device kind (for events). */
export const ODP_MIRROR_KIND = "odp-mirror";

/** A fault in flight on a region, cancelled when the region goes away. */
export interface PendingFault {
  /** Stop it and drop whatever it holds. */
  cancel(): void;
}

/**
 * An ODP region: `ib_umem_odp_get()` inserts the interval notifier; `mapDmaPages` fills entries
 * after a fault pass; the notifier's invalidate callback zaps them; `release` is
 * `ib_umem_odp_release()`.
 */
export class UmemOdp {
  /** `ib_umem_start()`: the first page-aligned byte. */
  readonly start: number;
  /** `ib_umem_end()`: one past the last page-aligned byte. */
  readonly end: number;
  /** The device's page table of the range. */
  readonly mirror: MirrorTable;
  /** The interval notifier (`umem_odp->notifier`). */
  readonly notifier: MmuIntervalNotifier;
  /** Faults in flight. */
  readonly pending = new Set<PendingFault>();

  /** `ib_umem_odp_get()` + `ib_init_umem_odp()`: watch [address, address + length) of `proc`. */
  constructor(
    private readonly ctx: DeviceContext<OdpMirrorOptions>,
    private readonly counters: OdpCounters,
    /** The region's name. */
    readonly name: string,
    /** The registering process. */
    readonly proc: Process,
    /** The registered address (the IOVA). */
    readonly address: number,
    /** The registered length in bytes. */
    readonly length: number,
    /** The device may write through the region. */
    readonly writable: boolean,
  ) {
    this.start = Math.floor(address / PAGE_SIZE) * PAGE_SIZE;
    this.end = Math.ceil((address + length) / PAGE_SIZE) * PAGE_SIZE;
    this.mirror = new MirrorTable((this.end - this.start) / PAGE_SIZE);
    this.notifier = ctx.notifiers.insert(proc.mm!, this.start, this.end - this.start, {
      invalidate: (sub, range, curSeq) => this.invalidate(sub, range, curSeq),
    }, `${ctx.name}:${name}`);
  }

  /** The mirror entry index of byte `offset` of the region. */
  pageIndex(offset: number): number {
    return Math.floor((this.address - this.start + offset) / PAGE_SIZE);
  }

  /** Byte offset of region offset `offset` inside the concatenated frames of entries from `first` on. */
  byteOffset(offset: number, first: number): number {
    return this.address - this.start + offset - first * PAGE_SIZE;
  }

  /**
   * Publish a successful fault pass (under `umem_mutex`, after `mmu_interval_read_retry` said
   * no; the tail of `ib_umem_odp_map_dma_and_lock()`, drivers/infiniband/core/umem_odp.c, v6.12): map entries `first…` to `pfns`, and tell the oracle the device now uses those frames.
   * No reference is taken: the zero page is nobody's, so it is not recorded.
   */
  mapDmaPages(first: number, pfns: ArrayLike<number>, write: ArrayLike<number>, n: number): void {
    const pages = this.ctx.pages;
    const hold = [];
    const drop = [];
    for (let j = 0; j < n; j++) {
      const i = first + j;
      const pfn = pfns[j];
      const old = this.mirror.pfn[i];
      if (old >= 0 && old !== pfn) {
        if (!pages.isZeroPfn(old)) drop.push(old);
        this.mirror.clear(i);
      }
      if (old !== pfn && !pages.isZeroPfn(pfn)) hold.push({ pfn, pid: this.proc.pid, vaddr: this.start + i * PAGE_SIZE, write: write[j] === 1 });
      this.mirror.set(i, pfn, write[j] === 1);
    }
    // ib_dma_unmap_page() of the entries replaced, ib_dma_map_page() of the new ones: the oracle
    // now checks the device's DMA to those frames.
    if (drop.length > 0) this.ctx.dma.unmapPages(this.ctx.holder, drop);
    if (hold.length > 0) this.ctx.dma.mapPages(this.ctx.holder, hold);
    this.counters.pagesMapped += n;
  }

  /**
   * `ib_umem_odp_unmap_dma_pages(umem_odp, virt, bound)` (drivers/infiniband/core/umem_odp.c, v6.12) for entries [first, end): DMA-unmap each
   * valid entry, `set_page_dirty()` its page when it was mapped writable, clear it. Returns the
   * entries zapped.
   */
  unmapDmaPages(first: number, end: number): number {
    const pages = this.ctx.pages;
    const dropped: number[] = [];
    let dirtied = 0;
    let zapped = 0;
    for (let i = first; i < end; i++) {
      if (!this.mirror.isValid(i)) continue;
      zapped++;
      const writable = this.mirror.writable[i] === 1;
      const pfn = this.mirror.clear(i);
      if (writable) {
        pages.setPageDirtyLock(pfn);
        dirtied++;
      }
      if (!pages.isZeroPfn(pfn)) dropped.push(pfn);
    }
    if (dropped.length > 0) this.ctx.dma.unmapPages(this.ctx.holder, dropped);
    this.counters.pagesDirtied += dirtied;
    this.counters.pagesZapped += zapped;
    return zapped;
  }

  /**
   * The invalidate callback (`mlx5_ib_invalidate_range`): take the mirror lock,
   * `mmu_interval_set_seq()`, zap the entries in the range, unmap and dirty them.
   */
  private invalidate(sub: MmuIntervalNotifier, range: MmuNotifierRange, curSeq: number): boolean {
    this.ctx.notifiers.setSeq(sub, curSeq);
    const from = Math.max(range.start, this.start);
    const to = Math.min(range.end, this.end);
    const first = Math.floor((from - this.start) / PAGE_SIZE);
    const end = Math.ceil((to - this.start) / PAGE_SIZE);
    const zapped = this.unmapDmaPages(first, end);
    this.counters.invalidations++;
    emitDeviceEvent(this.ctx, ODP_MIRROR_KIND, "invalidate", { region: this.name, event: range.event, start: from, end: to, zapped, seq: curSeq });
    return true;
  }

  /** `ib_umem_odp_release()` (drivers/infiniband/core/umem_odp.c, v6.12): stop faults, unmap every entry (dirtying writable ones), remove the notifier. */
  release(): number {
    for (const f of [...this.pending]) f.cancel();
    const zapped = this.unmapDmaPages(0, this.mirror.npages);
    if (this.notifier.live) this.ctx.notifiers.remove(this.notifier);
    return zapped;
  }
}
