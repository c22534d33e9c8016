/**
 * The `exact-pincount` policy: v6.12 rules with an exact pin counter per frame.
 * @module
 */
import { EINVAL, definePinPolicy, type FilePinRecord, type PinPolicy } from "@pinlab/core";
import { assemblePolicy } from "../shared/assemble.js";
import { daxLayoutBusyCheck } from "../shared/dax-busy.js";
import { v612Rules } from "../shared/v612-rules.js";
import { EXACT_COUNTER_BYTES, exactCounting } from "./exact-counting.js";
import { ExactPincountOptionsSchema } from "./options.js";

/** `exact-pincount`: the rules of Linux v6.12, but every frame has its own exact pin counter. */
export const exactPincount = definePinPolicy({
  meta: {
    id: "exact-pincount",
    summary: "v6.12 rules with an exact 32-bit pin counter per frame: no false positives, 4 bytes per frame",
    kernel: "Linux v6.12 rules (mm/gup.c); the per-frame counter is a pinlab extension, not a kernel series",
    description: [
      "What the pin-accounting debate kept asking for and `struct page` could not afford: an exact pin count for every",
      "frame, in an array of its own (4 bytes per frame). A pin adds 1 to the refcount per page, so the folio is held,",
      "and 1 to the exact counter; `folio_maybe_dma_pinned()` is then `counter > 0`, never a false positive, for small",
      "and large folios alike.",
      "",
      "Everything else follows v6.12: FOLL_LONGTERM needs FOLL_PIN, FS-DAX long-term pins are refused (EOPNOTSUPP),",
      "long-term writable pins of dirty-tracked shared files are refused (EFAULT), long-term pins migrate out of",
      "ZONE_MOVABLE/CMA, fork copies pinned anonymous pages, read-only pins unshare, zero-page pins are no-ops.",
      "There is no bias, so only the 32-bit refcount itself can overflow (about 2^31 pins of one page).",
      "",
      "Cost: `accountingBytes` = 4 x frames, allocated up front whatever the workload pins.",
    ].join("\n"),
    options: ExactPincountOptionsSchema,
  },
  create(ctx): PinPolicy {
    const nrFrames = ctx.memory.nrFrames;
    const exact = new Int32Array(nrFrames);
    // try_grab_folio / gup_put_folio / folio_maybe_dma_pinned (v6.12) over an exact counter, see exactCounting.
    const counting = exactCounting(ctx.memory, exact);
    const rules = v612Rules(ctx, counting.maybeDmaPinned);
    return assemblePolicy({
      id: "exact-pincount",
      countsPins: true,
      // is_valid_gup_args() (mm/gup.c, v6.12): FOLL_LONGTERM only with FOLL_PIN.
      checkFlags: rules.checkFlags,
      // try_grab_folio() (mm/gup.c, v6.12), with +refs to the exact counter instead of the bias.
      grab: counting.grab,
      // gup_put_folio() (mm/gup.c, v6.12), with -refs from the exact counter.
      release: counting.release,
      // folio_maybe_dma_pinned() (include/linux/mm.h, v6.12) answered exactly: counter > 0.
      maybeDmaPinned: counting.maybeDmaPinned,
      // The exact counter.
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
      // One Int32Array element per frame.
      accountingBytes: () => EXACT_COUNTER_BYTES * nrFrames,
    });
  },
});
