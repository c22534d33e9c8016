/**
 * One direct IO, as `iomap_dio_rw()` builds and finishes it (fs/iomap/direct-io.c, Linux v6.12):
 * submission takes hold of the user buffer, completion moves the data and lets go.
 * @module
 */
import {
  catchDmaError, DmaError, EIO, PAGE_SIZE,
  type DeviceContext, type Inode, type Process, type TimerHandle,
} from "@pinlab/core";
import type { DirectIoOptions } from "./direct-io-meta.js";
import { bioCheckPagesDirty, bioReleasePages, iovIterExtractPages, type ExtractedPages } from "./iov-iter-extract.js";

/** A direct IO in flight. */
export interface DioRequest {
  /** Its name. */
  readonly name: string;
  /** `read`: file to user memory. `write`: user memory to file. */
  readonly op: "read" | "write";
  /** The process whose buffer it is. */
  readonly proc: Process;
  /** The file. */
  readonly inode: Inode;
  /** Byte offset in the file. */
  readonly fileOffset: number;
  /** The user pages held for the bio. */
  readonly held: ExtractedPages;
  /** The completion on the clock, when the IO has latency. */
  timer?: TimerHandle;
}

/** What submission produced, before the device names the IO. */
export type DioSubmission = Omit<DioRequest, "name" | "timer">;

/** What a completed IO did. */
export interface DioCompletion {
  /** Bytes moved. */
  readonly bytes: number;
  /** Pages found cleaned at completion and dirtied again (reads). */
  readonly redirtied: number;
  /** `-errno` when the IO failed: EIO for a failed DMA transfer, ENOMEM or ENOSPC for a file page. */
  readonly error?: number;
}

/**
 * Submission (`iomap_dio_bio_iter`, fs/iomap/direct-io.c, v6.12): clamp a read at EOF, extract
 * the user pages (`bio_iov_iter_get_pages`), and for a read into user memory mark them dirty
 * first (`bio_set_pages_dirty`, IOMAP_DIO_DIRTY). Returns the submission, 0 when there is nothing to transfer (a read at or past EOF), or `-errno`.
 */
export function iomapDioSubmit(
  ctx: DeviceContext<DirectIoOptions>, op: "read" | "write", proc: Process, addr: number, length: number, inode: Inode, fileOffset: number,
): DioSubmission | number {
  const bytes = op === "read" ? Math.min(length, Math.max(0, inode.size - fileOffset)) : length;
  if (bytes === 0) return 0;
  const held = iovIterExtractPages(ctx, proc, addr, bytes, op === "read", ctx.options.pinCall);
  if (typeof held === "number") return held;
  if (op === "read") for (let i = 0; i < held.npages; i++) ctx.pages.setPageDirtyLock(held.pages[i]);
  return { op, proc, inode, fileOffset, held };
}

/**
 * Completion (`iomap_dio_bio_end_io`, fs/iomap/direct-io.c, v6.12): a read DMA-writes what the file holds now into the held
 * frames and ends with `bio_check_pages_dirty`; a write DMA-reads the held frames, writes the bytes
 * to the disk (FS-DAX: into its frames), and ends with `bio_release_pages(bio, false)`. A DMA
 * transfer that fails (the `dma` fault point) is a bio ending with `bi_status` set: the IO's
 * error is EIO (`iomap_dio_set_error`), nothing moved, and the pages are released all the same,
 * through `bio_check_pages_dirty` for a read as on success.
 */
export function iomapDioComplete(ctx: DeviceContext<DirectIoOptions>, req: DioRequest): DioCompletion {
  const { held } = req;
  if (req.op === "read") {
    const data = ctx.pageCache.readFileData(req.inode, req.fileOffset, held.bytes);
    const err = catchDmaError(() => ctx.dma.write(ctx.holder, held.pages.slice(0, held.npages), held.offset, data));
    const redirtied = bioCheckPagesDirty(ctx, held);
    return err instanceof DmaError ? { bytes: 0, redirtied, error: -EIO } : { bytes: data.length, redirtied };
  }
  const data = catchDmaError(() => ctx.dma.read(ctx.holder, held.pages.slice(0, held.npages), held.offset, held.bytes));
  const error = data instanceof DmaError ? -EIO : writeFilePages(ctx, req.inode, req.fileOffset, data);
  bioReleasePages(ctx, held, false);
  return { bytes: error < 0 || data instanceof DmaError ? 0 : data.length, redirtied: 0, ...(error < 0 ? { error } : {}) };
}

/**
 * Store `data` at `offset` of `inode`. A block device's bios write the disk, not the page cache
 * (`iomap_dio_bio_iter()` -> `submit_bio()`, fs/iomap/direct-io.c, v6.12): the bytes reach the
 * backing store at once (a copy the cache holds gets them too) and no page is dirtied; found with
 * `pinlab host` on 6.18, where `file_data ... from: disk` reads a direct write at once. FS-DAX,
 * whose page frames are the storage, stores through them (find or create each page, write through
 * the DMA engine, dirty it as a write does). Returns 0 or `-errno`.
 */
function writeFilePages(ctx: DeviceContext<DirectIoOptions>, inode: Inode, offset: number, data: Uint8Array): number {
  const pc = ctx.pageCache;
  if (!inode.fs.dax) {
    pc.writeDirect(inode, offset, data);
    return 0;
  }
  const oldSize = inode.size;
  if (offset + data.length > inode.size) inode.size = offset + data.length;
  const first = Math.floor(offset / PAGE_SIZE);
  const last = Math.floor((offset + data.length - 1) / PAGE_SIZE);
  const frames: number[] = [];
  for (let index = first; index <= last; index++) {
    const pfn = pc.filemapGetPage(inode, index);
    if (pfn < 0) return pfn;
    frames.push(pfn);
  }
  if (catchDmaError(() => ctx.dma.write(ctx.holder, frames, offset - first * PAGE_SIZE, data)) instanceof DmaError) {
    // Nothing reached the file: i_size does not move (a failed DIO write extends nothing).
    inode.size = oldSize;
    return -EIO;
  }
  for (const pfn of frames) pc.pageMkwrite(inode, pfn);
  return 0;
}
