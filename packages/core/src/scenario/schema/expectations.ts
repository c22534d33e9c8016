/**
 * Schema of `expect:` blocks (docs/reference/scenario-format.md, "Expectations").
 * @module
 */
import { z } from "zod";
import { ERRNO } from "../../errno.js";
import { ZONE_NAMES } from "../../memory/zones.js";
import { uidField } from "./scenario.js";
import { addrField, nameField, sizeField, timeField } from "../../sim/field-schemas.js";
import type { FaultPoint } from "../../sim/fault-spec.js";
import type { MmuNotifyEvent } from "../../events/event-types.js";

import { HAZARD_CLASSES, HAZARD_OUTCOMES } from "./hazard-names.js";

export { HAZARD_CLASSES, HAZARD_OUTCOMES };

/** Counter names an expectation may check (vmstat and model counters); `pinned_vm` and `locked_vm` are separate. */
export const COUNTER_NAMES = [
  "nr_foll_pin_acquired", "nr_foll_pin_released", "nr_gup_get_acquired", "nr_gup_get_released", "nr_cow", "nr_fork_dma_copies",
  "nr_migrated", "nr_migrate_failed", "thp_split_pmd", "thp_split_page", "thp_collapse_alloc",
  "pswpout", "pswpin", "swpout_zero", "swpin_zero", "thp_swpout_fallback",
] as const;

const int = z.number().int();

/** `same_frame_as`: another process address, or an offset in a device region or gup handle. */
const sameFrame = z.union([
  z.object({ proc: nameField, addr: addrField }).strict(),
  z.object({ region: nameField, offset: sizeField.optional() }).strict(),
], { message: "expected { proc, addr } or { region, offset }" });

/** Schema of a `page:` expectation. */
export const pageExpectation = z
  .object({
    proc: nameField,
    addr: addrField,
    refcount: int.optional(),
    mapcount: int.optional(),
    pincount: int.optional(),
    maybe_dma_pinned: z.boolean().optional(),
    dirty: z.boolean().optional(),
    writeback: z.boolean().optional(),
    present: z.boolean().optional(),
    writable: z.boolean().optional(),
    anon_exclusive: z.boolean().optional(),
    zero_page: z.boolean().optional(),
    huge_zero_page: z.boolean().optional(),
    pmd_mapped: z.boolean().optional(),
    pud_mapped: z.boolean().optional().meta({ description: "(2.0) a PUD leaf maps this address: a 1 GiB hugetlb folio mapped whole (`pud_leaf()`)" }),
    entire_mapcount: int.optional(),
    folio_order: int.optional(),
    zone: z.enum(ZONE_NAMES).optional(),
    orphan: z.boolean().optional(),
    swapped: z.boolean().optional().meta({ description: "(2.0) the PTE is a swap entry (/proc/PID/pagemap bit 62, PM_SWAP)" }),
    device_private: z.boolean().optional().meta({ description: "(2.0) the PTE is a device-private entry: the page was migrated to an HMM device's private memory (is_device_private_entry)" }),
    same_frame_as: sameFrame.optional(),
  })
  .strict();

/** Schema of one hazard matcher. */
export const hazardMatcher = z
  .object({ class: z.enum(HAZARD_CLASSES).optional(), outcome: z.enum(HAZARD_OUTCOMES).optional(), count: int.nonnegative().optional() })
  .strict();

const invCount = int.nonnegative().optional();

/**
 * Schema of `counters.invalidations` (ext): MMU-notifier invalidations the mm started so far, per
 * `enum mmu_notifier_event` (include/linux/mmu_notifier.h, v6.12), whether or not an interval
 * notifier was registered to hear them (`MmuNotifiers.counts`).
 */
export const invalidationsExpectation = z
  .object({
    unmap: invCount, clear: invCount, protection_vma: invCount, protection_page: invCount, soft_dirty: invCount, release: invCount,
    migrate: invCount, exclusive: invCount,
  } satisfies Record<MmuNotifyEvent, z.ZodType>)
  .strict();

/** Schema of `counters.locked_vm` (ext): the `locked_vm` of a user, named by uid or by a process running as it. */
export const lockedVmExpectation = z.union([
  z.object({ uid: uidField, pages: int }).strict(),
  z.object({ proc: nameField, pages: int }).strict(),
], { message: "expected { uid, pages } or { proc, pages }" });

const counters = z
  .object({
    ...Object.fromEntries(COUNTER_NAMES.map((n) => [n, int.optional()])),
    pinned_vm: z.object({ proc: nameField, pages: int }).strict().optional(),
    locked_vm: lockedVmExpectation.optional().meta({ description: "(ext) a user's locked_vm in pages: { uid, pages }, or { proc, pages } for the user that process runs as" }),
    invalidations: invalidationsExpectation.optional().meta({ description: "(ext) MMU-notifier invalidations started so far, per event, e.g. { release: 1, unmap: 1 }" }),
  })
  .strict();

/** What a `faults:` expectation may check of one fault point: its calls and the failures injected. */
const faultCounts = z.object({ calls: int.nonnegative().optional(), injected: int.nonnegative().optional() }).strict().optional();

/** Schema of a `faults:` expectation (ext): counts per fault point, as `inst.faults.stats()` reads them. */
export const faultsExpectation = z
  .object({ alloc: faultCounts, migrate: faultCounts, writeback: faultCounts, dma: faultCounts } satisfies Record<FaultPoint, z.ZodType>)
  .strict();

/**
 * `data.equals`: exactly the bytes at the address, so never empty (that would check nothing).
 * Before reads kept NULs, `""` meant "a NUL is there"; the message says what to write now.
 */
const dataEquals = z
  .string()
  .min(1, { message: 'must not be empty: it compares exactly the bytes it holds, so "" checks nothing; write the zeros you expect, e.g. "\\0\\0\\0\\0" (reads keep NULs since format 1.1)' })
  .meta({ description: "exactly the bytes at addr, NULs included (\"\\0\\0\\0\\0\" for zeros)" });

/** Schema of one `data:` expectation (issue 19: `data:` also takes a list of them, as `page:` does). */
export const dataExpectation = z.object({ proc: nameField, addr: addrField, equals: dataEquals }).strict();

/** Where a `file_data:` expectation reads: the file as read(2) sees it, or (issue 19) only what reached the backing store. */
export const FILE_DATA_SOURCES = ["cache", "disk"] as const;

/** Schema of one `file_data:` expectation (issue 19: also a list of them, and `from: disk`). */
export const fileDataExpectation = z.object({
  file: nameField,
  offset: sizeField.default(0),
  equals: z.string().meta({ description: "exactly the bytes there; \"\" means none: the file ends at offset" }),
  from: z.enum(FILE_DATA_SOURCES).default("cache").meta({
    description: "(issue 19) cache: what read(2) returns (the page cache, else the backing store); disk: only what writeback stored (zeros for a hole or a page never written back); ext4 and fsdax files",
  }),
}).strict();

/** Schema of an `expect:` block: every key optional, unknown keys refused. */
export const expectationsSchema = z
  .object({
    ok: z.boolean().optional(),
    errno: z.enum(Object.keys(ERRNO) as [keyof typeof ERRNO, ...(keyof typeof ERRNO)[]]).optional(),
    result: z.unknown().optional(),
    page: z.union([pageExpectation, z.array(pageExpectation)]).optional(),
    data: z.union([dataExpectation, z.array(dataExpectation)]).optional(),
    file_data: z.union([fileDataExpectation, z.array(fileDataExpectation)]).optional(),
    counters: counters.optional(),
    hazards: z.union([hazardMatcher, z.array(hazardMatcher)]).optional(),
    file_pins: z.object({ proc: nameField, count: int.nonnegative() }).strict().optional(),
    device_counters: z.object({ device: nameField }).catchall(int).optional().meta({ description: "(ext) a device's counters, e.g. { device: nic0, retries: 1 }" }),
    invariants: z.literal(true).optional(),
    now: timeField.optional().meta({ description: "(ext) the virtual clock reads exactly this time after the step, e.g. \"50us\"" }),
    faults: faultsExpectation.optional().meta({ description: "(ext) fault-injection counts so far, e.g. { alloc: { calls: 5, injected: 1 } }" }),
  })
  .strict();

/** A validated `expect:` block. */
export type Expectations = z.output<typeof expectationsSchema>;
/** A validated `page:` expectation. */
export type PageExpectation = z.output<typeof pageExpectation>;
/** A validated hazard matcher. */
export type HazardMatcher = z.output<typeof hazardMatcher>;
