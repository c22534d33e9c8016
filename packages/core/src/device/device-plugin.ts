import type { z } from "zod";
import type { EventBus } from "../events/event-bus.js";
import type { HolderRef } from "../events/event-types.js";
import type { Inode } from "../fs/inode.js";
import type { GupCalls } from "../gup/gup.js";
import type { HmmRange } from "../notifier/hmm.js";
import type { MmuIntervalNotifiers } from "../notifier/mmu-notifiers.js";
import type { Process } from "../mm/process.js";
import type { VirtualClock } from "../sim/clock.js";
import type { DmaEngine } from "./dma-engine.js";
import type { DevicePageCache, DevicePages, MemlockAccounting } from "./driver-api.js";
import type { PolicyCapabilities } from "../policy/pin-policy.js";
import { createToken } from "../di/tokens.js";
import { isPluginId } from "../di/plugin-id.js";

/**
 * The fields of one device action, already checked against the action's schema, with typed
 * accessors that resolve scenario references: process names, addresses like `buf+8KiB`, sizes
 * with units, file names. An accessor throws a {@link DeviceArgError} naming the field when a
 * value cannot be resolved; the scenario runner turns that into a message with file, line and
 * step.
 */
export interface DeviceActionArgs {
  /** The raw values, as written. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** True when the field was given. */
  has(field: string): boolean;
  /** A process by name. */
  proc(field: string): Process;
  /** An address: an integer, a name bound by an earlier step, or `NAME+OFFSET`. */
  addr(field: string): number;
  /** A size in bytes (integer or `"4KiB"`); `fallback` when absent. */
  size(field: string, fallback?: number): number;
  /** A time in ns (integer or `"50us"`); `fallback` when absent. */
  time(field: string, fallback?: number): number;
  /** A file by name. */
  file(field: string): Inode;
  /** A string; `fallback` when absent. */
  string(field: string, fallback?: string): string;
  /** A boolean; `fallback` when absent. */
  bool(field: string, fallback?: boolean): boolean;
  /** A list of strings (empty when absent). */
  list(field: string): string[];
}

/** A field of a device action could not be resolved. */
export class DeviceArgError extends Error {
  /** The field. */
  readonly field: string;

  /** Make the error for `field`. */
  constructor(field: string, message: string) {
    super(message);
    this.name = "DeviceArgError";
    this.field = field;
  }
}

/** One call of a device action. */
export interface DeviceActionCall {
  /** The action name, e.g. `"reg_mr"`. */
  readonly action: string;
  /** Its fields. */
  readonly args: DeviceActionArgs;
  /** The name the scenario gives the result (`as:`), if any. */
  readonly as?: string;
}

/** What a device action returns: a value (and a name it is known by), or an errno. */
export type DeviceActionResult =
  | { readonly ok: true; readonly value?: unknown; readonly name?: string }
  | { readonly ok: false; readonly errno: number; readonly message?: string };

/** What a device shows of itself (playground, traces). */
export interface DeviceView {
  /** Frames the device can DMA into now, with a label each (region, mirror entry, IO). */
  readonly frames: ReadonlyArray<{ readonly pfn: number; readonly label: string }>;
  /** Counters (pages copied, faults, invalidations...). */
  readonly counters: Readonly<Record<string, number>>;
}

/** A device instance attached to one kernel. */
export interface Device {
  /** Its name in the config or scenario (e.g. `"hca0"`). */
  readonly name: string;
  /** Perform an action. Unknown actions never reach here: the runner checks them against `meta.actions`. */
  perform(call: DeviceActionCall): DeviceActionResult;
  /** Counters and held frames. */
  view(): DeviceView;
}

/**
 * What a device plugin receives: what a Linux driver can reach, resolved from the kernel's DI
 * container. GUP calls, MMU interval notifiers and `hmm_range_fault()`, the DMA engine, the
 * clock and the event bus, process lookup, memlock accounting, the page helpers drivers call and
 * the page cache for file IO, and what the policy declares it does. Not the frame table, not the policy object: a device sees the
 * kernel as a driver does, and the oracle watches every DMA it makes.
 */
export interface DeviceContext<O> {
  /** The device's name. */
  readonly name: string;
  /** Its options, validated against its schema. */
  readonly options: O;
  /** How the oracle and events refer to it. */
  readonly holder: HolderRef;
  /** The GUP calls: `get_user_pages*`, `pin_user_pages*`, the unpin and put calls, the vaddr_pin calls. */
  readonly gup: GupCalls;
  /** MMU interval notifiers: insert, remove, and the read_begin / read_retry / set_seq protocol. */
  readonly notifiers: MmuIntervalNotifiers;
  /** `hmm_range_fault()` (mm/hmm.c, v6.12): snapshot and fault a range for a device mirror, taking no reference. 0 or -errno. */
  hmmRangeFault(range: HmmRange): number;
  /** The DMA engine: `dma_map_page()` and DMA reads and writes, the only way to touch frames. */
  readonly dma: DmaEngine;
  /** The virtual clock: the time, and completions scheduled on it. */
  readonly clock: Pick<VirtualClock, "now" | "schedule">;
  /** The event bus (a device emits `device` events). */
  readonly events: EventBus;
  /** `find_get_task_by_vpid()` (kernel/pid.c, v6.12): the live process with pid `pid`, or undefined. */
  findProcess(pid: number): Process | undefined;
  /** Memlock accounting: `mm->pinned_vm` against RLIMIT_MEMLOCK. */
  readonly memlock: MemlockAccounting;
  /** Page helpers: `set_page_dirty_lock()`, `folio_test_dirty()`, `is_zero_pfn()`. */
  readonly pages: DevicePages;
  /** The page cache, for devices that move file data (direct IO, io_uring fixed IO). */
  readonly pageCache: DevicePageCache;
  /**
   * What the kernel's pin policy declares it does (its `meta.capabilities`): which kernel the
   * driver was built for, e.g. to call `vaddr_pin_pages()` only where it exists (`filePins`).
   * A driver reads capabilities, never the policy's id.
   */
  readonly policyCapabilities: PolicyCapabilities;
}

/** One action a device offers. */
export interface DeviceActionSpec {
  /** One line saying what it does. */
  readonly summary: string;
  /** Schema of the action's fields as written in a scenario (zod object); drives validation and the JSON Schema. */
  readonly fields: z.ZodObject;
  /** What the result is, if any. */
  readonly result?: string;
}

/** Metadata of a device plugin: drives `pinlab list`, the docs, the schema and the playground. */
export interface DeviceMeta<S extends z.ZodType = z.ZodType> {
  /** The device kind, used in configs and scenarios (`kind: rdma-mr`). */
  readonly id: string;
  /** One-line summary. */
  readonly summary: string;
  /** The driver (class) whose pinning it reproduces, with the kernel source it follows. */
  readonly driver: string;
  /** Longer description (markdown). */
  readonly description?: string;
  /** Schema of its options. */
  readonly options: S;
  /** Its actions by name. */
  readonly actions: Readonly<Record<string, DeviceActionSpec>>;
}

/** A device plugin: metadata plus a factory, made by {@link defineDevice}. */
export interface DeviceDescriptor<S extends z.ZodType = z.ZodType> {
  /** Metadata. */
  readonly meta: DeviceMeta<S>;
  /** Build an instance for one kernel. */
  create(ctx: DeviceContext<z.output<S>>): Device;
}

/** Make a device descriptor (one object per plugin, as typescript-eslint makes rules). */
export function defineDevice<S extends z.ZodType>(descriptor: DeviceDescriptor<S>): DeviceDescriptor<S> {
  if (!isPluginId(descriptor.meta.id)) throw new Error(`device kind "${descriptor.meta.id}" must be lower-case kebab-case`);
  for (const name of Object.keys(descriptor.meta.actions)) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`device "${descriptor.meta.id}": action "${name}" must be snake_case`);
  }
  return descriptor;
}

/** Extension point: every registered device-plugin descriptor (`resolveAll`). */
export const DEVICE_PLUGIN = createToken<DeviceDescriptor>("DEVICE_PLUGIN");
