// @ts-check
/**
 * fixed-buffer-ring: an example out-of-tree pinlab device plugin.
 *
 * An io_uring-style ring with registered ("fixed") buffers, after io_uring/rsrc.c and
 * io_uring/rw.c (Linux v6.12):
 *
 * - `register_buffers` is `io_sqe_buffers_register()`: each buffer is pinned long-term with
 *   `pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM)` (`io_pin_pages`); a partial pin unpins what
 *   it got and fails with EFAULT; the pages are then charged (`io_buffer_account_pin`): a small
 *   page counts one, a page of a huge (compound) page counts the whole compound page, once per
 *   ring. The charge is checked against RLIMIT_MEMLOCK on the *user's* `locked_vm`
 *   (`__io_account_mem`, ENOMEM past it; skipped when the ring was set up with CAP_IPC_LOCK) and
 *   added, unchecked, to the mm's `pinned_vm` (`io_account_mem`). Any failure unregisters
 *   everything.
 * - `read_fixed` / `write_fixed` are IORING_OP_READ_FIXED / WRITE_FIXED with O_DIRECT: the block
 *   layer gets a BVEC iterator over the registered pages (`io_import_fixed`), so it neither pins
 *   nor dirties them (reference row 32): the ring's long-term pin is all that holds them.
 * - `unregister` is `io_sqe_buffers_unregister()`: `unpin_user_page()` on each page, without
 *   dirtying, and each buffer's charge is given back to both counters (`io_unaccount_mem`).
 *
 * The plugin is one plain ES module that imports only `@pinlab/core` and `zod`. It exports its
 * descriptor as the default export and a `register(container)` that contributes it, which is all
 * a loader needs.
 *
 * @module
 */
import {
  actionFields, catchDmaError, defineDevice, DmaError, registerDevice, timeField,
  EBUSY, EFAULT, EINVAL, FOLL_LONGTERM, FOLL_WRITE, PAGE_SIZE,
} from "@pinlab/core";
import { z } from "zod";

/** IORING_MAX_REG_BUFFERS. */
const IORING_MAX_REG_BUFFERS = 1 << 14;
/** io_buffer_validate(): one buffer may not exceed 1 GiB. */
const MAX_BUFFER_BYTES = 1 << 30;

const options = z
  .object({
    capIpcLock: z.boolean().default(false).describe("the ring's creator has CAP_IPC_LOCK: no user is charged, so no RLIMIT_MEMLOCK check (pinned_vm is still charged)"),
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
 * @property {number} acctPages Pages charged for it (`imu->acct_pages`).
 */

/**
 * @typedef {object} RingState  What one ring holds.
 * @property {FixedBuffer[] | null} buffers  The registered table (`ctx->user_bufs`), or none.
 * @property {import("@pinlab/core").UserStruct | null} user  The user charged (`ctx->user`; none with CAP_IPC_LOCK).
 * @property {import("@pinlab/core").MmStruct | null} mm  The mm charged (`ctx->mm_account`).
 * @property {number} inFlight  Fixed IOs not yet completed.
 */

/** The `fixed-buffer-ring` device descriptor. */
const fixedBufferRing = defineDevice({
  meta: {
    id: "fixed-buffer-ring",
    summary: "io_uring registered buffers: long-term FOLL_PIN at registration, fixed IO through them without further pins",
    driver: "io_uring registered buffers (io_uring/rsrc.c io_sqe_buffers_register, io_uring/rw.c; Linux v6.12)",
    description:
      "An io_uring ring whose buffers are registered once (pinned FOLL_WRITE | FOLL_LONGTERM; whole compound pages charged to the user's " +
      "locked_vm against RLIMIT_MEMLOCK and added to the mm's pinned_vm) " +
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
    const ring = { buffers: null, user: null, mm: null, inFlight: 0 };
    const counters = { registered: 0, fixedReads: 0, fixedWrites: 0, bytesRead: 0, bytesWritten: 0, ioErrors: 0 };
    const holder = ctx.holder;
    /** @param {string} action @param {Record<string, unknown>} detail */
    const emit = (action, detail) => ctx.events.emit("device", { device: ctx.name, kind: "fixed-buffer-ring", action, detail });
    /** @param {number} errno @param {string} message @returns {import("@pinlab/core").DeviceActionResult} */
    const fail = (errno, message) => ({ ok: false, errno: Math.abs(errno), message });

    /** `__io_sqe_buffers_unregister()`: unpin every page (no dirtying), uncharge each buffer. */
    function unregisterAll() {
      for (const b of ring.buffers ?? []) {
        for (const pfn of b.pages) ctx.gup.unpinUserPage(pfn, { holder });
        if (b.acctPages > 0) ioUnaccountMem(b.acctPages);
      }
      ring.buffers = null;
      ring.user = null;
      ring.mm = null;
    }

    /**
     * `io_account_mem()`: check and charge the user's `locked_vm` (`__io_account_mem`, against the
     * caller's RLIMIT_MEMLOCK), then add to the mm's `pinned_vm` without a check. 0 or -ENOMEM.
     * @param {number} nrPages @param {number} lockLimit
     */
    function ioAccountMem(nrPages, lockLimit) {
      if (ring.user !== null) {
        const ret = ctx.memlock.ioAccountMem(ring.user, nrPages, lockLimit);
        if (ret !== 0) return ret;
      }
      if (ring.mm !== null) ctx.memlock.pinnedVmAdd(ring.mm, nrPages);
      return 0;
    }

    /** `io_unaccount_mem()`: give `nrPages` back to both counters. @param {number} nrPages */
    function ioUnaccountMem(nrPages) {
      if (ring.user !== null) ctx.memlock.ioUnaccountMem(ring.user, nrPages);
      if (ring.mm !== null) ctx.memlock.uncharge(ring.mm, nrPages);
    }

    /**
     * `headpage_already_acct()`: was compound page `hpage` charged already, by an earlier page of
     * this buffer or by a buffer registered before it on this ring?
     * @param {number[]} pages @param {number} nrPages @param {number} hpage
     */
    function headpageAlreadyAcct(pages, nrPages, hpage) {
      const isIn = (/** @type {number} */ pfn) => ctx.pages.pageCompound(pfn) && ctx.pages.compoundHead(pfn) === hpage;
      return pages.slice(0, nrPages).some(isIn) || (ring.buffers ?? []).some((b) => b.pages.some(isIn));
    }

    /**
     * `io_buffer_account_pin()`: what one buffer costs (a small page one page, a compound page
     * `page_size(hpage)` once), charged with `io_account_mem()`. The charge, or -ENOMEM.
     * @param {number[]} pages @param {{ hpage: number }} last  `last_hpage`, kept across the buffers of one registration
     * @param {number} lockLimit
     */
    function ioBufferAccountPin(pages, last, lockLimit) {
      let acct = 0;
      for (let i = 0; i < pages.length; i++) {
        if (!ctx.pages.pageCompound(pages[i])) {
          acct++;
          continue;
        }
        const hpage = ctx.pages.compoundHead(pages[i]);
        if (hpage === last.hpage) continue;
        last.hpage = hpage;
        if (headpageAlreadyAcct(pages, i, hpage)) continue;
        acct += ctx.pages.pageSize(hpage) / PAGE_SIZE;
      }
      if (acct === 0) return 0;
      const ret = ioAccountMem(acct, lockLimit);
      return ret !== 0 ? ret : acct;
    }

    /** Pages the registered buffers pin, and pages they are charged for. */
    const pinnedPages = () => (ring.buffers ?? []).reduce((n, b) => n + b.pages.length, 0);
    const acctPages = () => (ring.buffers ?? []).reduce((n, b) => n + b.acctPages, 0);

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
          // io_uring_create(): the ring charges its creator's user (none with CAP_IPC_LOCK) and mm.
          ring.user = ctx.options.capIpcLock ? null : proc.user;
          ring.mm = mm;
          const last = { hpage: -1 };
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
            // io_buffer_account_pin(): charged after pinning; the user's locked_vm is checked, the mm's pinned_vm only grows.
            const acctPages = ioBufferAccountPin(pages, last, mm.memlockPages);
            if (acctPages < 0) {
              ctx.gup.unpinUserPages(pages, got, { holder });
              unregisterAll();
              return fail(acctPages, `buffer ${i}: the user's locked_vm would pass RLIMIT_MEMLOCK`);
            }
            ring.buffers.push({ ubuf, len: length, pages, acctPages });
          }
          counters.registered += count;
          emit("register_buffers", { pid: proc.pid, buffers: count, pages: pinnedPages(), acctPages: acctPages() });
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
          emit("unregister", { pages: pinnedPages(), acctPages: acctPages() });
          unregisterAll();
          return { ok: true };
        },
      },
      view() {
        const frames = (ring.buffers ?? []).flatMap((b, i) => b.pages.map((pfn, j) => ({ pfn, label: `buf${i}:${j}` })));
        return { frames, counters: { ...counters, buffers: ring.buffers?.length ?? 0, pagesPinned: pinnedPages(), acctPages: acctPages(), inFlight: ring.inFlight } };
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
