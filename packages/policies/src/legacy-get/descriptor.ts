/**
 * The `legacy-get` policy: Linux ~v5.3 (2019), before FOLL_PIN.
 * @module
 */
import { definePinPolicy, type PinPolicy } from "@pinlab/core";
import { checkVmaLongterm } from "../shared/check-vma-longterm.js";
import { daxLayoutBusyCheck } from "../shared/dax-busy.js";
import { mainlinePolicy } from "../shared/mainline-policy.js";
import { getCounting } from "./get-counting.js";
import { LegacyGetOptionsSchema } from "./options.js";

/** `legacy-get`: plain references only, as in Linux ~v5.3 before FOLL_PIN existed. */
export const legacyGet = definePinPolicy({
  meta: {
    id: "legacy-get",
    summary: "Every grab is a plain reference (FOLL_GET); nothing can tell a DMA pin from any other user (Linux ~v5.3)",
    kernel: "Linux ~v5.3 (2019): get_user_pages + FOLL_LONGTERM, before FOLL_PIN (2020)",
    defaultKernel: "v5.3",
    description: [
      "The kernel the FOLL_PIN work set out to fix, and by default its era (`v5.3`): copy-on-write decided by mapcount",
      "(`reuse_swap_page()`), fork sharing every page, no unsharing. `pin_user_pages*()` calls degrade to",
      "`get_user_pages*()`: each page gets one plain reference, the zero page included, and the vmstat pin counters never",
      "move. `page_maybe_dma_pinned()` does not exist, so `maybeDmaPinned` is always false: writeback, reclaim, fork and",
      "migration cannot tell a page a device writes to from a page someone merely looks at.",
      "",
      "The rules that changed across kernels are the era's (`--kernel`): at v5.3 it accepts FOLL_LONGTERM without",
      "FOLL_PIN (`get_user_pages()` routed it to `__gup_longterm_locked()`), except on `get_user_pages_remote()` (EINVAL),",
      "refuses long-term pins of FS-DAX mappings with EOPNOTSUPP (since v4.15; option `fsdaxLongterm: true` allows them",
      "whatever the era), allows long-term writable pins of shared ext4 mappings, migrates long-term pins out of CMA only",
      "(`check_and_migrate_cma_pages`), and refuses a grab once the refcount overflowed. It has no leases.",
      "",
      "Known hazards at v5.3, all undetected: DMA into a page writeback cleaned, COW divergence after fork when the",
      "parent writes first (it copies; the device keeps the old page), the vmsplice leak (CVE-2020-29374), long-term pins",
      "stranding ZONE_MOVABLE memory, and with `daxBusyWait: false` (the pre-v4.18 kernels) FS-DAX blocks freed and",
      "reused while a device still writes to them. At v5.9 and later the child writing first diverges too (refcount COW).",
    ].join("\n"),
    options: LegacyGetOptionsSchema,
    // No file pins in v5.3; a pin is one plain reference in the refcount, nothing beside it.
    capabilities: { filePins: false, extraAtomicsPerPin: 0, extraAtomicsPerUnpin: 0 },
  },
  create(ctx): PinPolicy {
    const { fsdaxLongterm, daxBusyWait } = ctx.options;
    const rules = ctx.era.rules;
    return mainlinePolicy("legacy-get", ctx, getCounting(ctx.memory), () => 0, (mainline) => ({
      // FOLL_PIN does not exist yet: pins are references and the pin vmstat counters stay still.
      countsPins: false,
      // __gup_longterm_locked()'s check_dax_vmas() (v5.3), unless fsdaxLongterm models a kernel without it.
      checkLongtermVma: fsdaxLongterm
        ? (vma, flags) => checkVmaLongterm(vma, flags, false, rules.longtermFileWrite === "refused")
        : mainline.checkLongtermVma,
      // dax_layout_busy_page() (v4.18+) as EBUSY, or nothing at all before it; the option overrides the era.
      checkTruncate: (daxBusyWait ?? rules.daxBusyWait) ? daxLayoutBusyCheck : () => 0,
    }));
  },
});
