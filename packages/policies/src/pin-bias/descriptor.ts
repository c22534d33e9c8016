/**
 * The `pin-bias` policy: mainline Linux v6.12.
 * @module
 */
import { definePinPolicy, type PinPolicy } from "@pinlab/core";
import { mainlinePolicy } from "../shared/mainline-policy.js";
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
    // Mainline has no file pins; the bias and _pincount are what try_grab_folio() updates anyway.
    capabilities: { filePins: false, extraAtomicsPerPin: 0, extraAtomicsPerUnpin: 0 },
  },
  create(ctx): PinPolicy {
    // try_grab_folio / gup_put_folio / folio_maybe_dma_pinned (v6.12), see biasCounting. The bias
    // lives in folio->_refcount and _pincount: nothing beyond struct folio.
    return mainlinePolicy("pin-bias", ctx, biasCounting(ctx.memory, ctx.options.bias, ctx.era.rules.zeroPagePinned), () => 0);
  },
});
