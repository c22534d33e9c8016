/**
 * Options of the `vaddr-pin` policy.
 * @module
 */
import { z } from "zod";
import { GUP_PIN_COUNTING_BIAS } from "../pin-bias/bias-counting.js";

/**
 * Options of `vaddr-pin`, each one of the open points of the 2019 debate:
 *
 * - `bias`: as in `pin-bias` (the RFC layers on FOLL_PIN counting).
 * - `exclusiveLeaseWithoutPins` (reference §11 row 15): truncate of a file under another
 *   process's exclusive layout lease when nothing is pinned. `refuse` (the RFC's code:
 *   `__break_lease()` fails on any conflicting exclusive lease, ETXTBSY) or `allow` (the cover
 *   letter's wording: unpinned pages truncate normally).
 * - `leaseRelease` (row 16): F_UNLCK while the holder still has file pins. `allow` (the RFC v2:
 *   the pins persist, new pins fail) or `block` (Jan Kara's plan: release waits for the unpin,
 *   modelled as EBUSY).
 * - `pageCacheLeases`: extend the lease rule to page-cache files: a long-term writable pin of a
 *   shared dirty-tracked mapping (ext4) is allowed under an exclusive layout lease and a
 *   vaddr_pin owner, instead of v6.12's EFAULT. The RFC left page-cache pages alone; this is
 *   the "what if" the cover letter hinted at.
 */
export const VaddrPinOptionsSchema = z
  .object({
    bias: z.number().int().min(2).max(2 ** 30).default(GUP_PIN_COUNTING_BIAS)
      .describe("what one pin adds to a small folio's refcount, as in pin-bias"),
    exclusiveLeaseWithoutPins: z.enum(["refuse", "allow"]).default("refuse")
      .describe("truncate under another process's exclusive layout lease with nothing pinned: refuse with ETXTBSY (the RFC's code) or allow (its cover letter)"),
    leaseRelease: z.enum(["allow", "block"]).default("allow")
      .describe("F_UNLCK while the holder has file pins: allow (RFC v2: pins persist, new pins fail) or block until unpin (Jan Kara's plan; EBUSY)"),
    pageCacheLeases: z.boolean().default(false)
      .describe("allow long-term writable pins of dirty-tracked page-cache files (ext4) under an exclusive lease and a vaddr_pin owner, instead of v6.12's EFAULT"),
  })
  .strict();

/** Validated `vaddr-pin` options. */
export type VaddrPinOptions = z.output<typeof VaddrPinOptionsSchema>;
