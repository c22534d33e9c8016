import { z } from "zod";
import { parseSize, parseTime } from "../sim/units.js";
import { unitField } from "../sim/field-schemas.js";
import { faultSpecSchema, faultsSchema } from "../sim/fault-spec.js";
import { DEFAULT_THP, thpConfigSchema } from "./thp-config.js";
import { createToken } from "../di/tokens.js";
import { formatZodIssues, issueField } from "./format-issues.js";
import { eraIdSchema } from "../era/era-id-schema.js";

/**
 * The policy a config gets when it names none: mainline pin accounting (Linux v6.12). Code that
 * needs a default refers to this name, never to the id itself.
 */
export const DEFAULT_POLICY = "pin-bias";

/** Largest total machine (all zones together) pinlab builds: 256 GiB (2^26 frames). */
export const MAX_MACHINE_BYTES = 256 * 1024 ** 3;
/** Smallest ZONE_NORMAL: 1 MiB. */
export const MIN_MEMORY_BYTES = 1024 ** 2;
/** Smallest swap area: mkswap refuses less ("swap space needs to be at least 40 KiB", util-linux). */
export const MIN_SWAP_BYTES = 40 * 1024;
/** Largest swap area pinlab models: 64 GiB (2^24 slots). */
export const MAX_SWAP_BYTES = 64 * 1024 ** 3;

// The issue's path names the field (ConfigError prefixes it), so messages do not repeat it.
const size = () => unitField(parseSize);
const time = () => unitField(parseTime);

/** What a filesystem does when writeback meets a page the policy says may be DMA-pinned. */
export const PINNED_WRITEBACK_ACTIONS = ["ignore", "wait", "bounce"] as const;

/** A pinned-writeback action: `ignore` (v6.12: write it anyway), `wait` (skip it until unpinned), `bounce` (write a copy, keep the page dirty). */
export type PinnedWritebackAction = (typeof PINNED_WRITEBACK_ACTIONS)[number];

/** Schema of the machine section (sizes accept `"64MiB"`-style strings). */
export const MachineConfigSchema = z
  .object({
    memory: size(),
    movable: size().default(0),
    cma: size().default(0),
    pmem: size().default(0),
    /** (2.0) Bytes of ZONE_DEVICE memory for device-private / device-coherent pages (HMM devices). */
    deviceMemory: size().default(0),
    memlock: size().optional(),
    /** (2.0) Bytes of swap (mm/swapfile.c); 0 = no swap device. */
    swap: size().default(0),
    /** (ext) THP settings: `enabled` and the anonymous folio sizes faults may allocate. */
    thp: thpConfigSchema.default(DEFAULT_THP),
    /**
     * (2.0) 1 GiB hugetlb pages set aside at boot (`hugepagesz=1G hugepages=N`); 0 = none, so a
     * `hugetlb: 1GiB` mmap fails with ENOMEM. They come out of `memory`, which must hold them and one GiB more.
     */
    hugetlb_1g: z.number().int().min(0).default(0),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.swap !== 0 && (m.swap < MIN_SWAP_BYTES || m.swap > MAX_SWAP_BYTES)) {
      ctx.addIssue({ code: "custom", path: ["swap"], message: `a swap device is 0 (none) or from 40KiB (mkswap's least) to 64GiB, got ${m.swap} bytes` });
    }
    // The wording of these two messages is matched by the CLI's malformed-scenario corpus.
    if (m.memory < MIN_MEMORY_BYTES) ctx.addIssue({ code: "custom", path: ["memory"], message: `machine.memory must be at least 1MiB, got ${m.memory} bytes` });
    if (m.hugetlb_1g > 0 && m.memory < (m.hugetlb_1g + 1) * 1024 ** 3) {
      ctx.addIssue({ code: "custom", path: ["hugetlb_1g"], message: `${m.hugetlb_1g} 1GiB hugetlb page(s) need machine.memory of at least ${m.hugetlb_1g + 1}GiB (the pages and a GiB for the rest), got ${m.memory} bytes` });
    }
    const zones: Record<string, number> = { memory: m.memory, movable: m.movable, cma: m.cma, pmem: m.pmem, ...(m.deviceMemory > 0 ? { deviceMemory: m.deviceMemory } : {}) };
    const total = m.memory + m.movable + m.cma + m.pmem + m.deviceMemory;
    if (total > MAX_MACHINE_BYTES) {
      // Blame the largest zone: it is the one to shrink.
      const largest = Object.keys(zones).reduce((a, b) => (zones[b] > zones[a] ? b : a));
      const parts = Object.entries(zones).map(([n, v]) => `${n} ${v}`).join(", ");
      ctx.addIssue({ code: "custom", path: [largest], message: `the machine is ${total} bytes; pinlab models at most 256GiB in all zones together (${parts})` });
    }
  });

/** Schema of a kernel config: the machine, the seed, the policy and its options, filesystem behaviour. */
export const KernelConfigSchema = z
  .object({
    machine: MachineConfigSchema,
    seed: z.number().int().default(1),
    policy: z.string().min(1).default(DEFAULT_POLICY),
    policyOptions: z.record(z.string(), z.unknown()).default({}),
    /**
     * (2.0) The kernel era whose COW, fork and GUP rules the machine follows (`v5.3`...); absent:
     * the policy's default era (its `meta.defaultKernel`), else `v6.12`.
     */
    kernel: eraIdSchema.optional(),
    writebackLatency: time().default(100_000),
    pinnedWriteback: z.enum(PINNED_WRITEBACK_ACTIONS).default("ignore"),
    checkInvariants: z.boolean().default(false),
    keepEventLog: z.boolean().default(false),
    /** (ext) Fault injection per fault point; absent = nothing fails. See `sim/fault-spec.ts`. */
    faults: faultsSchema.optional(),
  })
  .strict();

/** A kernel config as written (sizes may be strings). */
export type KernelConfigInput = z.input<typeof KernelConfigSchema>;

/** A validated kernel config (sizes in bytes, times in ns). */
export type KernelConfig = z.output<typeof KernelConfigSchema>;

/** An invalid config: one message per problem, each naming its field. */
export class ConfigError extends Error {
  /** The problems found, as `field: message`. */
  readonly issues: string[];

  /** Make an error from a list of `field: message` strings. */
  constructor(issues: string[]) {
    super(`invalid kernel config:\n  ${issues.join("\n  ")}`);
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** Validate a config, filling defaults. Throws {@link ConfigError} naming each bad field. */
export function parseKernelConfig(input: unknown): KernelConfig {
  const r = KernelConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const issues: string[] = [];
  for (const i of r.error.issues) {
    if (i.code === "unrecognized_keys") {
      // One line per unknown key, named by its full path, listing what is allowed there.
      const known = Object.keys(shapeAt(i.path)).join(", ");
      for (const key of i.keys) issues.push(`${issueField([...i.path, key])}: unknown field (expected one of: ${known})`);
    } else {
      issues.push(...formatZodIssues([i], { root: "(config)" }));
    }
  }
  throw new ConfigError(issues);
}

/** The fields of the object at `path` of a config, for an unknown-field message. */
function shapeAt(path: readonly PropertyKey[]): Record<string, unknown> {
  if (path[0] === "machine") return MachineConfigSchema.shape;
  if (path[0] === "faults") return path.length === 1 ? faultsSchema.shape : faultSpecSchema.shape;
  return KernelConfigSchema.shape;
}

/** The token of the validated kernel config of an instance. */
export const CONFIG = createToken<KernelConfig>("CONFIG");
