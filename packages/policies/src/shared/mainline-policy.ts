/**
 * A mainline policy over a given pin counting, with the rules of the kernel era it runs on: what
 * `pin-bias`, `exact-pincount` and `legacy-get` are, and what `vaddr-pin` starts from before its
 * RFC hooks replace some members.
 * @module
 */
import { EINVAL, type FastPathDeclaration, type FilePinRecord, type PinPolicy, type PolicyContext } from "@pinlab/core";
import { assemblePolicy } from "./assemble.js";
import { daxLayoutBusyCheck } from "./dax-busy.js";
import type { PinCounting } from "./pin-counting.js";
import { gupRules } from "./gup-rules.js";

/**
 * Build a policy with the rules of `ctx.era` over `counting`: FOLL_PIN counted by `counting`, no
 * file pins, no user-visible layout leases, FS-DAX truncate waiting for busy pages (EBUSY) from
 * v4.18, and `accountingBytes` as given. `overrides` replaces members (a kernel series layered on
 * mainline, or an older kernel's API); it is given the mainline policy, so a replacement can fall
 * back to the member it replaces.
 */
export function mainlinePolicy(
  id: string, ctx: PolicyContext<unknown>, counting: PinCounting, accountingBytes: () => number,
  overrides: (mainline: PinPolicy) => Partial<PinPolicy> = () => ({}),
): PinPolicy {
  const rules = gupRules(ctx, counting.maybeDmaPinned);
  const mainline: PinPolicy = {
    id,
    countsPins: true,
    // is_valid_gup_args() (mm/gup.c, v6.12): FOLL_LONGTERM only with FOLL_PIN; before v6.3 the 2019 rule.
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
    // folio_needs_cow_for_dma() (include/linux/mm.h, v6.12); core asks it only in eras that copy at fork.
    forkMustCopy: rules.forkMustCopy,
    // gup_must_unshare() (mm/internal.h) as the era has it.
    mustUnshare: rules.mustUnshare,
    // check_vma_flags()'s FOLL_LONGTERM rules (mm/gup.c) as the era has them: FS-DAX EOPNOTSUPP, writable_file_mapping_allowed() EFAULT.
    checkLongtermVma: rules.checkLongtermVma,
    // gup_fast_folio_allowed() (mm/gup.c, v6.5+).
    fastFolioAllowed: rules.fastFolioAllowed,
    // folio_is_longterm_pinnable() (include/linux/mm.h) as the era has it.
    longtermPinnable: rules.longtermPinnable,
    // Mainline has no file pins (no vaddr_pin): check_vma_flags() alone rules long-term file pins.
    longtermFilePage: () => 0,
    releaseFilePages: () => undefined,
    // dax_layout_busy_page() and the wait after it in truncate (fs/dax.c, v4.18+), as EBUSY; before v4.18 nothing waited.
    checkTruncate: ctx.era.rules.daxBusyWait ? daxLayoutBusyCheck : () => 0,
    // No user-visible F_LAYOUT in mainline: fcntl(F_SETLEASE) takes only F_RDLCK/F_WRLCK/F_UNLCK (fs/locks.c).
    setLease: () => EINVAL,
    // No /proc/<pid>/file_pins in mainline.
    filePins: (): FilePinRecord[] => [],
    accountingBytes,
  };
  const p = { ...mainline, ...overrides(mainline) };
  // An order-0 anonymous frame counted as numbers by core's GUP-fast and unpin loops: what the
  // counting and the era's zones say, for the hooks the policy ends up with (an override of one
  // of them keeps to the declaration, which the fast-path property test checks).
  const fastPath: FastPathDeclaration = {
    ...counting.fast, longtermUnpinnableZones: rules.longtermUnpinnableZones,
    hooks: { grab: p.grab, release: p.release, longtermPinnable: p.longtermPinnable, fastFolioAllowed: p.fastFolioAllowed },
  };
  return assemblePolicy({ ...p, fastPath });
}
