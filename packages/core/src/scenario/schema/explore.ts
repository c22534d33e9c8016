/**
 * Schema of a scenario's `explore` block (issue 21): what `pinlab explore` must find, or prove
 * absent within the bound, in the interleavings of the scenario's `concurrent` blocks. `pinlab
 * explore` checks it (exit 1 when an entry fails) and the test suite checks it for every library
 * scenario that has one.
 * @module
 */
import { z } from "zod";
import { eraIdSchema } from "../../era/era-id-schema.js";
import { HAZARD_CLASSES, HAZARD_OUTCOMES } from "./hazard-names.js";

/** The class of a finding: a hazard class, or `expectation` for a failed expectation. */
export const FINDING_CLASSES = [...HAZARD_CLASSES, "expectation"] as const;

/** Which findings an entry means: the class, and the hazard's outcome or the failed expectation's key. */
export const findingSelectorSchema = z
  .object({
    class: z.enum(FINDING_CLASSES),
    outcome: z.enum(HAZARD_OUTCOMES).optional().meta({ description: "a hazard's outcome (prevented, detected, undetected); absent: any" }),
    key: z.string().min(1).optional().meta({ description: "for class expectation: the failed expectation's key (file_data, data, hazards, ...); absent: any" }),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.class === "expectation" && s.outcome !== undefined) ctx.addIssue({ code: "custom", path: ["outcome"], message: "a failed expectation has no outcome; name its key instead (key: file_data)" });
    if (s.class !== "expectation" && s.key !== undefined) ctx.addIssue({ code: "custom", path: ["key"], message: `key names a failed expectation; a ${s.class} finding is selected by its outcome` });
  });

/** One entry of `explore.expect`. */
export const exploreEntrySchema = z
  .object({
    policy: z.string().min(1).optional().meta({ description: "the policy the entry is about (default: every policy explored)" }),
    kernel: eraIdSchema.optional().meta({ description: "the kernel era to explore at (default: the scenario's, or --kernel)" }),
    found: findingSelectorSchema.optional().meta({ description: "some order within the bound produces this" }),
    absent: findingSelectorSchema.optional().meta({ description: "no order within the bound produces this (and the search was exhaustive)" }),
    note: z.string().optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if ((e.found === undefined) === (e.absent === undefined)) ctx.addIssue({ code: "custom", path: [], message: "expected exactly one of found or absent" });
  });

/** The `explore` block. */
export const exploreSchema = z
  .object({
    bound: z.number().int().nonnegative().optional().meta({ description: "at most this many preemptions per concurrent block (default: none; --bound overrides)" }),
    expect: z.array(exploreEntrySchema).default([]).meta({ description: "what the exploration finds, or proves absent (default: nothing checked)" }),
  })
  .strict();

/** A validated `explore` block. */
export type ExploreSpec = z.output<typeof exploreSchema>;

/** A validated `explore.expect` entry. */
export type ExploreEntry = z.output<typeof exploreEntrySchema>;
