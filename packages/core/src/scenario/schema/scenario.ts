/**
 * Schema of a whole scenario file (docs/reference/scenario-format.md, "File"). Steps are checked one by one
 * against their op's schema (see `steps.ts`) so errors can name the step.
 * @module
 */
import { thpConfigSchema } from "../../config/thp-config.js";
import { z } from "zod";
import { PINNED_WRITEBACK_ACTIONS } from "../../config/kernel-config.js";
import { FS_TYPES } from "../../fs/fs-type.js";
import { MAX_FILE_BYTES } from "../../fs/inode.js";
import { HPAGE_PMD_SIZE } from "../../sim/units.js";
import { MAX_UID } from "../../mm/user-struct.js";
import { nameField, sizeField, timeField } from "../../sim/field-schemas.js";
import { faultsSchema } from "../../sim/fault-spec.js";
import { exploreSchema } from "./explore.js";
import { eraIndex, findEra, KERNEL_ERA_IDS } from "../../era/era-lookup.js";
import { eraIdSchema } from "../../era/era-id-schema.js";

/** Most steps a scenario may have. */
export const MAX_STEPS = 1_000_000;

/** Schema of the machine section. */
export const machineSchema = z
  .object({
    memory: sizeField,
    movable: sizeField.optional(),
    cma: sizeField.optional(),
    pmem: sizeField.optional(),
    device_memory: sizeField.optional().meta({ description: "(2.0) bytes of ZONE_DEVICE memory that HMM devices (hmm-dmirror) carve their device-private or device-coherent pages from (0 or absent: none)" }),
    memlock: sizeField.optional(),
    swap: sizeField.optional().meta({ description: "(2.0) a swap device of this many bytes (0 or absent: none); anonymous pages can then be swapped out by madvise pageout and reclaim" }),
    writeback_latency: timeField.optional().meta({ description: "(ext) how long a writeback IO takes on the clock (default 100us)" }),
    pinned_writeback: z.enum(PINNED_WRITEBACK_ACTIONS).optional().meta({ description: "(ext) what writeback does with maybe-pinned pages: ignore (v6.12), wait, bounce" }),
    faults: faultsSchema.optional(),
    hugetlb_1g: z.number().int().min(0).optional().meta({ description: "(2.0) 1GiB hugetlb pages set aside at boot (hugepagesz=1G hugepages=N) for hugetlb: 1GiB mappings; memory must hold them and one GiB more (default 0)" }),
    kernel: eraIdSchema.optional().meta({ description: `(2.0) the kernel era whose COW, fork and GUP rules the machine follows (${KERNEL_ERA_IDS.join(", ")}); absent: the policy's default era (legacy-get: v5.3, the others: v6.12); --kernel overrides it` }),
    thp: thpConfigSchema.optional().meta({ description: "(ext) transparent huge pages: enabled (always, madvise: the default, never) and sizes (16KiB to 2MiB; default [2MiB])" }),
  })
  .strict();

/** Schema of a file declaration. */
export const fileSchema = z
  .object({
    name: nameField,
    fs: z.enum(FS_TYPES),
    size: sizeField,
    pinned_writeback: z.enum(PINNED_WRITEBACK_ACTIONS).optional().meta({ description: "(ext) per-file override of machine.pinned_writeback" }),
  })
  .strict()
  .superRefine((f, ctx) => {
    // What Kernel.createFile() would refuse, said at load time with the field.
    if (f.size > MAX_FILE_BYTES) ctx.addIssue({ code: "custom", path: ["size"], message: `a file is at most 16TiB, got ${f.size} bytes` });
    else if (f.fs === "hugetlbfs" && f.size % HPAGE_PMD_SIZE !== 0) ctx.addIssue({ code: "custom", path: ["size"], message: `a hugetlbfs file is a whole number of 2MiB huge pages, got ${f.size} bytes` });
  });

/** Schema of a device declaration. */
export const deviceSchema = z
  .object({ name: nameField, kind: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() })
  .strict();

const uidMessage = { message: `expected a uid: a whole number from 0 to ${MAX_UID}` };
/** Schema of a uid: `uid_t`, without `(uid_t)-1` (INVALID_UID). */
export const uidField = z.number().int().min(0, uidMessage).max(MAX_UID, uidMessage);

/** Schema of a process declaration. */
export const processSchema = z.union([
  nameField,
  z.object({
    name: nameField,
    memlock: sizeField.optional(),
    uid: uidField.optional().meta({ description: "(ext) the user it runs as; processes with one uid share its locked_vm (default 1000: all share one user)" }),
  }).strict(),
], {
  message: "expected a process name or { name, memlock, uid }",
});

const eraId = eraIdSchema;

/**
 * Schema of one `history` entry (2.0): a window of kernel eras in which a hazard is recorded,
 * which `pinlab timeline` checks. `hazard` is a class (`cow_leak`) or `class/outcome`
 * (`cow_leak/undetected`); `from` is the first era it is recorded in (the era before it has none,
 * unless `from` is the oldest era), `to` the first later era without it (absent: it never goes);
 * every era from `from` up to `to` records it. `cite` lists the commit ids (as in the era table)
 * the timeline must name for the change at `from` (when not the oldest era) and at `to`.
 * `policy` restricts the entry to one policy (default: every policy the timeline runs). `to`
 * must be later than `from`.
 */
export const historyEntrySchema = z
  .object({
    hazard: z.string().regex(/^(dma_after_clean|dma_to_truncated|cow_divergence|dma_to_freed|longterm_in_movable|cow_leak)(\/(prevented|detected|undetected))?$/, { message: "expected a hazard class, or class/outcome (cow_leak/undetected)" }),
    policy: z.string().min(1).optional(),
    from: eraId,
    to: eraId.optional(),
    cite: z.array(z.string().regex(/^[0-9a-f]{12}$/, { message: "expected a 12-digit commit id" })).default([]),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.to !== undefined && findEra(e.from) !== undefined && findEra(e.to) !== undefined && eraIndex(e.to) <= eraIndex(e.from)) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `must be a later kernel era than from (${e.from}), got ${e.to}` });
    }
  });

/** Schema of the top level (steps checked separately). */
export const scenarioSchema = z
  .object({
    name: nameField,
    description: z.string().optional(),
    seed: z.number().int().default(1),
    policy: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { message: "expected a policy name, a list of names, or all" }).optional(),
    policy_options: z.record(z.string(), z.record(z.string(), z.unknown())).optional().meta({ description: "(ext) options per policy id" }),
    check_invariants: z.boolean().optional().meta({ description: "(ext) audit the model after every step (true), or never per step even when the runner asks (false: for very long stories that check `invariants: true` where it matters)" }),
    machine: machineSchema,
    history: z.array(historyEntrySchema).optional().meta({ description: "(2.0) the kernel eras in which each hazard is recorded, with the commits that brought or removed it; checked by pinlab timeline" }),
    explore: exploreSchema.optional().meta({ description: "(issue 21) what pinlab explore finds, or proves absent within the bound, in the interleavings of the concurrent blocks; checked by pinlab explore" }),
    files: z.array(fileSchema).default([]),
    devices: z.array(deviceSchema).default([]),
    processes: z.array(processSchema).default([]),
    steps: z.array(z.unknown()).max(MAX_STEPS).default([]),
  })
  .strict();

/** The validated top level of a scenario (steps still raw). */
export type ScenarioHeader = z.output<typeof scenarioSchema>;
