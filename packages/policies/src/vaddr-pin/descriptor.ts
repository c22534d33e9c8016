/**
 * The `vaddr-pin` policy: Ira Weiny's 2019 vaddr_pin / file-pin / layout-lease RFC on v6.12 pins.
 * @module
 */
import { FOLL_LONGTERM, PG_DAX, definePinPolicy, type Inode, type PinPolicy } from "@pinlab/core";
import { biasCounting } from "../pin-bias/bias-counting.js";
import { vmaIsFsdax } from "../shared/check-vma-longterm.js";
import { mainlinePolicy } from "../shared/mainline-policy.js";
import { FILE_PIN_BYTES, FilePinTable } from "./file-pin-table.js";
import { longtermFilePin } from "./file-pin-rule.js";
import { breakLayoutForTruncate, setLayoutLease } from "./layout-lease.js";
import { VaddrPinOptionsSchema } from "./options.js";

/** `vaddr-pin`: `pin-bias` counting plus per-owner file pins and layout leases for FS-DAX (Ira Weiny's RFC v2, Aug 2019). */
export const vaddrPin = definePinPolicy({
  meta: {
    id: "vaddr-pin",
    summary: "pin-bias plus vaddr_pin owners, per-(owner, file) file pins and exclusive layout leases for FS-DAX (RFC, 2019)",
    kernel: "Ira Weiny, \"[RFC PATCH v2 00/19] RDMA/FS DAX truncate proposal\" (Aug 2019), layered on Linux v6.12 pin counting",
    description: [
      "What the 2019 RDMA/FS-DAX truncate proposal would have added on top of FOLL_PIN (which it kept: every pinned page",
      "still carries the bias or `_pincount`). A long-term pin of an FS-DAX page is allowed only when the pinning process",
      "holds an exclusive layout lease (`F_LAYOUT | F_EXCLUSIVE`) on the file and the call names a `vaddr_pin` owner (a",
      "file such as the RDMA context, or an mm): `vaddr_pin_pages()`. Plain `pin_user_pages(FOLL_LONGTERM)` of a DAX page,",
      "no lease or another process's lease all get EPERM; GUP-fast passes no owner, so DAX pages fall back to the slow path.",
      "Each (owner, file) pair gets one file-pin object (64 bytes) whose kref counts pages; `/proc/<pid>/file_pins` lists them.",
      "",
      "Truncate and hole punch break the layout first: an exclusive lease cannot be broken, so the holder gets EDEADLOCK",
      "and anyone else ETXTBSY while pins exist; plain layout leases are broken. Open points of the debate are options:",
      "truncate under an exclusive lease with nothing pinned (`exclusiveLeaseWithoutPins`), lease release while pins",
      "remain (`leaseRelease`: allowed in the RFC, blocking in Jan Kara's plan) and extending leases to page-cache files",
      "(`pageCacheLeases`). Known hazards: page-cache pages are treated as in v6.12 (writeback still cleans them); a released",
      "lease leaves pins the filesystem can no longer see coming; pins released with plain `unpin_user_pages()` leak their",
      "file-pin objects (the RFC requires the matching `vaddr_unpin_pages()`).",
      "",
      "Its default era is v6.12, not the v5.3 the RFC was posted against: the RFC stands on John Hubbard's counted FOLL_PIN",
      "(v5.7), and its questions (who may pin a file's blocks, what truncate does then) do not depend on the COW and fork",
      "rules of the day, so pinlab compares it with the mainline it would have joined. `--kernel v5.7` runs it on v5.3's COW",
      "and fork with counted pins; before v5.7 its pins are plain references, as every policy's are.",
    ].join("\n"),
    options: VaddrPinOptionsSchema,
    // vaddr_pin_pages() and per-(owner, file) file pins (RFC 09/19, 14/19); counting is pin-bias's.
    // The file-pin bookkeeping is priced by what it does (list visits, krefs, allocations), not per pin.
    capabilities: { filePins: true, extraAtomicsPerPin: 0, extraAtomicsPerUnpin: 0 },
  },
  create(ctx): PinPolicy {
    const opts = ctx.options;
    const frames = ctx.memory.frames;
    const events = ctx.events;
    const pins = new FilePinTable();
    // try_grab_folio / gup_put_folio / folio_maybe_dma_pinned (v6.12): the RFC adds to FOLL_PIN
    // counting, it does not replace it (see biasCounting), and keeps the rest of v6.12 but for
    // the members below. One kmalloc-64 object per (owner, file) pair (reference §3.4); the bias
    // itself costs nothing. DAX frames stay long-term pinnable (folio_is_longterm_pinnable).
    const counting = biasCounting(ctx.memory, opts.bias, ctx.era.rules.zeroPagePinned);
    /** `locks_remove_file()` (fs/locks.c, v6.12) when dead `pid`'s last reference to `inode` goes: its lease goes with it. */
    const dropLeaseOfExited = (pid: number, inode: Inode) => {
      if (inode.leases.heldBy(pid) === undefined || pins.pinsOf(pid, inode) !== 0) return;
      inode.leases.release(pid);
      events.emit("lease", { file: inode.name, pid, op: "exit" });
    };
    return mainlinePolicy("vaddr-pin", ctx, counting, () => FILE_PIN_BYTES * pins.size, (mainline) => ({
      // check_vma_flags() with RFC 19/19 ("mm/gup: Remove FOLL_LONGTERM DAX exclusion"): FS-DAX is left to the
      // per-page lease rule; with pageCacheLeases the v6.12 writable-file-mapping EFAULT gives way to it as well.
      checkLongtermVma: (vma, flags) => (vmaIsFsdax(vma) || opts.pageCacheLeases ? 0 : mainline.checkLongtermVma(vma, flags)),
      // gup_fast_folio_allowed() (v6.12) plus RFC 10/19 ("Pass a NULL vaddr_pin through GUP fast"): no owner on the
      // fast path, so an FS-DAX page under FOLL_LONGTERM falls back.
      fastFolioAllowed: (pfn, flags) => ((flags & FOLL_LONGTERM) !== 0 && (frames.flags[pfn] & PG_DAX) !== 0 ? false : mainline.fastFolioAllowed(pfn, flags)),
      // mapping_inode_has_layout() + add_file_pin() (RFC 14/19).
      longtermFilePage: (req) => longtermFilePin(pins, opts, req),
      // mapping_release_file() from vaddr_unpin_pages*() (RFC 14/19): one kref per page released.
      // The last file pin of a process that already exited was the last reference to its file:
      // the final fput() runs locks_remove_file() and the lease it kept past exit goes too.
      releaseFilePages(owner, pid, inodes) {
        if (owner === undefined) return;
        for (const inode of inodes) pins.drop(owner, pid, inode, 1);
        if (ctx.mmOf(pid)?.live !== true) for (const inode of new Set(inodes)) dropLeaseOfExited(pid, inode);
      },
      // break_layout() before dax_layout_busy_page() in truncate / hole punch (RFC 02/19, 05/19, 08/19).
      checkTruncate: (req) => breakLayoutForTruncate(events, pins, opts, req),
      // fcntl(F_SETLEASE) with F_LAYOUT / F_EXCLUSIVE / F_UNLCK (RFC 01/19, 02/19).
      setLease: (inode, pid, op) => setLayoutLease(events, pins, opts, inode, pid, op),
      // /proc/<pid>/file_pins (RFC 18/19).
      filePins: (pid) => pins.list(pid),
      // exit_files() -> locks_remove_file(): a dead process's leases go with its files, except on
      // files its file pins still hold open (the RFC's file_pin takes a file reference).
      onExit(pid) {
        for (const inode of ctx.files?.() ?? []) dropLeaseOfExited(pid, inode);
      },
    }));
  },
});
