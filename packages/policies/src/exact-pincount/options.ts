/**
 * Options of the `exact-pincount` policy.
 * @module
 */
import { z } from "zod";

/** `exact-pincount` has no options; unknown keys are refused. */
export const ExactPincountOptionsSchema = z.object({}).strict();

/** Validated `exact-pincount` options. */
export type ExactPincountOptions = z.output<typeof ExactPincountOptionsSchema>;
