/**
 * Options of the `legacy-get` policy.
 * @module
 */
import { z } from "zod";

/**
 * Options of `legacy-get`, each selecting an older kernel within the FOLL_GET era:
 *
 * - `fsdaxLongterm`: allow FOLL_LONGTERM on FS-DAX mappings whatever the era, as kernels before
 *   v4.15 did (there was no long-term API: `get_user_pages_longterm()`, 2bb6d2837083, came with the
 *   DAX check). Default false: the era decides (v4.15 and later refuse with EOPNOTSUPP).
 * - `daxBusyWait`: truncate of an FS-DAX file waits for busy pages (`dax_layout_busy_page()`,
 *   v4.18+; modelled as EBUSY), or (false) frees the blocks and lets the filesystem reuse them while
 *   a holder still references them, as before v4.18. Absent: the era decides.
 */
export const LegacyGetOptionsSchema = z
  .object({
    fsdaxLongterm: z.boolean().default(false)
      .describe("allow FOLL_LONGTERM on FS-DAX mappings whatever the era, as before v4.15 (default: the era decides; v4.15+ refuses with EOPNOTSUPP)"),
    daxBusyWait: z.boolean().optional()
      .describe("FS-DAX truncate waits for busy pages (dax_layout_busy_page, v4.18+; modelled as EBUSY); false: blocks are freed and reused while still referenced; absent: as the era (v5.3 waits, v4.8 and v4.15 do not)"),
  })
  .strict();

/** Validated `legacy-get` options. */
export type LegacyGetOptions = z.output<typeof LegacyGetOptionsSchema>;
