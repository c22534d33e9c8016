/**
 * Schema of the `concurrent` step (issue 21): threads of ordinary steps that may interleave. The
 * loader flattens a block into the ordinary step list in the order it runs (see
 * `concurrent-block.ts`), so no executor ever sees a `concurrent` step.
 * @module
 */
import { z } from "zod";

/** The op name of a concurrent block. */
export const CONCURRENT_OP = "concurrent";

/** A thread name: `[A-Za-z_][A-Za-z0-9_.-]*`. */
export const THREAD_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** The keys a `concurrent` step may carry. */
export const CONCURRENT_KEYS: readonly string[] = ["op", "threads", "order", "note"];

/**
 * The JSON Schema shape of a `concurrent` step, given the schema of one ordinary step (for
 * editors; the loader checks the same rules with messages naming the field).
 */
export function concurrentStepSchema(ordinaryStep: z.ZodType): z.ZodType {
  return z.object({
    op: z.literal(CONCURRENT_OP),
    threads: z.record(z.string().regex(THREAD_NAME_PATTERN), z.array(ordinaryStep).min(1))
      .meta({ description: "(issue 21) thread name -> its steps (ordinary steps, no nested concurrent); at least 2 threads" }),
    order: z.array(z.string().regex(THREAD_NAME_PATTERN)).optional()
      .meta({ description: "which thread runs its next step, e.g. [a, b, b, a]: each name as many times as its thread has steps; absent: the threads one after the other, in the order written" }),
    note: z.string().optional(),
  }).strict().meta({ description: "(issue 21) steps of several threads that may interleave; flattened where it stands, in `order`" });
}
