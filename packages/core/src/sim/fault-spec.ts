/**
 * What a config or a scenario asks fault injection to do (`machine.faults` in a scenario,
 * `faults` in a kernel config): for each fault point, which of its calls fail. The three forms
 * follow the kernel's fault-injection knobs (Documentation/fault-injection/fault-injection.rst,
 * lib/fault-inject.c `should_fail_ex()`, v6.12): `every` is `interval`, `probability` is
 * `probability` (a fraction here, a percentage there), `at` is the per-task `fail-nth` widened
 * to a list of calls, and `times` is `times`.
 * @module
 */
import { z } from "zod";

/**
 * The fault points pinlab can fail on purpose: `alloc` (the page allocator,
 * `should_fail_alloc_page()`), `migrate` (moving one folio; a pinlab extension), `writeback`
 * (a writeback IO completing with EIO) and `dma` (a device's DMA transfer).
 */
export const FAULT_POINTS = ["alloc", "migrate", "writeback", "dma"] as const;

/** The name of a fault point. */
export type FaultPoint = (typeof FAULT_POINTS)[number];

/** The mutually exclusive ways to say which calls fail; a spec gives exactly one. */
export const FAULT_SPEC_FORMS = ["every", "at", "probability"] as const;

const wholeAtLeastOne = (what: string) =>
  z.number({ message: `expected a whole number of calls, at least 1 (${what})` }).int({ message: `expected a whole number of calls, at least 1 (${what})` }).min(1, { message: `expected a whole number of calls, at least 1 (${what})` });

/**
 * Schema of one fault point's spec: exactly one of `every`, `at`, `probability`, plus an
 * optional `times`. Calls of a point are counted from 1, every call whether it fails or not.
 */
export const faultSpecSchema = z
  .object({
    every: wholeAtLeastOne("calls N, 2N, 3N... fail").optional().meta({ description: "calls N, 2N, 3N... fail (fault-inject's interval)" }),
    at: z
      .array(z.number({ message: "expected a call index: a whole number, at least 1" }).int({ message: "expected a call index: a whole number, at least 1" }).min(1, { message: "expected a call index: a whole number, at least 1" }), { message: "expected a list of call indices, such as [1, 3]" })
      .min(1, { message: "expected at least one call index" })
      .optional()
      .meta({ description: "these calls fail (1-based indices; fail-nth, widened to a list)" }),
    probability: z
      .number({ message: "expected a probability: a number greater than 0 and at most 1" })
      .gt(0, { message: "expected a probability greater than 0 and at most 1" })
      .lte(1, { message: "expected a probability greater than 0 and at most 1" })
      .optional()
      .meta({ description: "each call fails with this probability, drawn from a random source of its own seeded by the scenario seed and the point" }),
    times: wholeAtLeastOne("at most this many failures").optional().meta({ description: "at most this many failures (fault-inject's times); absent = no limit" }),
  })
  .strict()
  .superRefine((s, ctx) => {
    const given = FAULT_SPEC_FORMS.filter((f) => s[f] !== undefined);
    if (given.length === 1) return;
    const got = given.length === 0 ? "none" : given.join(" and ");
    ctx.addIssue({ code: "custom", path: [], message: `give exactly one of every, at, probability (got ${got})` });
  })
  .meta({
    description: "which calls of this point fail: exactly one of every, at, probability; times caps the failures",
    oneOf: FAULT_SPEC_FORMS.map((f) => ({ required: [f] })),
  });

/** A validated fault spec. */
export type FaultSpec = z.output<typeof faultSpecSchema>;

/** Schema of the fault-injection section: a spec per fault point, every point optional. */
export const faultsSchema = z
  .object({
    alloc: faultSpecSchema.optional().meta({ description: "the page allocator: the call fails as if memory were exhausted (should_fail_alloc_page)" }),
    migrate: faultSpecSchema.optional().meta({ description: "migrating one folio fails; it stays where it was (pinlab extension)" }),
    writeback: faultSpecSchema.optional().meta({ description: "a page's writeback IO completes with EIO" }),
    dma: faultSpecSchema.optional().meta({ description: "a device's DMA transfer fails (IOMMU fault); the device reports EIO" }),
  } satisfies Record<FaultPoint, z.ZodType>)
  .strict()
  .meta({ description: "(ext) fault injection: make allocation, migration, writeback IO or DMA fail on purpose" });

/** A validated fault-injection section. */
export type FaultsConfig = z.output<typeof faultsSchema>;
