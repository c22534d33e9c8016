/**
 * Schemas of scenario steps, one per op (docs/reference/scenario-format.md, "Steps"), plus the fields every
 * step may carry: `as`, `expect`, `expect_by_policy`, `note`. Ops marked (ext) extend the format.
 * @module
 */
import { DEFAULT_KERNEL } from "../../era/eras.js";
import { eraMatches, KERNEL_ERA_IDS } from "../../era/era-lookup.js";
import { z } from "zod";
import { FOLL_FLAGS } from "../../gup/foll-flags.js";
import type { MigrateMode } from "../../migrate/migrate.js";
import { addrField, dataField, nameField, pagesField, sizeField, timeField } from "../../sim/field-schemas.js";
import { HPAGE_PMD_SIZE, HPAGE_PUD_SIZE, PAGE_SIZE } from "../../sim/units.js";
import { expectationsSchema } from "./expectations.js";

/** GUP calls a `gup` step may name. */
export const GUP_CALLS = [
  "get_user_pages", "get_user_pages_fast", "get_user_pages_remote", "pin_user_pages", "pin_user_pages_fast", "pin_user_pages_remote",
  "get_user_pages_fast_only", "vaddr_pin_pages", "vaddr_pin_pages_remote",
] as const;

/** mmap flags. */
export const MMAP_FLAGS = ["private", "shared", "anonymous", "populate", "hugetlb", "dontcopy", "pfnmap"] as const;
/** (2.0) mremap flags: MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP. */
export const MREMAP_FLAGS = ["maymove", "fixed", "dontunmap"] as const;
/** Protection bits. */
export const PROT_BITS = ["read", "write", "exec"] as const;
/** madvise advice. */
export const MADVICE = ["dontneed", "dontfork", "dofork", "hugepage", "nohugepage", "wipeonfork", "keeponfork", "collapse", "pageout"] as const;
/** The message for a bad `split` order. */
const SPLIT_ORDER = { message: "expected a folio order from 0 to 8 (below a PMD-sized THP's 9)" };

/** Lease types. */
export const LEASE_TYPES = ["layout", "exclusive", "unlock"] as const;
/** Compactable zones. */
export const COMPACT_ZONES = ["normal", "movable", "cma"] as const;
/** Modes of the `compact` step (`enum migrate_mode`, include/linux/migrate_mode.h, v6.12). */
export const MIGRATE_MODES = ["async", "sync_light", "sync"] as const satisfies readonly MigrateMode[];

const follName = z.enum(Object.keys(FOLL_FLAGS) as [string, ...string[]], { message: `expected a FOLL_* flag name (${Object.keys(FOLL_FLAGS).slice(0, 13).join(", ")}, ...)` });

/** Fields every step may carry. */
export const commonStepFields = {
  as: nameField.optional().meta({ description: "name the step's result for later steps" }),
  expect: expectationsSchema.optional(),
  expect_by_policy: z.record(z.string(), expectationsSchema).optional(),
  // The keys are checked on the record (a key's own issue would reach the user as zod's "Invalid key in record").
  expect_by_kernel: z.record(z.string(), expectationsSchema).superRefine((rec, ctx) => {
    for (const key of Object.keys(rec)) {
      if (eraMatches(key, DEFAULT_KERNEL) === undefined) ctx.addIssue({ code: "custom", path: [key], message: `"${key}" names no kernel era: use an era id (${KERNEL_ERA_IDS.join(", ")}), >=ID, >ID, <=ID, <ID or ID..ID` });
    }
  }).optional().meta({ description: "(2.0) expectations per kernel era: keys are an era id, >=ID, >ID, <=ID, <ID or ID..ID; every key matching the era of the run applies" }),
  note: z.string().optional().meta({ description: "free text shown in traces and the playground" }),
};

/** The keys of a `device` step that are the step's own (`op`, `device`, `action` and the common ones), not its action's fields. */
export const DEVICE_STEP_KEYS: ReadonlySet<string> = new Set(["op", "device", "action", ...Object.keys(commonStepFields)]);

/** A `device` step taken apart: its own keys, and the fields it gives its action. */
export function splitDeviceStep(step: object): { readonly own: Record<string, unknown>; readonly fields: Record<string, unknown> } {
  const own: Record<string, unknown> = {};
  const fields: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(step)) (DEVICE_STEP_KEYS.has(key) ? own : fields)[key] = v;
  return { own, fields };
}

function step<O extends string, T extends z.ZodRawShape>(op: O, shape: T, description: string) {
  return z.object({ op: z.literal(op), ...commonStepFields, ...shape }).strict().meta({ description });
}

const proc = nameField;

/** A JSON Schema condition: `flags` contains `flag`. */
const hasFlag = (flag: (typeof MMAP_FLAGS)[number]) => ({ properties: { flags: { contains: { const: flag } } } });

/** A JSON Schema condition: the step has `addr` or `after`, an address it asks for. */
const asksAddress = { anyOf: [{ required: ["addr"] }, { required: ["after"] }] };

/**
 * The cross-field rules of an mmap step, in JSON Schema for editors (`pinlab schema`): exactly one
 * of private or shared; no file when anonymous; a file unless anonymous or pfnmap; (2.0) not both
 * `addr` and `after`; `fixed` only with one of them; `align` only where the kernel chooses the
 * address (no `addr` or `after`, or `fixed: false`); (2.0) a `hugetlb` page size only with the
 * hugetlb flag, and 1GiB only for a private mapping. The loader checks the same rules with
 * messages naming the field (`mmap-step-rules.ts`).
 */
export const MMAP_RULES_JSON_SCHEMA = {
  allOf: [
    { oneOf: [hasFlag("private"), hasFlag("shared")] },
    { if: hasFlag("anonymous"), then: { not: { required: ["file"] } } },
    { if: { not: { anyOf: [hasFlag("anonymous"), hasFlag("pfnmap")] } }, then: { required: ["file"] } },
    { not: { required: ["addr", "after"] } },
    { if: { required: ["fixed"] }, then: asksAddress },
    { if: { required: ["align"], ...asksAddress }, then: { required: ["fixed"], properties: { fixed: { const: false } } } },
    { if: { required: ["hugetlb"] }, then: hasFlag("hugetlb") },
    { if: { required: ["hugetlb"], properties: { hugetlb: { const: "1GiB" } } }, then: { not: hasFlag("shared") } },
  ],
};

/** A JSON Schema condition: mremap `flags` contains `flag`. */
const hasMremapFlag = (flag: (typeof MREMAP_FLAGS)[number]) => ({ properties: { flags: { contains: { const: flag } } }, required: ["flags"] });

/**
 * (2.0) The cross-field rules of an mremap step, in JSON Schema for editors: not both `new_addr`
 * and `after`; either only with `fixed` or `dontunmap`; `fixed` with one of them. The loader
 * checks the same rules with messages naming the field (`mremap-step-rules.ts`).
 */
export const MREMAP_RULES_JSON_SCHEMA = {
  allOf: [
    { not: { required: ["new_addr", "after"] } },
    { if: { anyOf: [{ required: ["new_addr"] }, { required: ["after"] }] }, then: { anyOf: [hasMremapFlag("fixed"), hasMremapFlag("dontunmap")] } },
    { if: hasMremapFlag("fixed"), then: { anyOf: [{ required: ["new_addr"] }, { required: ["after"] }] } },
  ],
};

/** (2.0) Schema of an mmap `align`: a power of two, at least a page. */
const alignField = sizeField.refine((n) => n >= PAGE_SIZE && n <= 2 ** 30 && (n & (n - 1)) === 0, { message: "expected a power of two from 4KiB to 1GiB" })
  .meta({ description: "(2.0, model) align the address the kernel chooses to this power of two (4KiB to 1GiB)" });

/** (2.0) Schema of an mmap `hugetlb`: the MAP_HUGE_* page size of a MAP_HUGETLB mapping. */
const hugetlbSizeField = sizeField.refine((n) => n === HPAGE_PMD_SIZE || n === HPAGE_PUD_SIZE, { message: "expected 2MiB or 1GiB (the x86-64 hugetlb page sizes)" })
  .meta({ description: "(2.0) the huge page size of a MAP_HUGETLB mapping: 2MiB (the default) or 1GiB (MAP_HUGE_1GB: PUD-mapped, from machine.hugetlb_1g)" });

/** Every op's schema, by op name. */
export const STEP_SCHEMAS = {
  mmap: step("mmap", {
    proc, length: sizeField, prot: z.array(z.enum(PROT_BITS)), flags: z.array(z.enum(MMAP_FLAGS)),
    file: nameField.optional(), offset: sizeField.optional(),
    addr: addrField.optional().meta({ description: "the address asked for: MAP_FIXED_NOREPLACE there unless `fixed` says otherwise" }),
    after: nameField.optional().meta({ description: "(2.0) ask for the address where the mapping an earlier mmap bound to this name ends" }),
    fixed: z.literal([true, false, "noreplace"], { message: "expected true (MAP_FIXED), noreplace (MAP_FIXED_NOREPLACE) or false (a hint)" }).optional()
      .meta({ description: "(2.0) how addr or after is taken: true = MAP_FIXED (unmaps what is there), noreplace = MAP_FIXED_NOREPLACE (the default; EEXIST when occupied), false = a hint" }),
    align: alignField.optional(),
    hugetlb: hugetlbSizeField.optional(),
  }, "create a mapping; result: its start address").meta({ description: "create a mapping; result: its start address", ...MMAP_RULES_JSON_SCHEMA }),
  munmap: step("munmap", { proc, addr: addrField, length: sizeField }, "remove a range of mappings"),
  mremap: step("mremap", {
    proc, addr: addrField, old_length: sizeField, new_length: sizeField,
    flags: z.array(z.enum(MREMAP_FLAGS)).default([]),
    new_addr: addrField.optional().meta({ description: "where fixed moves the mapping (MREMAP_FIXED: what is mapped there is unmapped), or a hint for dontunmap alone" }),
    after: nameField.optional().meta({ description: "new_addr where the mapping an earlier mmap or mremap bound to this name ends" }),
  }, "(2.0) resize or move a mapping; result: its address now").meta({ description: "(2.0) resize or move a mapping; result: its address now", ...MREMAP_RULES_JSON_SCHEMA }),
  mprotect: step("mprotect", { proc, addr: addrField, length: sizeField, prot: z.array(z.enum(PROT_BITS)) }, "change protection"),
  madvise: step("madvise", { proc, addr: addrField, length: sizeField, advice: z.enum(MADVICE) }, "give advice about a range"),
  touch: step("touch", { proc, addr: addrField, length: sizeField, write: z.boolean().default(false) }, "fault a range in; result: pages"),
  write: step("write", { proc, addr: addrField, data: dataField }, "the process writes bytes"),
  read: step("read", { proc, addr: addrField, length: sizeField }, "the process reads bytes; result: the bytes as a string"),
  proc_mem_write: step("proc_mem_write", {
    proc, addr: addrField, data: dataField,
    race: z.enum(["dontneed"]).optional().meta({ description: "dontneed: another thread's madvise(MADV_DONTNEED) of the page runs between the COW fault and the retried lookup (the Dirty COW race)" }),
  }, "(2.0) write bytes into the process through /proc/PID/mem (access_remote_vm with FOLL_FORCE | FOLL_WRITE: even through a read-only private mapping, by COW); result: bytes written"),
  proc_mem_read: step("proc_mem_read", { proc, addr: addrField, length: sizeField }, "(2.0) read the process's memory through /proc/PID/mem (access_remote_vm with FOLL_FORCE); result: the bytes as a string"),
  fork: step("fork", { proc, child: nameField }, "fork a child process"),
  exit: step("exit", { proc }, "the process exits"),
  ftruncate: step("ftruncate", { file: nameField, size: sizeField, proc: nameField.optional() }, "set a file's size"),
  punch_hole: step("punch_hole", { file: nameField, offset: sizeField, length: sizeField, proc: nameField.optional() }, "free a range of a file"),
  writeback: step("writeback", { file: nameField.optional(), async: z.boolean().default(false) }, "write dirty pages back; result: pages written"),
  reclaim: step("reclaim", { file: nameField.optional() }, "(ext) reclaim clean file pages, and (2.0) with swap and no file anonymous pages too; result: { reclaimed, activated, buffersStripped, failed } (+ swapped with swap)"),
  lease: step("lease", { proc, file: nameField, type: z.enum(LEASE_TYPES) }, "take or release a layout lease"),
  compact: step(
    "compact",
    { zone: z.enum(COMPACT_ZONES).optional(), mode: z.enum(MIGRATE_MODES).optional() },
    "compact a zone (mode: sync, the compact_memory sysctl, by default; sync_light as kcompactd; async as direct compaction); result: { migrated, failed }",
  ),
  migrate: step("migrate", { proc, addr: addrField, length: sizeField }, "migrate mapped pages; result: { migrated, failed }"),
  khugepaged: step("khugepaged", {}, "(ext) one khugepaged pass over every MADV_HUGEPAGE range; result: { scanned, collapsed }"),
  split: step(
    "split",
    { proc, addr: addrField, length: sizeField, order: z.number().int(SPLIT_ORDER).min(0, SPLIT_ORDER).max(8, SPLIT_ORDER).default(0) },
    "(ext) split the large folios mapped in a range to `order` (debugfs split_huge_pages); result: { total, split }",
  ),
  cma_alloc: step("cma_alloc", { pages: pagesField.positive() }, "allocate contiguous pages from the CMA area"),
  gup: step("gup", {
    proc, addr: addrField, pages: pagesField, call: z.enum(GUP_CALLS), flags: z.array(follName).default([]),
    owner: z.union([z.object({ file: nameField }).strict(), z.object({ mm: nameField }).strict()]).optional(),
  }, "get or pin user pages; result: pages taken, or an errno; `as` names the handle"),
  release: step("release", { handle: nameField, dirty: z.boolean().default(false) }, "release a gup handle (put_page or unpin as it needs)"),
  peek: step("peek", { handle: nameField, offset: sizeField.default(0), length: sizeField }, "read the frames a handle holds, as a device would"),
  poke: step("poke", { handle: nameField, offset: sizeField.default(0), data: dataField }, "(ext) write into the frames a handle holds, as a device would"),
  device: z.object({ op: z.literal("device"), ...commonStepFields, device: nameField, action: z.string() }).passthrough()
    .meta({ description: "a device action; its other fields depend on the device kind" }),
  advance: step("advance", { time: timeField }, "advance the virtual clock"),
  fire: step("fire", { event: z.string().min(1) }, "(issue 21) run the pending event with this label now, as if its latency had just ended (the clock does not move): a direct-IO completion (DEVICE:IO), a device DMA (DEVICE:dma_write), an ODP fault pass (DEVICE:REGION:fault), a writeback completion (writeback:FILE); result: the label"),
  settle: step("settle", {}, "run the clock until nothing is pending"),
  check: step("check", {}, "check expectations only"),
  dump: step(
    "dump",
    { proc: nameField.optional(), holder: nameField.optional() },
    "(issue 19) show the state: each process's mapped pages (frame, refcount, mapcount, pincount, flags) and each holder's frames (the step's `state`); `proc` or `holder` (a device or gup handle) shows only that one",
  ),
} as const;

/** Op names. */
export type Op = keyof typeof STEP_SCHEMAS;

/** Every op name. */
export const OPS = Object.keys(STEP_SCHEMAS) as Op[];

/** A validated step of op `K`. */
export type StepOf<K extends Op> = z.output<(typeof STEP_SCHEMAS)[K]>;

/** A validated step of any op. */
export type Step = { [K in Op]: StepOf<K> }[Op];
