import { z } from "zod";
import type { EventBus } from "../events/event-bus.js";
import type { FsPolicy } from "../fs/context.js";
import type { Inode } from "../fs/inode.js";
import type { KernelConfig } from "../config/kernel-config.js";
import type { KernelEra } from "../era/era-rules.js";
import { DEFAULT_KERNEL } from "../era/eras.js";
import type { PhysicalMemory } from "../memory/physical-memory.js";
import type { MmStruct, Vma } from "../mm/mm-types.js";
import { createToken } from "../di/tokens.js";
import type { ZoneId } from "../memory/zones.js";
import { isPluginId } from "../di/plugin-id.js";

/** How a grab is counted: a plain reference (FOLL_GET) or a DMA pin (FOLL_PIN). */
export type GrabMode = "get" | "pin";

/** Who a vaddr_pin call charges its file pins to (`struct vaddr_pin`, RFC v2 09/19). */
export interface VaddrPinOwner {
  /** The owning file (RDMA: the uverbs context file), by name. */
  readonly file?: string;
  /** The owning process id (mm-owned pins). */
  readonly pid?: number;
}

/** One file-pin record, as `/proc/<pid>/file_pins` lists it. */
export interface FilePinRecord {
  /** The owner: `file:NAME` or `mm:PID`. */
  readonly owner: string;
  /** The pinned file. */
  readonly file: string;
  /** The kref: pages of that file pinned through this owner. */
  readonly refs: number;
}

/** What a long-term pin of one file page asks the policy (vaddr_pin's `mapping_inode_has_layout`). */
export interface LongtermFilePageRequest {
  /** The VMA mapping the page. */
  readonly vma: Vma;
  /** The file. */
  readonly inode: Inode;
  /** The frame. */
  readonly pfn: number;
  /** The pinning process. */
  readonly pid: number;
  /** FOLL_* flags of the call. */
  readonly flags: number;
  /** The vaddr_pin owner, when the call came through vaddrPinPages*. */
  readonly owner?: VaddrPinOwner;
  /** True on the GUP-fast path (no VMA lock: the RFC makes file pages fall back). */
  readonly fast: boolean;
  /** Pages of the folio grabbed together starting at `pfn` (one `try_grab_folio(folio, refs)`); 1 when absent. */
  readonly nrPages?: number;
}

/** Lease operations a scenario can ask for. */
export type LeaseOp = "layout" | "exclusive" | "unlock";

/**
 * A pin-accounting policy: everything about GUP that differs between the kernel eras pinlab
 * compares. Core calls these hooks and never imports a policy; a policy is created per kernel
 * instance by its descriptor's `create`. The questions the mm and fs ask (`forkMustCopy`,
 * `onExit`, `maybeDmaPinned`, `checkTruncate`) are declared where they are asked
 * (`MmPolicy`, {@link FsPolicy}); the rest are GUP's.
 */
export interface PinPolicy extends FsPolicy {
  /** The policy id, e.g. `"pin-bias"`. */
  readonly id: string;
  /**
   * False when FOLL_PIN is degraded to a plain reference (the pre-FOLL_PIN kernel): pin calls
   * then behave as get calls, and the vmstat pin counters do not move.
   */
  readonly countsPins: boolean;

  /**
   * Policy-dependent flag rules, checked after the common ones of `is_valid_gup_args()` (mm/gup.c, v6.12).
   * Return an errno (positive) to refuse, 0 to accept. Example: a policy that predates the
   * "FOLL_LONGTERM requires FOLL_PIN" rule accepts FOLL_LONGTERM with FOLL_GET.
   */
  checkFlags(flags: number): number;

  /** Take `refs` references of kind `mode` on the folio at `head` (`try_grab_folio()`, mm/gup.c, v6.12). False = refused (overflow). */
  grab(head: number, refs: number, mode: GrabMode): boolean;

  /** Drop `refs` references of kind `mode` (`gup_put_folio()`, mm/gup.c, v6.12); the folio may be freed. */
  release(head: number, refs: number, mode: GrabMode): void;

  /** Pin references a folio currently holds as the policy counts them (for display: `pincount`). */
  pinCount(head: number): number;

  /** Refcount units that `pins` outstanding pins contribute on the folio at `head` (for the invariant checker). */
  refsForPins(head: number, pins: number): number;

  /**
   * `gup_must_unshare()` (mm/internal.h, v6.12): must a GUP with `flags` unshare this page first?
   * (vma undefined on the fast path). Asked only where pins are counted (`countsPins`): the rule
   * is about FOLL_PIN, and a pin degraded to a plain reference never unshares.
   */
  mustUnshare(vma: Vma | undefined, flags: number, pfn: number): boolean;

  /**
   * Per-VMA long-term checks of `check_vma_flags()` (mm/gup.c, v6.12) that differ by era: FS-DAX (EOPNOTSUPP) and
   * long-term writable pins of dirty-tracked shared file mappings (EFAULT). Return errno or 0.
   */
  checkLongtermVma(vma: Vma, flags: number): number;

  /**
   * `gup_fast_folio_allowed()` (mm/gup.c, v6.12): may the fast path pin this file folio with these flags?
   * False makes the fast path fall back to the slow one.
   */
  fastFolioAllowed(pfn: number, flags: number): boolean;

  /** `folio_is_longterm_pinnable()` (include/linux/mm.h, v6.12): may a long-term pin stay on this frame, or must it migrate first? */
  longtermPinnable(pfn: number): boolean;

  /** A long-term pin of one file page: record a file pin, or refuse with an errno (vaddr_pin: EPERM). */
  longtermFilePage(req: LongtermFilePageRequest): number;

  /** The pages of a long-term file pin are being released: drop the matching file-pin krefs. */
  releaseFilePages(owner: VaddrPinOwner | undefined, pid: number, inodes: readonly Inode[]): void;

  /** A `lease` request (F_LAYOUT, F_LAYOUT|F_EXCLUSIVE, F_UNLCK). Returns errno or 0; EINVAL where leases do not exist. */
  setLease(inode: Inode, pid: number, op: LeaseOp): number;

  /** The `/proc/<pid>/file_pins` view; empty under policies without file pins. */
  filePins(pid: number): FilePinRecord[];

  /** Bytes of accounting state the policy holds beyond the frame table (exact counters, file-pin objects). */
  accountingBytes(): number;

  /**
   * (2.1) How the policy counts a plain frame (an order-0 anonymous page), as numbers, so that
   * GUP-fast and `unpin_user_pages()` count such frames without calling `grab`, `release`,
   * `longtermPinnable` and `fastFolioAllowed` per page ({@link FastPathDeclaration}). Absent or
   * undefined: core calls the hooks for every page.
   */
  readonly fastPath?: FastPathDeclaration;
}

/**
 * (2.1) A policy's promise about plain frames (`isPlainFrame`), which lets core's GUP-fast
 * walk and `unpin_user_pages()` count them with typed-array arithmetic instead of four calls per
 * page. On a plain frame `pfn`, a policy that declares this behaves exactly as:
 *
 * - `grab(pfn, refs, "pin")`: false when `refcount[pfn] <= 0` (an overflowed count), else
 *   `refcount[pfn] += refs * pinRefs` and, with a `pinCounter`, `pinCounter[pfn] += refs`;
 *   `grab(pfn, refs, "get")`: the same test, then `refcount[pfn] += refs`;
 * - `release(pfn, refs, mode)`: the same amounts taken back (`memory.put()` of them);
 * - `longtermPinnable(pfn)`: true unless `pfn` lies in one of `longtermUnpinnableZones`;
 * - `fastFolioAllowed(pfn, flags)`: true.
 *
 * A policy without this (a plugin that counts some other way) keeps every call: core then asks
 * it page by page, as before. Core uses the declaration only while the policy's four hooks are
 * the functions in {@link hooks}: a plugin that spreads a built-in policy and replaces one of them
 * loses the fast path rather than being described wrongly. A test checks each built-in policy's
 * declaration against its hooks.
 */
export interface FastPathDeclaration {
  /**
   * Refcount units one FOLL_PIN adds to a plain frame: `GUP_PIN_COUNTING_BIAS` (1024,
   * include/linux/mm.h, v6.12) for bias counting, 1 for an exact counter or a pin that is a plain
   * reference (FOLL_GET always adds 1).
   */
  readonly pinRefs: number;
  /** A per-frame pin counter a FOLL_PIN also adds to, beside the refcount (an exact counter), or undefined. */
  readonly pinCounter: Int32Array | undefined;
  /** The zones `folio_is_longterm_pinnable()` refuses in the era the policy runs (CMA; ZONE_MOVABLE from v5.13). */
  readonly longtermUnpinnableZones: readonly ZoneId[];
  /** The hooks this declaration describes (the same function objects as the policy's). */
  readonly hooks: Pick<PinPolicy, "grab" | "release" | "longtermPinnable" | "fastFolioAllowed">;
}

/** What a policy's `create` receives. */
export interface PolicyContext<O> {
  /** Physical memory (frame table, zones). */
  readonly memory: PhysicalMemory;
  /** The event bus. */
  readonly events: EventBus;
  /** The kernel config. */
  readonly config: KernelConfig;
  /** The policy's options, validated against its schema. */
  readonly options: O;
  /**
   * (2.0) The kernel era the machine runs: a policy builds the rules that changed across eras
   * (unsharing, long-term checks, flag rules) from `era.rules`, and counts pins as its own.
   */
  readonly era: KernelEra;
  /** Look a process's mm up by pid (for MMF_HAS_PINNED checks). */
  readonly mmOf: (pid: number) => MmStruct | undefined;
  /**
   * Look a file up by inode id, the `mapping` a file frame records (`folio->mapping`): what
   * `gup_fast_folio_allowed()` needs to tell shmem from other filesystems without a VMA.
   */
  readonly inodeOf?: (id: number) => Inode | undefined;
  /** Every file of the kernel (for policies that keep per-file state, such as leases). */
  readonly files?: () => Iterable<Inode>;
}

/**
 * What a policy does that code outside it has to know, declared in its `meta` so that drivers and
 * the bench ask about behaviour and never compare policy ids: a new policy is handled by what it
 * declares. Checked at registration ({@link PolicyCapabilitiesSchema}).
 */
export interface PolicyCapabilities {
  /**
   * The kernel has `vaddr_pin_pages()` / `vaddr_unpin_pages_dirty_lock()` and file pins (Ira
   * Weiny's RFC v2, Aug 2019): a long-term pin of a file page is recorded against a
   * `struct vaddr_pin` owner as a per-(owner, file) file pin, which layout leases and
   * `/proc/<pid>/file_pins` see. A driver built for such a kernel pins long-term through the
   * vaddr_pin API with its owner (the RFC's `ib_umem_get()`, patches 15-16/19) rather than
   * through `pin_user_pages_fast()`. False in every mainline kernel.
   */
  readonly filePins: boolean;
  /**
   * Atomic read-modify-writes on another cache line that pinning one page costs beyond the
   * `_refcount` (and, for a large folio, `_pincount`) updates of `try_grab_folio()` (mm/gup.c,
   * v6.12): 0 where the pin lives in the refcount (`GUP_PIN_COUNTING_BIAS`, a plain reference),
   * 1 for an exact counter kept beside it. The bench's cost model prices each one.
   */
  readonly extraAtomicsPerPin: number;
  /** The same for unpinning one page, beyond the updates of `gup_put_folio()` (mm/gup.c, v6.12). */
  readonly extraAtomicsPerUnpin: number;
}

/** The schema `meta.capabilities` is checked against when a policy is registered. */
export const PolicyCapabilitiesSchema = z
  .object({
    filePins: z.boolean(),
    extraAtomicsPerPin: z.number().int().nonnegative(),
    extraAtomicsPerUnpin: z.number().int().nonnegative(),
  })
  .strict();

/** Descriptive metadata of a policy: drives `pinlab list`, the docs and the playground pickers. */
export interface PinPolicyMeta<S extends z.ZodType = z.ZodType> {
  /** Unique id, used in configs and scenarios. */
  readonly id: string;
  /** One-line summary. */
  readonly summary: string;
  /** Which kernel (or patch series) it follows, e.g. `"Linux v6.12 (mm/gup.c)"`. */
  readonly kernel: string;
  /** Longer description (markdown). */
  readonly description?: string;
  /**
   * (2.0) The kernel era it runs on when the config names none (`v5.3` for the 2019 policy);
   * absent: `v6.12`. Any era can still be chosen (`kernel:` in a config, `--kernel`).
   */
  readonly defaultKernel?: string;
  /** Schema of its options (zod); `{}` when it has none. */
  readonly options: S;
  /** What drivers and the bench need to know about what it does (see {@link PolicyCapabilities}). */
  readonly capabilities: PolicyCapabilities;
}

/** (2.0) The era a policy runs on when neither a config nor a scenario names one: its `meta.defaultKernel`, else {@link DEFAULT_KERNEL}. */
export function policyDefaultKernel(meta: Pick<PinPolicyMeta, "defaultKernel">): string {
  return meta.defaultKernel ?? DEFAULT_KERNEL;
}

/** A policy plugin: metadata plus a factory, made by {@link definePinPolicy}. */
export interface PinPolicyDescriptor<S extends z.ZodType = z.ZodType> {
  /** Metadata. */
  readonly meta: PinPolicyMeta<S>;
  /** Build the policy for one kernel instance. */
  create(ctx: PolicyContext<z.output<S>>): PinPolicy;
}

/** Make a policy descriptor (the typescript-eslint "one object per rule" style). */
export function definePinPolicy<S extends z.ZodType>(descriptor: PinPolicyDescriptor<S>): PinPolicyDescriptor<S> {
  if (!isPluginId(descriptor.meta.id)) throw new Error(`policy id "${descriptor.meta.id}" must be lower-case kebab-case`);
  return descriptor;
}

/** The token of the active pin-accounting policy of a kernel instance. */
export const ACTIVE_POLICY = createToken<PinPolicy>("ACTIVE_POLICY");

/** Extension point: every registered pin-policy descriptor (`resolveAll`). */
export const PIN_POLICY = createToken<PinPolicyDescriptor>("PIN_POLICY");
