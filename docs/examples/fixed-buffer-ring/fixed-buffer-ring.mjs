// @ts-check
/**
 * fixed-buffer-ring: an example out-of-tree pinlab device plugin.
 *
 * An io_uring-style ring with registered ("fixed") buffers, after io_uring/rsrc.c and
 * io_uring/rw.c (Linux v6.12):
 *
 * - `register_buffers` is `io_sqe_buffers_register()`: each buffer is pinned long-term with
 *   `pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM)` (`io_pin_pages`); a partial pin unpins what
 *   it got and fails with EFAULT; the pages are then charged against RLIMIT_MEMLOCK
 *   (`io_account_mem`, ENOMEM past it unless CAP_IPC_LOCK). Any failure unregisters everything.
 * - `read_fixed` / `write_fixed` are IORING_OP_READ_FIXED / WRITE_FIXED with O_DIRECT: the block
 *   layer gets a BVEC iterator over the registered pages (`io_import_fixed`), so it neither pins
 *   nor dirties them (reference row 32): the ring's long-term pin is all that holds them.
 * - `unregister` is `io_sqe_buffers_unregister()`: `unpin_user_page()` on each page, without
 *   dirtying, and the memlock charge is given back.
 *
 * The plugin is one plain ES module that imports only `@pinlab/core` and `zod`. It exports its
 * descriptor as the default export and a `register(container)` that contributes it, which is all
 * a loader needs.
 *
 * @module
 */
import {
  actionFields, catchDmaError, defineDevice, DmaError, registerDevice, timeField,
  EBUSY, EFAULT, EINVAL, ENOMEM, FOLL_LONGTERM, FOLL_WRITE, PAGE_SIZE,
} from "@pinlab/core";
import { z } from "zod";

/** IORING_MAX_REG_BUFFERS. */
const IORING_MAX_REG_BUFFERS = 1 << 14;
/** io_buffer_validate(): one buffer may not exceed 1 GiB. */
const MAX_BUFFER_BYTES = 1 << 30;

const options = z
  .object({
    capIpcLock: z.boolean().default(false).describe("the caller has CAP_IPC_LOCK: no RLIMIT_MEMLOCK check"),
    // prefault: the default is given as a scenario writes it, and parsed like one.
    latency: timeField.prefault("0ns").describe("time a read_fixed / write_fixed takes to complete (0 = within the step)"),
  })
  .strict();

const registerFields = z
  .object({ proc: actionFields.proc, addr: actionFields.addr, length: actionFields.size, count: z.number().int().min(1).optional() })
  .strict();

const fixedIoFields = z
  .object({ index: z.number().int().nonnegative(), offset: actionFields.size, length: actionFields.size, file: actionFields.file, file_offset: actionFields.size })
  .strict();

/**
 * @typedef {object} FixedBuffer  One registered buffer (`struct io_mapped_ubuf`).
 * @property {number} ubuf    Its user address.
 * @property {number} len     Its length in bytes.
 * @property {number[]} pages The pinned frames (`imu->bvec`).
 */

/**
 * @typedef {object} RingState  What one ring holds.
 * @property {FixedBuffer[] | null} buffers  The registered table (`ctx->buf_table`), or none.
 * @property {import("@pinlab/core").MmStruct | null} mm  The mm charged (`ctx->mm_account`).
 * @property {number} acct   Pages charged.
 * @property {number} inFlight  Fixed IOs not yet completed.
 */

/** The `fixed-buffer-ring` device descriptor. */
const fixedBufferRing = defineDevice({
  meta: {
    id: "fixed-buffer-ring",
    summary: "io_uring registered buffers: long-term FOLL_PIN at registration, fixed IO through them without further pins",
    driver: "io_uring registered buffers (io_uring/rsrc.c io_sqe_buffers_register, io_uring/rw.c; Linux v6.12)",
    description:
      "An io_uring ring whose buffers are registered once (pinned FOLL_WRITE | FOLL_LONGTERM and charged to RLIMIT_MEMLOCK) " +
      "and then used by READ_FIXED / WRITE_FIXED without any per-IO pin; the pages are never dirtied by the ring.",
    options,
    actions: {
      register_buffers: {
        summary: "register `count` buffers of `length` bytes each, back to back from `addr` (io_sqe_buffers_register)",
        fields: registerFields,
        result: "the number of buffers registered",
      },
      read_fixed: { summary: "O_DIRECT read of the file into registered buffer `index` at `offset`", fields: fixedIoFields, result: "bytes read" },
      write_fixed: { summary: "O_DIRECT write from registered buffer `index` at `offset` into the file", fields: fixedIoFields, result: "bytes written" },
      unregister: { summary: "unpin every registered buffer and give the memlock charge back", fields: z.object({}).strict(), releases: true },
    },
  },
  create(ctx) {
    /** @type {RingState} */
    const ring = { buffers: null, mm: null, acct: 0, inFlight: 0 };
    const counters = { registered: 0, fixedReads: 0, fixedWrites: 0, bytesRead: 0, bytesWritten: 0, ioErrors: 0 };
    const holder = ctx.holder;
    /** @param {string} action @param {Record<string, unknown>} detail */
    const emit = (action, detail) => ctx.events.emit("device", { device: ctx.name, kind: "fixed-buffer-ring", action, detail });
    /** @param {number} errno @param {string} message @returns {import("@pinlab/core").DeviceActionResult} */
    const fail = (errno, message) => ({ ok: false, errno: Math.abs(errno), message });

    /** `__io_sqe_buffers_unregister()`: unpin every page (no dirtying), uncharge. */
    function unregisterAll() {
      for (const b of ring.buffers ?? []) for (const pfn of b.pages) ctx.gup.unpinUserPage(pfn, { holder });
      if (ring.mm !== null) ctx.memlock.uncharge(ring.mm, ring.acct);
      ring.buffers = null;
      ring.mm = null;
      ring.acct = 0;
    }

    /**
     * `io_import_fixed()`: find the registered pages behind [offset, offset + length) of buffer `index`.
     * @param {number} index @param {number} offset @param {number} length
     * @returns {{ frames: number[], byteOffset: number, length: number } | import("@pinlab/core").DeviceActionResult}
     */
    function importFixed(index, offset, length) {
      const buf = ring.buffers?.[index];
      if (buf === undefined) return fail(EFAULT, `no registered buffer ${index}`);
      if (offset + length > buf.len) return fail(EFAULT, `${length} bytes at ${offset} leave buffer ${index} (${buf.len} bytes)`);
      return { frames: buf.pages, byteOffset: (buf.ubuf % PAGE_SIZE) + offset, length };
    }

    /** Run `fn` now or after the ring's latency. @param {() => void} fn */
    function complete(fn) {
      if (ctx.options.latency === 0) return fn();
      ring.inFlight++;
      ctx.clock.schedule(ctx.options.latency, `${ctx.name}:fixed-io`, () => {
        ring.inFlight--;
        fn();
      });
    }

    return {
      actions: {
        register_buffers({ proc, addr, length, count = 1 }) {
          if (ring.buffers !== null) return fail(EBUSY, "buffers are already registered on this ring");
          if (count > IORING_MAX_REG_BUFFERS) return fail(EINVAL, `at most ${IORING_MAX_REG_BUFFERS} buffers`);
          if (length === 0 || length > MAX_BUFFER_BYTES) return fail(EFAULT, "a buffer must hold 1 byte to 1 GiB (io_buffer_validate)");
          const mm = proc.mm;
          if (mm === null) return fail(EFAULT, `${proc.name} has no address space`);
          ring.buffers = [];
          ring.mm = mm;
          for (let i = 0; i < count; i++) {
            const ubuf = addr + i * length;
            const first = Math.floor(ubuf / PAGE_SIZE);
            const nrPages = Math.ceil((ubuf + length) / PAGE_SIZE) - first;
            /** @type {number[]} */
            const pages = new Array(nrPages);
            // io_pin_pages(): all or nothing.
            const got = ctx.gup.pinUserPagesFast(proc, first * PAGE_SIZE, nrPages, FOLL_WRITE | FOLL_LONGTERM, pages, { holder });
            if (got !== nrPages) {
              if (got > 0) ctx.gup.unpinUserPages(pages, got, { holder });
              unregisterAll();
              return fail(got < 0 ? got : EFAULT, `buffer ${i} at 0x${ubuf.toString(16)} could not be pinned`);
            }
            // io_buffer_account_pin() -> io_account_mem(): charged after pinning, checked against RLIMIT_MEMLOCK.
            if (!ctx.memlock.charge(mm, nrPages, ctx.options.capIpcLock)) {
              ctx.gup.unpinUserPages(pages, got, { holder });
              unregisterAll();
              return fail(ENOMEM, "RLIMIT_MEMLOCK exceeded");
            }
            ring.acct += nrPages;
            ring.buffers.push({ ubuf, len: length, pages });
          }
          counters.registered += count;
          emit("register_buffers", { pid: proc.pid, buffers: count, pages: ring.acct });
          return { ok: true, value: count };
        },

        read_fixed({ index, offset, length, file, file_offset: pos }) {
          const io = importFixed(index, offset, length);
          if ("ok" in io) return io;
          complete(() => {
            // A BVEC bio: the DMA lands in the registered pages; nothing marks them dirty.
            const data = ctx.pageCache.readFileData(file, pos, io.length);
            // A refused transfer (an IOMMU fault) moved nothing: the IO completes with EIO.
            if (catchDmaError(() => ctx.dma.write(holder, io.frames, io.byteOffset, data)) instanceof DmaError) {
              counters.ioErrors++;
              return emit("complete", { op: "read_fixed", errno: "EIO" });
            }
            counters.fixedReads++;
            counters.bytesRead += data.length;
            emit("complete", { op: "read_fixed", bytes: data.length });
          });
          return { ok: true, value: io.length };
        },

        write_fixed({ index, offset, length, file, file_offset: pos }) {
          const io = importFixed(index, offset, length);
          if ("ok" in io) return io;
          complete(() => {
            const data = catchDmaError(() => ctx.dma.read(holder, io.frames, io.byteOffset, io.length));
            if (data instanceof DmaError) {
              counters.ioErrors++;
              return emit("complete", { op: "write_fixed", errno: "EIO" });
            }
            if (pos + data.length > file.size) file.size = pos + data.length;
            /** @type {number[]} */
            const filePages = [];
            for (let page = Math.floor(pos / PAGE_SIZE); page * PAGE_SIZE < pos + data.length; page++) filePages.push(ctx.pageCache.filemapGetPage(file, page));
            if (filePages.some((p) => p < 0)) return emit("complete", { op: "write_fixed", errno: "ENOSPC" });
            if (catchDmaError(() => ctx.dma.write(holder, filePages, pos % PAGE_SIZE, data)) instanceof DmaError) {
              counters.ioErrors++;
              return emit("complete", { op: "write_fixed", errno: "EIO" });
            }
            for (const pfn of filePages) ctx.pageCache.pageMkwrite(file, pfn);
            counters.fixedWrites++;
            counters.bytesWritten += data.length;
            emit("complete", { op: "write_fixed", bytes: data.length });
          });
          return { ok: true, value: io.length };
        },

        unregister() {
          if (ring.buffers === null) return fail(EINVAL, "no buffers are registered");
          if (ring.inFlight > 0) return fail(EBUSY, `${ring.inFlight} fixed IO(s) still in flight`);
          emit("unregister", { pages: ring.acct });
          unregisterAll();
          return { ok: true };
        },
      },
      view() {
        const frames = (ring.buffers ?? []).flatMap((b, i) => b.pages.map((pfn, j) => ({ pfn, label: `buf${i}:${j}` })));
        return { frames, counters: { ...counters, buffers: ring.buffers?.length ?? 0, pagesPinned: ring.acct, inFlight: ring.inFlight } };
      },
    };
  },
});

export default fixedBufferRing;

/**
 * Contribute this plugin to a pinlab container (what `@pinlab/devices`' `register` does for its own).
 * @param {Parameters<typeof registerDevice>[0]} container
 */
export function register(container) {
  registerDevice(container, fixedBufferRing, "docs/examples/fixed-buffer-ring");
}
