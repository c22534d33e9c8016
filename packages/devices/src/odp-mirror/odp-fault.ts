/**
 * A device page fault on an ODP region: `ib_umem_odp_map_dma_and_lock()`
 * (drivers/infiniband/core/umem_odp.c, Linux v6.12) and test_hmm's `dmirror_range_fault()`
 * (lib/test_hmm.c):
 *
 * ```
 * for each pass:
 *     if the timeout passed: fail with -EBUSY
 *     seq = mmu_interval_read_begin(notifier)
 *     walk + fault the range (hmm_range_fault; -EBUSY: start a new pass)
 *     ... faultLatency on the virtual clock ...
 *     lock the mirror; if mmu_interval_read_retry(notifier, seq): unlock, start a new pass
 *     map the pages into the mirror; unlock
 * ```
 *
 * With `intervalRetry: false` the pass skips `mmu_interval_read_retry()` (include/linux/mmu_notifier.h,
 * v6.12; the collision-retry scheme of `mmu_interval_read_begin()`, mm/mmu_notifier.c): a buggy
 * driver that publishes whatever its walk found. An invalidation that ran during the latency found
 * no entry to zap (none was published yet), so the mirror maps frames the CPU page table no longer
 * holds, with no reference on them: freed, maybe already reused.
 *
 * With `fill: get | pin` the walk is the 2019 driver's `get_user_pages_remote()` (or
 * `pin_user_pages_remote()`), and the references it took are dropped right after the mirror is
 * updated, or when the pass collides: they never outlive the fault.
 * @module
 */
import {
  EBUSY, EFAULT, EINVAL, errnoName, FOLL_WRITE, HMM_PFN_REQ_FAULT, HMM_PFN_REQ_WRITE, PAGE_SIZE, PTE_WRITE,
  type DeviceContext, type TimerHandle,
} from "@pinlab/core";
import { emitDeviceEvent } from "../shared/device-events.js";
import type { OdpCounters } from "./odp-counters.js";
import type { OdpMirrorOptions } from "./odp-mirror-meta.js";
import { ODP_MIRROR_KIND, type PendingFault, type UmemOdp } from "./umem-odp.js";

/** What to fault: mirror entries [first, first + npages), for read or write. */
export interface OdpFaultRequest {
  /** First mirror entry. */
  readonly first: number;
  /** Entries. */
  readonly npages: number;
  /** Fault for write (HMM_PFN_REQ_WRITE / FOLL_WRITE). */
  readonly write: boolean;
  /** Virtual time between walk and mirror update, per pass. */
  readonly latency: number;
  /** Why (for events): `dma` or `prefetch`. */
  readonly reason: string;
}

/** The outcome of a walk: frames and write bits, and the GUP references to drop. */
interface Walked {
  readonly pfns: ArrayLike<number>;
  readonly write: Uint8Array;
  readonly n: number;
  readonly transient?: { readonly pages: number[]; readonly mode: "get" | "pin" };
}

/**
 * One fault in progress. `start()` runs the first pass; with no latency the whole fault is done
 * when it returns. `onDone` gets the number of entries mapped, or `-errno`.
 */
export class OdpFault implements PendingFault {
  /** Passes run so far. */
  passes = 0;
  private readonly startedAt: number;
  private seq = 0;
  private timer: TimerHandle | undefined;
  private walked: Walked | undefined;
  private finished = false;

  /** Prepare a fault on `umem`. */
  constructor(
    private readonly ctx: DeviceContext<OdpMirrorOptions>,
    private readonly umem: UmemOdp,
    private readonly req: OdpFaultRequest,
    private readonly counters: OdpCounters,
    private readonly onDone: (result: number) => void,
  ) {
    this.startedAt = ctx.clock.now;
  }

  /** Begin the first pass. */
  start(): void {
    this.umem.pending.add(this);
    this.beginPass();
  }

  /** @inheritDoc */
  cancel(): void {
    if (this.finished) return;
    this.timer?.cancel();
    this.dropTransient();
    this.finish(-EINVAL, true);
  }

  private beginPass(): void {
    this.passes++;
    this.counters.faultPasses++;
    this.seq = this.ctx.notifiers.readBegin(this.umem.notifier);
    const w = this.walk();
    if (w === -EBUSY) return this.collided();
    if (typeof w === "number") return this.finish(w);
    this.walked = w;
    if (this.req.latency === 0) return this.endPass();
    this.timer = this.ctx.clock.schedule(this.req.latency, `${this.ctx.name}:${this.umem.name}:fault`, () => {
      this.timer = undefined;
      this.endPass();
    });
  }

  /** Under the mirror lock: check for a collision (unless the driver skips the check), then publish. */
  private endPass(): void {
    const w = this.walked!;
    this.walked = undefined;
    if (this.ctx.options.intervalRetry && this.ctx.notifiers.readRetry(this.umem.notifier, this.seq)) {
      this.dropReferences(w);
      return this.collided();
    }
    // Publish first, then drop the fill references (2019: put_page right after mapping).
    this.umem.mapDmaPages(this.req.first, w.pfns, w.write, w.n);
    this.dropReferences(w);
    this.finish(w.n);
  }

  /** An invalidation raced with the pass: start over, unless the retry budget is spent. */
  private collided(): void {
    this.counters.retries++;
    const elapsed = this.ctx.clock.now - this.startedAt;
    if (this.passes >= this.ctx.options.maxFaultPasses || elapsed >= this.ctx.options.faultTimeout) return this.finish(-EBUSY);
    this.beginPass();
  }

  /** Read the CPU page table for the range: `hmm_range_fault()`, or GUP for the 2019 fill modes. */
  private walk(): Walked | number {
    const { umem, req, ctx } = this;
    const proc = umem.proc;
    // mmget_not_zero(owning_mm) fails once the process exited.
    if (!umem.notifier.live || !proc.alive || proc.mm === null) return -EINVAL;
    const start = umem.start + req.first * PAGE_SIZE;
    const n = req.npages;
    const fill = ctx.options.fill;
    if (fill === "none") {
      const range = {
        notifier: umem.notifier, notifierSeq: this.seq, start, end: start + n * PAGE_SIZE,
        defaultFlags: HMM_PFN_REQ_FAULT | (req.write ? HMM_PFN_REQ_WRITE : 0),
        hmmPfns: new Int32Array(n), hmmWrite: new Uint8Array(n),
      };
      const r = ctx.hmmRangeFault(range);
      return r < 0 ? r : { pfns: range.hmmPfns, write: range.hmmWrite, n };
    }
    const pages: number[] = new Array<number>(n);
    const flags = req.write ? FOLL_WRITE : 0;
    const got = fill === "get"
      ? ctx.gup.getUserPagesRemote(proc, start, n, flags, pages, { holder: ctx.holder })
      : ctx.gup.pinUserPagesRemote(proc, start, n, flags, pages, { holder: ctx.holder });
    if (got <= 0) return got < 0 ? got : -EFAULT;
    this.counters.transientRefs += got;
    const transient = { pages, mode: fill };
    const pt = proc.mm.pageTable;
    const write = new Uint8Array(got);
    for (let i = 0; i < got; i++) {
      const vpn = start / PAGE_SIZE + i;
      write[i] = pt.pfn(vpn) === pages[i] && (pt.bits(vpn) & PTE_WRITE) !== 0 ? 1 : 0;
    }
    return { pfns: pages, write, n: got, transient };
  }

  private dropReferences(w: Walked): void {
    const t = w.transient;
    if (t === undefined) return;
    if (t.mode === "get") this.ctx.gup.putPages(t.pages, w.n, { holder: this.ctx.holder });
    else this.ctx.gup.unpinUserPages(t.pages, w.n, { holder: this.ctx.holder });
  }

  private dropTransient(): void {
    if (this.walked !== undefined) this.dropReferences(this.walked);
    this.walked = undefined;
  }

  private finish(result: number, cancelled = false): void {
    this.finished = true;
    this.umem.pending.delete(this);
    if (result < 0 && !cancelled) this.counters.faultErrors++;
    emitDeviceEvent(this.ctx, ODP_MIRROR_KIND, "fault", {
      region: this.umem.name, reason: this.req.reason, first: this.req.first, pages: this.req.npages, write: this.req.write, passes: this.passes,
      ...(result >= 0 ? { mapped: result } : { errno: errnoName(result) ?? String(-result) }), ...(cancelled ? { cancelled: true } : {}),
    });
    if (!cancelled) this.onDone(result);
  }
}
