/**
 * A mainline-v6.12 policy over a given pin counting: what `pin-bias` and `exact-pincount` are,
 * and what `vaddr-pin` starts from before its RFC hooks replace some members.
 * @module
 */
import { EINVAL, type FilePinRecord, type PinPolicy, type PolicyContext } from "@pinlab/core";
import { assemblePolicy } from "./assemble.js";
import { daxLayoutBusyCheck } from "./dax-busy.js";
import type { PinCounting } from "./pin-counting.js";
import { v612Rules } from "./v612-rules.js";

/**
 * Build a policy with the v6.12 rules over `counting`: FOLL_PIN counted by `counting`, no file
 * pins, no user-visible layout leases, FS-DAX truncate waiting for busy pages (EBUSY), and
 * `accountingBytes` as given. `overrides` replaces members (a kernel series layered on v6.12); it
 * is given the v6.12 policy, so a replacement can fall back to the member it replaces.
 */
export function v612Policy(
  id: string, ctx: PolicyContext<unknown>, counting: PinCounting, accountingBytes: () => number,
  overrides: (v612: PinPolicy) => Partial<PinPolicy> = () => ({}),
): PinPolicy {
  const rules = v612Rules(ctx, counting.maybeDmaPinned);
  const v612: PinPolicy = {
    id,
    countsPins: true,
    // is_valid_gup_args() (mm/gup.c, v6.12): FOLL_LONGTERM only with FOLL_PIN.
    checkFlags: rules.checkFlags,
    // try_grab_folio() / try_grab_folio_fast() (mm/gup.c, v6.12), over the given counting.
    grab: counting.grab,
    // gup_put_folio() (mm/gup.c, v6.12).
    release: counting.release,
    // folio_maybe_dma_pinned() (include/linux/mm.h, v6.12), as the counting answers it.
    maybeDmaPinned: counting.maybeDmaPinned,
    // The counting's pin count (folio->_pincount, what a bias implies, or an exact counter).
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
    accountingBytes,
  };
  return assemblePolicy({ ...v612, ...overrides(v612) });
}
