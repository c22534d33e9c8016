/**
 * The `exact-pincount` policy: v6.12 rules with an exact pin counter per frame.
 * @module
 */
import { definePinPolicy, type PinPolicy } from "@pinlab/core";
import { mainlinePolicy } from "../shared/mainline-policy.js";
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
    // The exact counter sits in an array of its own: one more atomic RMW per pin and per unpin.
    capabilities: { filePins: false, extraAtomicsPerPin: 1, extraAtomicsPerUnpin: 1 },
  },
  create(ctx): PinPolicy {
    const nrFrames = ctx.memory.nrFrames;
    // try_grab_folio / gup_put_folio / folio_maybe_dma_pinned (v6.12) over an exact counter, one
    // Int32Array element per frame, see exactCounting.
    const counting = exactCounting(ctx.memory, new Int32Array(nrFrames), ctx.era.rules.zeroPagePinned);
    return mainlinePolicy("exact-pincount", ctx, counting, () => EXACT_COUNTER_BYTES * nrFrames);
  },
});
