import { inject, injectable } from "tsyringe";
import { EVENTS } from "../events/event-bus.js";
import { KERNEL } from "../kernel/context.js";
import { ORACLE } from "../oracle/oracle.js";
import { EIO, KernelError, ModelError } from "../errno.js";
import type { EventBus } from "../events/event-bus.js";
import type { HolderRef } from "../events/event-types.js";
import type { KernelContext } from "../kernel/context.js";
import type { HoldRequest, Oracle } from "../oracle/oracle.js";
import { forEachPageChunk, PAGE_SIZE } from "../sim/units.js";
import { createToken } from "../di/tokens.js";
import { FAULTS, type FaultInjector } from "../sim/fault-injection.js";

/**
 * A DMA transfer that failed: fault injection's `dma` point, modelling an IOMMU fault or a
 * `dma_mapping_error()` (kernel/dma/mapping.c, v6.12) on the way to the frames. Nothing was
 * transferred: no byte moved, the oracle saw nothing, no `dma` event was emitted. A driver
 * completes the operation with EIO, as a block driver ends a bio with `BLK_STS_IOERR` and an
 * RDMA device a work request with an error status.
 */
export class DmaError extends KernelError {
  /** The device (or handle) whose transfer failed. */
  readonly holder: HolderRef;

  /** The failed `op` of `length` bytes by `holder`. */
  constructor(holder: HolderRef, op: "read" | "write", length: number) {
    super(EIO, `DMA ${op} of ${length} bytes by ${holder.name} failed (injected IOMMU fault)`);
    this.name = "DmaError";
    this.holder = holder;
  }
}

/**
 * Run one DMA transfer (or a few, stopping at the first that fails) and hand a failed one back
 * as its {@link DmaError} instead of throwing it; any other exception goes through. For device
 * handlers and clock callbacks: `const r = catchDmaError(() => ctx.dma.read(...))`, then
 * `if (r instanceof DmaError)` complete the operation with EIO.
 */
export function catchDmaError<T>(transfer: () => T): T | DmaError {
  try {
    return transfer();
  } catch (e) {
    if (e instanceof DmaError) return e;
    throw e;
  }
}

/**
 * The one way a device touches memory: DMA reads and writes of frames, on the virtual clock.
 * Every access is shown to the hazard oracle first and emitted as one `dma` event per call.
 * Frames are addressed as a device does: a list of frames (a scatter list, a mirror) and a
 * byte offset into their concatenation.
 *
 * Each {@link write} and {@link read} is one call of the `dma` fault point: when fault injection
 * fails it, the call throws a {@link DmaError} (a `KernelError` with errno EIO) before touching
 * any frame. A device action that lets it through answers EIO; a device must catch it in clock
 * callbacks (a posted write, an IO completion), where nothing may throw.
 */
@injectable()
export class DmaEngine {
  /** Bytes written and read by DMA so far. */
  readonly totals = { written: 0, read: 0 };

  /** Build the DMA engine of a kernel. */
  constructor(
    @inject(KERNEL) private readonly k: KernelContext,
    @inject(ORACLE) private readonly oracle: Oracle,
    @inject(EVENTS) private readonly events: EventBus,
    @inject(FAULTS) private readonly faults: FaultInjector,
  ) {}

  /**
   * `dma_map_page()` (kernel/dma/mapping.c, v6.12) of frames a device will use without holding a
   * GUP reference on them (an ODP mirror filling entries after `hmm_range_fault()`): from now on
   * the oracle checks the device's DMA to them against what they were when mapped.
   */
  mapPages(holder: HolderRef, pages: readonly HoldRequest[]): void {
    this.oracle.hold(holder, pages);
  }

  /** `dma_unmap_page()` (kernel/dma/mapping.c, v6.12): the device stopped using `frames` (mirror entries zapped). */
  unmapPages(holder: HolderRef, frames: ArrayLike<number>): void {
    this.oracle.drop(holder, frames);
  }

  /**
   * DMA-write `data` into `frames` starting at byte `offset` of their concatenation. Throws a
   * {@link DmaError} (EIO), having written nothing, when fault injection fails the transfer.
   */
  write(holder: HolderRef, frames: ArrayLike<number>, offset: number, data: Uint8Array): void {
    this.checkRange(frames, offset, data.length);
    if (this.faults.shouldFail("dma")) throw new DmaError(holder, "write", data.length);
    const touched = this.walk(frames, offset, data.length, (pfn, off, bufOff, len) => {
      this.oracle.checkDma(holder, pfn, true);
      this.k.memory.contents.write(pfn, off, data.subarray(bufOff, bufOff + len));
    });
    this.totals.written += data.length;
    this.events.emit("dma", { device: holder.name, op: "write", pfns: touched, length: data.length });
  }

  /**
   * DMA-read `length` bytes from `frames` starting at byte `offset`. Throws a {@link DmaError}
   * (EIO), having read nothing, when fault injection fails the transfer.
   */
  read(holder: HolderRef, frames: ArrayLike<number>, offset: number, length: number): Uint8Array {
    this.checkRange(frames, offset, length);
    if (this.faults.shouldFail("dma")) throw new DmaError(holder, "read", length);
    const out = new Uint8Array(length);
    const touched = this.walk(frames, offset, length, (pfn, off, bufOff, len) => {
      this.oracle.checkDma(holder, pfn, false);
      this.k.memory.contents.read(pfn, off, len, out, bufOff);
    });
    this.totals.read += length;
    this.events.emit("dma", { device: holder.name, op: "read", pfns: touched, length });
    return out;
  }

  /** A transfer outside the buffer is a misuse by the device, reported before any fault is injected. */
  private checkRange(frames: ArrayLike<number>, offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > frames.length * PAGE_SIZE) {
      throw new ModelError("dma-range", `DMA of ${length} bytes at offset ${offset} is outside the ${frames.length * PAGE_SIZE}-byte buffer`);
    }
  }

  private walk(frames: ArrayLike<number>, offset: number, length: number, fn: (pfn: number, off: number, bufOff: number, len: number) => void): number {
    let touched = 0;
    forEachPageChunk(offset, length, (i, off, done, len) => {
      fn(frames[i], off, done, len);
      touched++;
    });
    return touched;
  }
}

/** The token of a kernel instance's DMA engine, the one way devices touch frames. */
export const DMA = createToken<DmaEngine>("DMA");
