/**
 * The `pin-bias` policy: mainline Linux v6.12.
 * @module
 */
import { EINVAL, definePinPolicy, type FilePinRecord, type PinPolicy } from "@pinlab/core";
import { assemblePolicy } from "../shared/assemble.js";
import { daxLayoutBusyCheck } from "../shared/dax-busy.js";
import { v612Rules } from "../shared/v612-rules.js";
import { biasCounting } from "./bias-counting.js";
import { PinBiasOptionsSchema } from "./options.js";

/** `pin-bias`: FOLL_PIN with GUP_PIN_COUNTING_BIAS and an exact `_pincount` for large folios (Linux v6.12). */
export const pinBias = definePinPolicy({
  meta: {
    id: "pin-bias",
    summary: "FOLL_PIN adds a 1024 bias to a small page's refcount; large folios keep an exact pincount (Linux v6.12)",
    kernel: "Linux v6.12 (mm/gup.c, mm/internal.h, include/linux/mm.h)",
    description: [
      "Mainline pin accounting. A pin of a small folio adds `GUP_PIN_COUNTING_BIAS` (1024, option `bias`) to its refcount;",
      "a pin of a large folio adds 1 to the refcount and 1 to `_pincount` per page; pins of the shared zero page are no-ops.",
      "`folio_maybe_dma_pinned()` is exact for large folios but only a hint for small ones: a page with 1024 or more plain",
      "references (a shared-library page mapped by 1024 processes) reports *maybe pinned* without any pin.",
      "",
      "It refuses what v6.12 refuses: FOLL_LONGTERM without FOLL_PIN (EINVAL), long-term pins of FS-DAX mappings",
      "(EOPNOTSUPP), long-term writable pins of shared dirty-tracked file mappings such as ext4 (EFAULT), and any grab once",
      "the refcount has overflowed (about 2^21 pins of one small page). Long-term pins migrate out of ZONE_MOVABLE and CMA",
      "first; fork copies maybe-pinned anonymous pages of an mm that ever pinned; read-only pins unshare first.",
      "",
      "Known hazards: writeback still cleans pinned page-cache pages (the filesystem only learns the page *may* be pinned);",
      "truncate of an FS-DAX file with busy pages waits (modelled as EBUSY). The bias itself costs no extra memory.",
    ].join("\n"),
    options: PinBiasOptionsSchema,
  },
  create(ctx): PinPolicy {
    // try_grab_folio / gup_put_folio / folio_maybe_dma_pinned (v6.12), see biasCounting.
    const counting = biasCounting(ctx.memory, ctx.options.bias);
    const rules = v612Rules(ctx, counting.maybeDmaPinned);
    return assemblePolicy({
      id: "pin-bias",
      countsPins: true,
      // is_valid_gup_args() (mm/gup.c, v6.12): FOLL_LONGTERM only with FOLL_PIN.
      checkFlags: rules.checkFlags,
      // try_grab_folio() / try_grab_folio_fast() (mm/gup.c, v6.12).
      grab: counting.grab,
      // gup_put_folio() (mm/gup.c, v6.12).
      release: counting.release,
      // folio_maybe_dma_pinned() (include/linux/mm.h, v6.12).
      maybeDmaPinned: counting.maybeDmaPinned,
      // folio->_pincount, or the count the bias implies (display only).
      pinCount: counting.pinCount,
      // What gup_put_folio() would subtract for that many pins (for the invariant checker).
      refsForPins: counting.refsForPins,
      // folio_needs_cow_for_dma() (include/linux/mm.h, v6.12), under copy_present_page()'s PageAnonExclusive test.
      forkMustCopy: rules.forkMustCopy,
      // gup_must_unshare() (mm/internal.h, v6.12).
      mustUnshare: rules.mustUnshare,
      // check_vma_flags()'s FOLL_LONGTERM rules (mm/gup.c, v6.12): FS-DAX EOPNOTSUPP, writable_file_mapping_allowed() EFAULT.
      checkLongtermVma: rules.checkLongtermVma,
      // gup_fast_folio_allowed() (mm/gup.c, v6.12).
      fastFolioAllowed: rules.fastFolioAllowed,
      // folio_is_longterm_pinnable() (include/linux/mm.h, v6.12).
      longtermPinnable: rules.longtermPinnable,
      // Mainline v6.12 has no file pins (no vaddr_pin): check_vma_flags() alone rules long-term file pins.
      longtermFilePage: () => 0,
      releaseFilePages: () => undefined,
      // dax_layout_busy_page() and the wait after it in truncate (fs/dax.c, v6.12), as EBUSY.
      checkTruncate: daxLayoutBusyCheck,
      // No user-visible F_LAYOUT in v6.12: fcntl(F_SETLEASE) takes only F_RDLCK/F_WRLCK/F_UNLCK (fs/locks.c).
      setLease: () => EINVAL,
      // No /proc/<pid>/file_pins in v6.12.
      filePins: (): FilePinRecord[] => [],
      // The bias lives in folio->_refcount and _pincount: nothing beyond struct folio.
      accountingBytes: () => 0,
    });
  },
});
