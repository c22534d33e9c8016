// @ts-check
/**
 * __NAME__: a pinlab device plugin, written by `pinlab new device __NAME__`.
 *
 * A device plugin reproduces how a driver holds user memory: which GUP call it makes, with which
 * flags, for how long, how it releases, and when it touches the frames (guide 3, "Writing a
 * device plugin"). This skeleton pins a buffer long-term the way RDMA memory registration does
 * (`ib_umem_get()`, drivers/infiniband/core/umem.c, Linux v6.12: `pin_user_pages_fast(FOLL_WRITE
 * | FOLL_LONGTERM)`, charged to the mm's `pinned_vm` against RLIMIT_MEMLOCK), writes into the
 * pinned frames by DMA whenever a scenario says so, and unpins (dirtying) on release. Change the
 * actions into what your driver does; `__NAME__.yaml` next to this file exercises them.
 *
 * It is one plain ES module: no build step, no package.json, no install. `@pinlab/core` and `zod`
 * are the running pinlab's own (pinlab resolves them for its plugins wherever they are), so the
 * schemas and errnos below are the ones pinlab checks against. `// @ts-check` and the JSDoc types
 * let an editor that can see `@pinlab/core`'s types check this file.
 *
 * @module
 */
import { actionFields, defineDevice, registerDevice, EINVAL, ENOENT, ENOMEM, EFAULT, FOLL_LONGTERM, FOLL_WRITE, PAGE_SIZE } from "@pinlab/core";
import { z } from "zod";

/**
 * Options: a strict zod object, a default and a `.describe()` each (`pinlab list` prints both).
 * `attachDevice` parses a scenario's `devices[].options` with it and hands the result to `create`
 * as `ctx.options`.
 */
const options = z
  .object({
    capIpcLock: z.boolean().default(false).describe("the pinning process has CAP_IPC_LOCK: pinned_vm is charged but never checked against RLIMIT_MEMLOCK"),
  })
  .strict();

/**
 * Each action's fields, as a scenario writes them. Build them from core's `actionFields`: core
 * checks a call against the schema and resolves references (`proc` to the Process, `addr` such as
 * `buf+4KiB` to a number, `length: 16KiB` to bytes) before the handler runs.
 */
const pinFields = z.object({ proc: actionFields.proc, addr: actionFields.addr, length: actionFields.size }).strict();
const dmaWriteFields = z.object({ region: actionFields.name, offset: actionFields.size, data: z.string().min(1) }).strict();
const unpinFields = z.object({ region: actionFields.name }).strict();

/**
 * @typedef {object} Region  One pinned buffer.
 * @property {string} name  Its name (the step's `as:`, else r0, r1...).
 * @property {import("@pinlab/core").MmStruct} mm  The mm charged for it.
 * @property {number} addr  Its user address.
 * @property {number[]} pages  The pinned frames, one per page.
 */

/** The `__NAME__` device descriptor. */
const __IDENT__ = defineDevice({
  meta: {
    // The kind scenarios name (`kind: __NAME__`): lower-case kebab-case.
    id: "__NAME__",
    summary: "pins a user buffer long-term (FOLL_PIN | FOLL_LONGTERM) and writes into it by DMA until it is unpinned",
    // The driver class and the kernel files and version it follows.
    driver: "a long-term pinning driver, after ib_umem_get() / ib_umem_release() (drivers/infiniband/core/umem.c, Linux v6.12)",
    description: "Written by `pinlab new device`: pins with pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM), charges pinned_vm, DMA-writes into the pinned frames, unpins with unpin_user_pages_dirty_lock().",
    options,
    // One entry per action (snake_case): a summary, the fields schema, what `result` is. `releases`
    // names the action that gives back what an earlier call created (the field naming it), so
    // `pinlab fuzz` can release everything before its leak audit.
    actions: {
      pin: { summary: "pin `length` bytes at `addr` of `proc` long-term and writable", fields: pinFields, result: "pages pinned" },
      dma_write: { summary: "DMA `data` into region `region` at `offset`", fields: dmaWriteFields, result: "bytes written" },
      unpin: { summary: "unpin region `region` (dirtying its pages) and give the pinned_vm charge back", fields: unpinFields, releases: "region" },
    },
  },

  /**
   * One device instance for one kernel. `ctx` is what a driver reaches: `ctx.gup` (the GUP
   * calls), `ctx.dma` (the only way to touch frames: each access is checked by the hazard
   * oracle), `ctx.memlock` (pinned_vm / locked_vm), `ctx.clock` (completions later on the virtual
   * clock), `ctx.events`, `ctx.options` (parsed), `ctx.name` and `ctx.holder` (how the oracle
   * knows this device). Keep all state in this closure: a bench runs many kernels in one process.
   */
  create(ctx) {
    /** @type {Map<string, Region>} */
    const regions = new Map();
    const counters = { pinned: 0, dmaWrites: 0, bytesWritten: 0 };
    const holder = ctx.holder;
    /** @param {string} action @param {Record<string, unknown>} detail */
    const emit = (action, detail) => ctx.events.emit("device", { device: ctx.name, kind: "__NAME__", action, detail });
    /** A refused operation is a result, never an exception: the errno the kernel would return. @param {number} errno @param {string} message @returns {import("@pinlab/core").DeviceActionResult} */
    const fail = (errno, message) => ({ ok: false, errno: Math.abs(errno), message });

    return {
      // One handler per action of meta.actions, each receiving its fields parsed and typed.
      actions: {
        /** `ib_umem_get()`: charge pinned_vm, pin every page, all or nothing. */
        pin({ proc, addr, length }, call) {
          const mm = proc.mm;
          if (mm === null) return fail(EFAULT, `${proc.name} has no address space`);
          if (length === 0) return fail(EINVAL, "length is 0");
          const name = call.as ?? `r${regions.size}`;
          if (regions.has(name)) return fail(EINVAL, `a region named "${name}" is pinned already`);
          const first = Math.floor(addr / PAGE_SIZE);
          const nrPages = Math.ceil((addr + length) / PAGE_SIZE) - first;
          if (!ctx.memlock.charge(mm, nrPages, ctx.options.capIpcLock)) return fail(ENOMEM, `pinned_vm would pass RLIMIT_MEMLOCK (${nrPages} pages)`);
          /** @type {number[]} */
          const pages = new Array(nrPages);
          // Always pass { holder }: that is how the oracle learns which frames this device holds.
          const got = ctx.gup.pinUserPagesFast(proc, first * PAGE_SIZE, nrPages, FOLL_WRITE | FOLL_LONGTERM, pages, { holder });
          if (got !== nrPages) {
            // A short pin: release what was taken (with the family it was taken with) and fail.
            if (got > 0) ctx.gup.unpinUserPages(pages, got, { holder });
            ctx.memlock.uncharge(mm, nrPages);
            return fail(got < 0 ? got : EFAULT, `pinned ${Math.max(got, 0)} of ${nrPages} pages`);
          }
          regions.set(name, { name, mm, addr, pages });
          counters.pinned += nrPages;
          emit("pin", { region: name, pid: proc.pid, addr, pages: nrPages });
          // `name` is what the step's `as:` binds: later steps name the region by it.
          return { ok: true, value: nrPages, name };
        },

        /** A DMA write into the pinned frames: the oracle checks it (COW, truncate, writeback, reuse). */
        dma_write({ region, offset, data }) {
          const r = regions.get(region);
          if (r === undefined) return fail(ENOENT, `no region named "${region}" is pinned on ${ctx.name}`);
          const bytes = new TextEncoder().encode(data);
          const start = (r.addr % PAGE_SIZE) + offset;
          if (offset + bytes.length > r.pages.length * PAGE_SIZE - (r.addr % PAGE_SIZE)) return fail(EINVAL, "the write runs past the region");
          // A failed transfer (machine.faults.dma) throws a DmaError here, which the step reports as EIO.
          ctx.dma.write(holder, r.pages, start, bytes);
          counters.dmaWrites++;
          counters.bytesWritten += bytes.length;
          return { ok: true, value: bytes.length };
        },

        /** `ib_umem_release()`: unpin, marking the pages dirty (the device may have written them), and uncharge. */
        unpin({ region }) {
          const r = regions.get(region);
          if (r === undefined) return fail(ENOENT, `no region named "${region}" is pinned on ${ctx.name}`);
          ctx.gup.unpinUserPagesDirtyLock(r.pages, r.pages.length, true, { holder });
          ctx.memlock.uncharge(r.mm, r.pages.length);
          regions.delete(region);
          counters.pinned -= r.pages.length;
          emit("unpin", { region, pages: r.pages.length });
          return { ok: true };
        },
      },

      /** What the device holds now (frames with a label each) and its counters, for `device_counters`, traces and the playground. */
      view() {
        const frames = [...regions.values()].flatMap((r) => r.pages.map((pfn, i) => ({ pfn, label: `${r.name}:${i}` })));
        return { frames, counters: { ...counters, regions: regions.size } };
      },
    };
  },
});

export default __IDENT__;

/**
 * Contribute this plugin to a pinlab container: what `--plugin` and a config's `plugins:` call.
 * Nothing is registered as a side effect of importing the module.
 * @param {Parameters<typeof registerDevice>[0]} container
 */
export function register(container) {
  // The module's own path names it in messages (two copies of one plugin id are told apart).
  registerDevice(container, __IDENT__, new URL(import.meta.url).pathname);
}
