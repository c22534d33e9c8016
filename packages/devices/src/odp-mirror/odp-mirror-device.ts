/**
 * An `odp-mirror` device instance: its ODP regions and the actions on them.
 * @module
 */
import {
  catchDmaError, DmaError, EBUSY, EINVAL, EIO, ENOENT, EPERM, errnoName, TASK_SIZE,
  type ActionArgs, type ActionHandlers, type DeviceActionResult, type DeviceContext, type DeviceInstance, type DeviceView,
} from "@pinlab/core";
import { bytesToString, hex, stringToBytes } from "../shared/bytes.js";
import { emitDeviceEvent } from "../shared/device-events.js";
import { ibAccessDmaWrite, ibCheckMrAccess } from "../shared/ib-access.js";
import { NameAllocator } from "../shared/names.js";
import { failed, succeeded } from "../shared/results.js";
import { newOdpCounters } from "./odp-counters.js";
import { OdpFault, type OdpFaultRequest } from "./odp-fault.js";
import type { deregMrFields, dmaReadFields, dmaWriteFields, regMrFields } from "../shared/mr-fields.js";
import type { odpMirrorActions, OdpMirrorOptions, odpPrefetchFields } from "./odp-mirror-meta.js";
import { ODP_MIRROR_KIND, UmemOdp } from "./umem-odp.js";

/** An RDMA HCA with on-demand-paging regions: a mirror filled by device faults, kept coherent by an MMU notifier. */
export class OdpMirrorDevice implements DeviceInstance<typeof odpMirrorActions> {
  /** The device name. */
  readonly name: string;
  /** @inheritDoc */
  readonly actions: ActionHandlers<typeof odpMirrorActions> = {
    reg_mr: (args, call) => this.regMr(args, call.as),
    dereg_mr: (args) => this.deregMr(args),
    prefetch: (args) => this.prefetch(args),
    dma_write: (args) => this.dmaWrite(args),
    dma_read: (args) => this.dmaRead(args),
  };
  private readonly regions = new Map<string, UmemOdp>();
  private readonly names = new NameAllocator("mr");
  private readonly counters = newOdpCounters();
  private registrations = 0;

  /** Build the device from its context. */
  constructor(private readonly ctx: DeviceContext<OdpMirrorOptions>) {
    this.name = ctx.name;
  }

  /** @inheritDoc */
  view(): DeviceView {
    const frames: { pfn: number; label: string }[] = [];
    let mirrored = 0;
    let pending = 0;
    for (const r of this.regions.values()) {
      for (let i = 0; i < r.mirror.npages; i++) {
        if (r.mirror.isValid(i)) frames.push({ pfn: r.mirror.pfn[i], label: `${r.name}:${i} ${r.mirror.writable[i] === 1 ? "rw" : "ro"}` });
      }
      mirrored += r.mirror.valid;
      pending += r.pending.size;
    }
    return { frames, counters: { ...this.counters, regions: this.regions.size, registrations: this.registrations, mirrored, pendingFaults: pending } };
  }

  /** `ibv_reg_mr(IBV_ACCESS_ON_DEMAND)` → `ib_umem_odp_get`: insert the notifier; pin nothing, charge nothing. */
  private regMr({ proc, addr, length, access }: ActionArgs<typeof regMrFields>, as: string | undefined): DeviceActionResult {
    const bad = ibCheckMrAccess(access ?? []);
    if (bad !== 0) return failed(bad, "remote write or remote atomic access needs local write (ib_check_mr_access)");
    if (length === 0 || addr + length > TASK_SIZE) return failed(EINVAL, `an ODP region of ${length} bytes at ${hex(addr)} is empty or overflows`);
    if (!proc.alive || proc.mm === null) return failed(EINVAL, `process ${proc.name} has no address space`);
    const inUse = (n: string) => this.regions.has(n);
    const conflict = this.names.conflict(as, inUse);
    if (conflict !== undefined) return failed(EINVAL, conflict);
    const name = this.names.claim(as, inUse);
    const writable = access === undefined || ibAccessDmaWrite(access);
    const umem = new UmemOdp(this.ctx, this.counters, name, proc, addr, length, writable);
    this.regions.set(name, umem);
    this.registrations++;
    emitDeviceEvent(this.ctx, ODP_MIRROR_KIND, "reg_mr", {
      region: name, pid: proc.pid, addr, length, pages: umem.mirror.npages, writable, fill: this.ctx.options.fill, pinnedVm: proc.mm.pinnedVm,
    });
    return succeeded(name, name);
  }

  /** `ib_umem_odp_release`. */
  private deregMr({ region }: ActionArgs<typeof deregMrFields>): DeviceActionResult {
    const r = this.region(region);
    if (typeof r === "string") return failed(ENOENT, r);
    const zapped = r.release();
    this.regions.delete(r.name);
    emitDeviceEvent(this.ctx, ODP_MIRROR_KIND, "dereg_mr", { region: r.name, zapped });
    return succeeded();
  }

  /**
   * `ibv_advise_mr(PREFETCH / PREFETCH_WRITE)`: fill the mirror ahead of use. With no
   * `faultLatency` it completes at once and reports errors (IB_UVERBS_ADVISE_MR_FLAG_FLUSH);
   * otherwise it is queued, completes on the clock, and reports through a `fault` event.
   */
  private prefetch({ region, offset, length, write = false }: ActionArgs<typeof odpPrefetchFields>): DeviceActionResult {
    const r = this.region(region);
    if (typeof r === "string") return failed(ENOENT, r);
    const bad = this.checkBounds(r, offset, length);
    if (bad !== undefined) return failed(EINVAL, bad);
    if (write && !r.writable) return failed(EINVAL, `prefetch for write on read-only region "${r.name}"`);
    if (length === 0) return succeeded(0);
    this.counters.prefetches++;
    const first = r.pageIndex(offset);
    const npages = r.pageIndex(offset + length - 1) + 1 - first;
    const req: OdpFaultRequest = { first, npages, write, latency: this.ctx.options.faultLatency, reason: "prefetch" };
    if (req.latency > 0) {
      this.counters.faults++;
      new OdpFault(this.ctx, r, req, this.counters, () => undefined).start();
      return succeeded(npages);
    }
    const res = this.fault(r, req);
    return res < 0 ? failed(res, `prefetch of "${r.name}" failed with ${errnoName(res) ?? res}`) : succeeded(res);
  }

  /** The device writes into the region through its mirror, faulting (for write) what it lacks. */
  private dmaWrite({ region, offset, data: text }: ActionArgs<typeof dmaWriteFields>): DeviceActionResult {
    const r = this.region(region);
    if (typeof r === "string") return failed(ENOENT, r);
    if (!r.writable) return failed(EPERM, `region "${r.name}" was registered without write access`);
    const data = stringToBytes(text);
    const bad = this.checkBounds(r, offset, data.length);
    if (bad !== undefined) return failed(EINVAL, bad);
    if (data.length === 0) return succeeded(0);
    const frames = this.ensureMapped(r, offset, data.length, true);
    if (typeof frames === "number") return failed(frames, `device write fault on "${r.name}" failed with ${errnoName(frames) ?? frames}`);
    const err = catchDmaError(() => this.ctx.dma.write(this.ctx.holder, frames.pfns, r.byteOffset(offset, frames.first), data));
    if (err instanceof DmaError) return this.dmaFailed(err);
    this.counters.pagesCopied += frames.pfns.length;
    return succeeded(data.length);
  }

  /** The device reads the region through its mirror, faulting what it lacks. */
  private dmaRead({ region, offset, length }: ActionArgs<typeof dmaReadFields>): DeviceActionResult {
    const r = this.region(region);
    if (typeof r === "string") return failed(ENOENT, r);
    const bad = this.checkBounds(r, offset, length);
    if (bad !== undefined) return failed(EINVAL, bad);
    if (length === 0) return succeeded("");
    const frames = this.ensureMapped(r, offset, length, false);
    if (typeof frames === "number") return failed(frames, `device read fault on "${r.name}" failed with ${errnoName(frames) ?? frames}`);
    const bytes = catchDmaError(() => this.ctx.dma.read(this.ctx.holder, frames.pfns, r.byteOffset(offset, frames.first), length));
    if (bytes instanceof DmaError) return this.dmaFailed(bytes);
    this.counters.pagesCopied += frames.pfns.length;
    return succeeded(bytesToString(bytes));
  }

  /** A transfer through valid mirror entries that the IOMMU refused (the `dma` fault point): nothing moved, EIO. */
  private dmaFailed(err: DmaError): DeviceActionResult {
    this.counters.dmaErrors++;
    return failed(EIO, err.message);
  }

  /**
   * `dmirror_read` / `dmirror_write`: use the mirror entries covering the access; at the first
   * one missing (or read-only, for a write) fault from there to the end of the access, and look
   * again. Returns the frames to DMA through, or `-errno`.
   */
  private ensureMapped(r: UmemOdp, offset: number, length: number, write: boolean): { first: number; pfns: Int32Array } | number {
    const first = r.pageIndex(offset);
    const last = r.pageIndex(offset + length - 1);
    for (let round = 0; ; round++) {
      let miss = -1;
      for (let i = first; i <= last; i++) {
        if (!r.mirror.usable(i, write)) {
          miss = i;
          break;
        }
      }
      if (miss < 0) return { first, pfns: r.mirror.pfn.slice(first, last + 1) };
      // Each round maps at least the missing entry unless an invalidation took it again; bound it.
      if (round > last - first + this.ctx.options.maxFaultPasses) return -EBUSY;
      const res = this.fault(r, { first: miss, npages: last + 1 - miss, write, latency: 0, reason: "dma" });
      if (res < 0) return res;
    }
  }

  /** Run a fault to completion now (no latency). */
  private fault(r: UmemOdp, req: OdpFaultRequest): number {
    this.counters.faults++;
    let result = -EINVAL;
    new OdpFault(this.ctx, r, req, this.counters, (res) => {
      result = res;
    }).start();
    return result;
  }

  private region(name: string): UmemOdp | string {
    return this.regions.get(name) ?? `no ODP region named "${name}" is registered on ${this.name}`;
  }

  private checkBounds(r: UmemOdp, offset: number, length: number): string | undefined {
    if (offset + length <= r.length) return undefined;
    return `${length} bytes at offset ${offset} do not fit in region "${r.name}" of ${r.length} bytes`;
  }
}
