/**
 * An `rdma-mr` device instance: its registered regions and the actions on them.
 * @module
 */
import {
  catchDmaError, DmaError, EINVAL, EIO, ENOENT, EPERM, PAGE_SIZE, errnoName,
  type ActionArgs, type ActionHandlers, type DeviceActionResult, type DeviceContext, type DeviceInstance, type DeviceView, type PolicyCapabilities, type TimerHandle,
} from "@pinlab/core";
import { bytesToString, hex, stringToBytes } from "../shared/bytes.js";
import { emitDeviceEvent } from "../shared/device-events.js";
import { NameAllocator } from "../shared/names.js";
import { failed, succeeded } from "../shared/results.js";
import { ibAccessDmaWrite, ibAccessWritable, ibCheckMrAccess, type IbAccess } from "../shared/ib-access.js";
import { ibUmemGet, ibUmemRelease, type IbUmem, type UmemPinCall } from "./ib-umem.js";
import type { deregMrFields, dmaReadFields, dmaWriteFields, regMrFields } from "../shared/mr-fields.js";
import type { rdmaMrActions, RdmaMrOptions } from "./rdma-mr-meta.js";

/** The device kind. */
export const RDMA_MR_KIND = "rdma-mr";

/** One registered memory region (`struct ib_mr` with its umem). */
interface MemoryRegion {
  readonly name: string;
  readonly access: readonly IbAccess[];
  readonly umem: IbUmem;
  /** dma_writes posted and not yet landed. */
  readonly posted: Set<TimerHandle>;
}

/**
 * Resolve the `pinCall` option: `auto` follows the kernel the driver is built for, the RFC's
 * `vaddr_pin_pages()` where the policy has file pins (patches 15-16/19), else v6.12's
 * `pin_user_pages_fast()`.
 */
export function resolveUmemPinCall(option: RdmaMrOptions["pinCall"], policy: Pick<PolicyCapabilities, "filePins">): UmemPinCall {
  if (option !== "auto") return option;
  return policy.filePins ? "vaddr_pin_pages" : "pin_user_pages_fast";
}

/** An RDMA HCA with long-term registered memory regions. */
export class RdmaMrDevice implements DeviceInstance<typeof rdmaMrActions> {
  /** The device name. */
  readonly name: string;
  /** @inheritDoc */
  readonly actions: ActionHandlers<typeof rdmaMrActions> = {
    reg_mr: (args, call) => this.regMr(args, call.as),
    dereg_mr: (args) => this.deregMr(args),
    dma_write: (args) => this.dmaWrite(args),
    dma_read: (args) => this.dmaRead(args),
  };
  private readonly regions = new Map<string, MemoryRegion>();
  private readonly names = new NameAllocator("mr");
  private readonly counters = {
    registrations: 0, deregistrations: 0, failedRegistrations: 0, dmaWrites: 0, dmaReads: 0, bytesWritten: 0, bytesRead: 0, postedWritesFlushed: 0,
    dmaErrors: 0,
  };

  /** Build the device from its context. */
  constructor(private readonly ctx: DeviceContext<RdmaMrOptions>) {
    this.name = ctx.name;
  }

  /** @inheritDoc */
  view(): DeviceView {
    const frames: { pfn: number; label: string }[] = [];
    let pages = 0;
    let posted = 0;
    for (const r of this.regions.values()) {
      r.umem.frames.forEach((pfn, i) => frames.push({ pfn, label: `${r.name}:${i}` }));
      pages += r.umem.frames.length;
      posted += r.posted.size;
    }
    return { frames, counters: { ...this.counters, regions: this.regions.size, pagesPinned: pages, postedWrites: posted } };
  }

  /** `ibv_reg_mr` → `ib_uverbs_reg_mr` → `ib_umem_get`. */
  private regMr({ proc, addr, length, access = [] }: ActionArgs<typeof regMrFields>, as: string | undefined): DeviceActionResult {
    const bad = ibCheckMrAccess(access);
    if (bad !== 0) return this.regFailed(-bad, "remote write or remote atomic access needs local write (ib_check_mr_access)");
    const inUse = (n: string) => this.regions.has(n);
    const conflict = this.names.conflict(as, inUse);
    if (conflict !== undefined) return failed(EINVAL, conflict);
    const pinCall = resolveUmemPinCall(this.ctx.options.pinCall, this.ctx.policyCapabilities);
    const writable = ibAccessWritable(access);
    const umem = ibUmemGet(this.ctx, proc, addr, length, {
      writable, capIpcLock: this.ctx.options.capIpcLock, pinCall,
      ...(pinCall === "vaddr_pin_pages" ? { owner: { file: `${this.name}:uverbs` } } : {}),
    });
    if (typeof umem === "number") return this.regFailed(umem, `ib_umem_get of ${length} bytes at ${hex(addr)} in ${proc.name} failed`);
    const name = this.names.claim(as, inUse);
    this.regions.set(name, { name, access, umem, posted: new Set() });
    this.counters.registrations++;
    emitDeviceEvent(this.ctx, RDMA_MR_KIND, "reg_mr", {
      region: name, pid: proc.pid, addr, length, pages: umem.frames.length, sgEntries: umem.sg.entries.length,
      chunks: umem.chunks, writable, pinCall, pinnedVm: umem.owningMm.pinnedVm,
    });
    return succeeded(name, name);
  }

  private regFailed(errno: number, message: string): DeviceActionResult {
    this.counters.failedRegistrations++;
    emitDeviceEvent(this.ctx, RDMA_MR_KIND, "reg_mr", { errno: errnoName(errno) ?? String(errno) });
    return failed(errno, message);
  }

  /** `ibv_dereg_mr` → `ib_umem_release`. Posted writes that have not landed are flushed in error. */
  private deregMr(args: ActionArgs<typeof deregMrFields>): DeviceActionResult {
    const r = this.region(args.region);
    if (typeof r === "string") return failed(ENOENT, r);
    let flushed = 0;
    for (const h of r.posted) if (h.cancel()) flushed++;
    this.counters.postedWritesFlushed += flushed;
    ibUmemRelease(this.ctx, r.umem);
    this.regions.delete(r.name);
    this.counters.deregistrations++;
    emitDeviceEvent(this.ctx, RDMA_MR_KIND, "dereg_mr", {
      region: r.name, pages: r.umem.frames.length, dirtied: r.umem.writable, flushedWrites: flushed, pinnedVm: r.umem.owningMm.pinnedVm,
    });
    return succeeded();
  }

  /** The HCA writes `data` at `offset` of the region (a receive, an RDMA WRITE from a peer). */
  private dmaWrite({ region, offset, data: text }: ActionArgs<typeof dmaWriteFields>): DeviceActionResult {
    const r = this.region(region);
    if (typeof r === "string") return failed(ENOENT, r);
    if (!ibAccessDmaWrite(r.access)) return failed(EPERM, `region "${r.name}" was registered without local_write, remote_write or remote_atomic access`);
    const data = stringToBytes(text);
    const bad = this.checkBounds(r, offset, data.length);
    if (bad !== undefined) return failed(EINVAL, bad);
    // A transfer the IOMMU refuses (the `dma` fault point) moves nothing: the work request
    // completes in error, counted in dmaErrors.
    const land = (): DmaError | undefined => {
      const err = catchDmaError(() => this.ctx.dma.write(this.ctx.holder, r.umem.frames, this.byteOffset(r, offset), data));
      if (err instanceof DmaError) {
        this.counters.dmaErrors++;
        return err;
      }
      this.counters.dmaWrites++;
      this.counters.bytesWritten += data.length;
      return undefined;
    };
    const latency = this.ctx.options.dmaLatency;
    if (latency === 0) {
      const err = land();
      return err === undefined ? succeeded(data.length) : failed(EIO, err.message);
    }
    const handle = this.ctx.clock.schedule(latency, `${this.name}:dma_write`, () => {
      r.posted.delete(handle);
      const err = land();
      emitDeviceEvent(this.ctx, RDMA_MR_KIND, "dma_complete", { region: r.name, offset, length: data.length, ...(err !== undefined ? { errno: "EIO" } : {}) });
    });
    r.posted.add(handle);
    return succeeded(data.length);
  }

  /** The HCA reads `length` bytes at `offset` of the region (a send, an RDMA READ from a peer). */
  private dmaRead({ region, offset, length }: ActionArgs<typeof dmaReadFields>): DeviceActionResult {
    const r = this.region(region);
    if (typeof r === "string") return failed(ENOENT, r);
    const bad = this.checkBounds(r, offset, length);
    if (bad !== undefined) return failed(EINVAL, bad);
    const bytes = catchDmaError(() => this.ctx.dma.read(this.ctx.holder, r.umem.frames, this.byteOffset(r, offset), length));
    if (bytes instanceof DmaError) {
      this.counters.dmaErrors++;
      return failed(EIO, bytes.message);
    }
    this.counters.dmaReads++;
    this.counters.bytesRead += length;
    return succeeded(bytesToString(bytes));
  }

  private region(name: string): MemoryRegion | string {
    return this.regions.get(name) ?? `no memory region named "${name}" is registered on ${this.name}`;
  }

  /** Region offsets count from the registered address (the IOVA), not from its first page. */
  private byteOffset(r: MemoryRegion, offset: number): number {
    return (r.umem.address % PAGE_SIZE) + offset;
  }

  private checkBounds(r: MemoryRegion, offset: number, length: number): string | undefined {
    if (offset + length <= r.umem.length) return undefined;
    return `${length} bytes at offset ${offset} do not fit in region "${r.name}" of ${r.umem.length} bytes`;
  }
}
