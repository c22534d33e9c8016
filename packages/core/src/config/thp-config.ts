/**
 * The transparent-huge-page settings of a machine: what /sys/kernel/mm/transparent_hugepage/
 * `enabled` says, and which folio sizes anonymous faults may allocate (the per-size
 * `hugepages-<size>kB/enabled` files of v6.8+ mTHP: a size listed follows `enabled`, a size not
 * listed is `never`). The default, `madvise` with 2 MiB only, is Debian's v6.12 kernel as booted.
 * @module
 */
import { z } from "zod";
import { HPAGE_PMD_ORDER, PAGE_SIZE } from "../sim/units.js";
import { sizeField } from "../sim/field-schemas.js";

/** THP modes (`enabled`): always, only in MADV_HUGEPAGE ranges, never. */
export const THP_MODES = ["always", "madvise", "never"] as const;

/** A THP mode. */
export type ThpMode = (typeof THP_MODES)[number];

/** Anonymous folio orders v6.12 can fault in (`THP_ORDERS_ALL_ANON`: 2 to PMD_ORDER; order 1 is never anonymous). */
export const ANON_THP_ORDERS: readonly number[] = [2, 3, 4, 5, 6, 7, 8, 9];

/** Schema of `machine.thp` (sizes accept `"64KiB"`-style strings). */
export const thpConfigSchema = z
  .object({
    enabled: z.enum(THP_MODES).default("madvise"),
    sizes: z.array(sizeField).min(1).default([PAGE_SIZE << HPAGE_PMD_ORDER]),
  })
  .strict()
  .superRefine((t, ctx) => {
    t.sizes.forEach((s, i) => {
      const order = Math.log2(s / PAGE_SIZE);
      if (!ANON_THP_ORDERS.includes(order)) {
        ctx.addIssue({ code: "custom", path: ["sizes", i], message: `a THP size is a power of two from 16KiB to 2MiB (orders 2 to 9), got ${s} bytes` });
      }
    });
  });

/** Validated THP settings. */
export type ThpSettings = z.output<typeof thpConfigSchema>;

/** The settings a machine without `thp:` has: `madvise`, 2 MiB only. */
export const DEFAULT_THP: ThpSettings = { enabled: "madvise", sizes: [PAGE_SIZE << HPAGE_PMD_ORDER] };

/** The folio orders `settings` lets anonymous faults allocate, as a bit mask (bit n: order n). */
export function thpOrders(settings: ThpSettings): number {
  if (settings.enabled === "never") return 0;
  let mask = 0;
  for (const s of settings.sizes) mask |= 1 << Math.log2(s / PAGE_SIZE);
  return mask;
}
