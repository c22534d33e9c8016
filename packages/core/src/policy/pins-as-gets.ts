/**
 * A policy on a kernel before FOLL_PIN was counted.
 * @module
 */
import type { PinPolicy } from "./pin-policy.js";

/**
 * The policy `p` on an era before "mm/gup: track FOLL_PIN pages" (3faa52c03f44, v5.7): every pin
 * call is a plain `get_page()` (`pin_user_pages*()` either did not exist or, in v5.6, only took a
 * reference), so grabs and releases of kind `pin` are counted as `get`, the vmstat pin counters
 * stay still, nothing is ever `page_maybe_dma_pinned()` (it did not exist) and no page shows a
 * pin count (nor does core ask it to unshare: see `PinPolicy.mustUnshare`). Everything else is the policy's own. The members keep `p`'s order, so the object
 * has the same shape as every other policy.
 */
export function pinsAsGets(p: PinPolicy): PinPolicy {
  const grab: PinPolicy["grab"] = (head, refs) => p.grab(head, refs, "get");
  const release: PinPolicy["release"] = (head, refs) => p.release(head, refs, "get");
  const fast = p.fastPath;
  return {
    ...p,
    countsPins: false,
    grab,
    release,
    maybeDmaPinned: () => false,
    pinCount: () => 0,
    refsForPins: (_head, pins) => pins,
    // A pin is one plain reference, what FOLL_GET adds (when `p` declared its plain frames at all).
    fastPath: fast === undefined ? undefined : {
      pinRefs: 1, pinCounter: undefined, longtermUnpinnableZones: fast.longtermUnpinnableZones,
      hooks: { grab, release, longtermPinnable: fast.hooks.longtermPinnable, fastFolioAllowed: fast.hooks.fastFolioAllowed },
    },
  };
}
