/**
 * Options of the `pin-bias` policy.
 * @module
 */
import { z } from "zod";
import { GUP_PIN_COUNTING_BIAS } from "./bias-counting.js";

/**
 * Options of `pin-bias` (and of `vaddr-pin`, which counts the same way): `bias` is what one pin
 * adds to a small folio's refcount, `GUP_PIN_COUNTING_BIAS` (1024) in the kernel. A smaller bias
 * leaves more headroom before the refcount overflows and makes false positives more likely; a
 * larger one the reverse.
 */
export const PinBiasOptionsSchema = z
  .object({
    bias: z.number().int().min(2).max(2 ** 30).default(GUP_PIN_COUNTING_BIAS)
      .describe("what one pin adds to a small folio's refcount (GUP_PIN_COUNTING_BIAS); smaller: more overflow headroom, more false positives"),
  })
  .strict();

/** Validated `pin-bias` options. */
export type PinBiasOptions = z.output<typeof PinBiasOptionsSchema>;
