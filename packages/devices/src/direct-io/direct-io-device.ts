/**
 * A `direct-io` device instance: the IOs in flight and their completion on the clock.
 * @module
 */
import {
  EINVAL, errnoName,
  type ActionArgs, type ActionHandlers, type DeviceActionResult, type DeviceContext, type DeviceInstance, type DeviceView,
} from "@pinlab/core";
import { hex } from "../shared/bytes.js";
import { emitDeviceEvent } from "../shared/device-events.js";
import { NameAllocator } from "../shared/names.js";
import { failed, succeeded } from "../shared/results.js";
import type { dioFields, directIoActions, DirectIoOptions } from "./direct-io-meta.js";
import { iomapDioComplete, iomapDioSubmit, type DioRequest } from "./iomap-dio.js";

/** The device kind. */
export const DIRECT_IO_KIND = "direct-io";

/** A block device serving O_DIRECT reads and writes. */
export class DirectIoDevice implements DeviceInstance<typeof directIoActions> {
  /** The device name. */
  readonly name: string;
  /** @inheritDoc */
  readonly actions: ActionHandlers<typeof directIoActions> = {
    read: (args, call) => this.submit("read", args, call.as),
    write: (args, call) => this.submit("write", args, call.as),
  };
  private readonly inFlight = new Map<string, DioRequest>();
  private readonly names = new NameAllocator("io");
  private readonly counters = {
    submitted: 0, completed: 0, failed: 0, shortIos: 0, bytesRead: 0, bytesWritten: 0, pagesRedirtied: 0,
  };

  /** Build the device from its context. */
  constructor(private readonly ctx: DeviceContext<DirectIoOptions>) {
    this.name = ctx.name;
  }

  /** @inheritDoc */
  view(): DeviceView {
    const frames: { pfn: number; label: string }[] = [];
    let pages = 0;
    for (const io of this.inFlight.values()) {
      for (let i = 0; i < io.held.npages; i++) frames.push({ pfn: io.held.pages[i], label: `${io.name}:${i} ${io.op}` });
      pages += io.held.npages;
    }
    return { frames, counters: { ...this.counters, inFlight: this.inFlight.size, pagesHeld: pages } };
  }

  /** `read(2)` / `write(2)` on an O_DIRECT file descriptor: submit now, complete after `latency`. */
  private submit(op: "read" | "write", { proc, addr, length, file: inode, offset }: ActionArgs<typeof dioFields>, as: string | undefined): DeviceActionResult {
    const bs = this.ctx.options.logicalBlockSize;
    if (addr % bs !== 0 || length % bs !== 0 || offset % bs !== 0) {
      return failed(EINVAL, `O_DIRECT needs the buffer address, length and file offset aligned to the ${bs}-byte logical block size`);
    }
    if (length === 0) return succeeded(0);
    const inUse = (n: string) => this.inFlight.has(n);
    const conflict = this.names.conflict(as, inUse);
    if (conflict !== undefined) return failed(EINVAL, conflict);
    const req = iomapDioSubmit(this.ctx, op, proc, addr, length, inode, offset);
    if (req === 0) return succeeded(0);
    if (typeof req === "number") {
      this.counters.failed++;
      emitDeviceEvent(this.ctx, DIRECT_IO_KIND, "submit", { op, pid: proc.pid, file: inode.name, errno: errnoName(req) ?? String(req) });
      return failed(req, `${op} of ${length} bytes at ${hex(addr)}: the user buffer could not be pinned`);
    }
    const io: DioRequest = { ...req, name: this.names.claim(as, inUse) };
    const short = io.held.bytes < (op === "read" ? Math.min(length, inode.size - offset) : length);
    this.counters.submitted++;
    if (short) this.counters.shortIos++;
    emitDeviceEvent(this.ctx, DIRECT_IO_KIND, "submit", {
      io: io.name, op, pid: proc.pid, file: inode.name, offset, bytes: io.held.bytes, pages: io.held.npages, pinCall: io.held.mode, short,
    });
    const latency = this.ctx.options.latency;
    if (latency === 0) {
      this.complete(io);
    } else {
      this.inFlight.set(io.name, io);
      io.timer = this.ctx.clock.schedule(latency, `${this.name}:${io.name}`, () => this.complete(io));
    }
    return succeeded(io.name, io.name);
  }

  /** Complete `io` (on the clock, or at once without latency); a failure is counted and carried by the `complete` event. */
  private complete(io: DioRequest): void {
    this.inFlight.delete(io.name);
    const done = iomapDioComplete(this.ctx, io);
    if (done.error !== undefined) this.counters.failed++;
    else this.counters.completed++;
    if (io.op === "read") this.counters.bytesRead += done.bytes;
    else this.counters.bytesWritten += done.bytes;
    this.counters.pagesRedirtied += done.redirtied;
    emitDeviceEvent(this.ctx, DIRECT_IO_KIND, "complete", {
      io: io.name, op: io.op, bytes: done.bytes, redirtied: done.redirtied, ...(done.error !== undefined ? { errno: errnoName(done.error) ?? String(done.error) } : {}),
    });
  }
}
