/**
 * The `legacy-get` policy: Linux ~v5.3 (2019), before FOLL_PIN.
 * @module
 */
import { EINVAL, definePinPolicy, type FilePinRecord, type PinPolicy } from "@pinlab/core";
import { assemblePolicy } from "../shared/assemble.js";
import { daxLayoutBusyCheck } from "../shared/dax-busy.js";
import { getCounting } from "./get-counting.js";
import { LegacyGetOptionsSchema } from "./options.js";
import { checkFlags2019, checkLongtermVma2019, isCmaPinnable2019 } from "./rules-2019.js";

/** `legacy-get`: plain references only, as in Linux ~v5.3 before FOLL_PIN existed. */
export const legacyGet = definePinPolicy({
  meta: {
    id: "legacy-get",
    summary: "Every grab is a plain reference (FOLL_GET); nothing can tell a DMA pin from any other user (Linux ~v5.3)",
    kernel: "Linux ~v5.3 (2019): get_user_pages + FOLL_LONGTERM, before FOLL_PIN (2020)",
    description: [
      "The kernel the FOLL_PIN work set out to fix. `pin_user_pages*()` calls degrade to `get_user_pages*()`: each page",
      "gets one plain reference, the zero page included, and the vmstat pin counters never move. `page_maybe_dma_pinned()`",
      "does not exist, so `maybeDmaPinned` is always false: writeback, reclaim, fork and migration cannot tell a page a",
      "device writes to from a page someone merely looks at.",
      "",
      "It accepts FOLL_LONGTERM without FOLL_PIN (`get_user_pages()` routed it to `__gup_longterm_locked()`), except on",
      "`get_user_pages_remote()` (EINVAL). It refuses long-term pins of FS-DAX mappings with EOPNOTSUPP (option",
      "`fsdaxLongterm: true` models a pre-v4.19 kernel that allowed them) and a grab once the refcount overflowed.",
      "It allows long-term writable pins of shared ext4 mappings, migrates long-term pins out of CMA only",
      "(`check_and_migrate_cma_pages`), never copies at fork and never unshares read-only pins. It has no leases.",
      "",
      "Known hazards, all undetected: DMA into a page writeback cleaned, COW divergence after fork (the parent's next",
      "write moves it to a new page while the device keeps the old one), long-term pins stranding ZONE_MOVABLE memory,",
      "and with `daxBusyWait: false` (pre-v4.18) FS-DAX blocks freed and reused while a device still writes to them.",
    ].join("\n"),
    options: LegacyGetOptionsSchema,
    // No file pins in v5.3; a pin is one plain reference in the refcount, nothing beside it.
    capabilities: { filePins: false, extraAtomicsPerPin: 0, extraAtomicsPerUnpin: 0 },
  },
  create(ctx): PinPolicy {
    const memory = ctx.memory;
    const { fsdaxLongterm, daxBusyWait } = ctx.options;
    const counting = getCounting(memory);
    return assemblePolicy({
      id: "legacy-get",
      // FOLL_PIN does not exist yet: pins are references and the pin vmstat counters stay still.
      countsPins: false,
      // is_valid_gup_args() did not exist; get_user_pages_remote() refused FOLL_LONGTERM (v5.3).
      checkFlags: checkFlags2019,
      // try_get_page() / get_page() in follow_page_pte() and gup_pte_range() (mm/gup.c, v5.3).
      grab: counting.grab,
      // put_page() (include/linux/mm.h, v5.3).
      release: counting.release,
      // page_maybe_dma_pinned() does not exist in v5.3: never.
      maybeDmaPinned: counting.maybeDmaPinned,
      // No pin count of any kind (display 0).
      pinCount: counting.pinCount,
      // One plain reference per pin: what put_page() drops.
      refsForPins: counting.refsForPins,
      // copy_present_page() learned page_maybe_dma_pinned() only in 2020 (Peter Xu, "mm: Do early cow for pinned pages during fork() for ptes").
      forkMustCopy: () => false,
      // gup_must_unshare() came in 2022 with David Hildenbrand's PageAnonExclusive / R/O-pin unsharing work.
      mustUnshare: () => false,
      // __gup_longterm_locked()'s check_dax_vmas() (v5.3).
      checkLongtermVma: (vma) => checkLongtermVma2019(vma, fsdaxLongterm),
      // gup_fast_folio_allowed() came in 2023; the v5.3 fast path's devmap check is core's.
      fastFolioAllowed: () => true,
      // check_and_migrate_cma_pages() (v5.3): CMA only.
      longtermPinnable: (pfn) => isCmaPinnable2019(memory, pfn),
      // No file pins in v5.3.
      longtermFilePage: () => 0,
      releaseFilePages: () => undefined,
      // dax_layout_busy_page() (v4.18+) as EBUSY, or nothing at all before it.
      checkTruncate: (req) => (daxBusyWait ? daxLayoutBusyCheck(req) : 0),
      // F_LAYOUT was never user-visible in v5.3 (fcntl(F_SETLEASE) takes F_RDLCK/F_WRLCK/F_UNLCK).
      setLease: () => EINVAL,
      // No /proc/<pid>/file_pins.
      filePins: (): FilePinRecord[] => [],
      // Plain references live in the refcount: nothing extra.
      accountingBytes: () => 0,
    });
  },
});
