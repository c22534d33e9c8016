/**
 * Options of the `legacy-get` policy.
 * @module
 */
import { z } from "zod";

/**
 * Options of `legacy-get`, each selecting an older kernel within the FOLL_GET era:
 *
 * - `fsdaxLongterm`: allow FOLL_LONGTERM on FS-DAX mappings, as kernels before v4.19 did (there
 *   was no FOLL_LONGTERM, and `get_user_pages_longterm()` came with the DAX check). Default
 *   false: ~v5.3 refuses with EOPNOTSUPP.
 * - `daxBusyWait`: truncate of an FS-DAX file waits for busy pages (`dax_layout_busy_page()`,
 *   v4.18+; modelled as EBUSY). Set false for the earlier kernels that freed the blocks and let the
 *   filesystem reuse them while a holder still referenced them.
 */
export const LegacyGetOptionsSchema = z
  .object({
    fsdaxLongterm: z.boolean().default(false)
      .describe("allow FOLL_LONGTERM on FS-DAX mappings, as before v4.19 (default: ~v5.3 refuses with EOPNOTSUPP)"),
    daxBusyWait: z.boolean().default(true)
      .describe("FS-DAX truncate waits for busy pages (dax_layout_busy_page, v4.18+; modelled as EBUSY); false: blocks are freed and reused while still referenced"),
  })
  .strict();

/** Validated `legacy-get` options. */
export type LegacyGetOptions = z.output<typeof LegacyGetOptionsSchema>;
