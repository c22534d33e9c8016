import type { DeviceMemory } from "./device-memory.js";
import type { z } from "zod";
import type { EventBus } from "../events/event-bus.js";
import type { HolderRef } from "../events/event-types.js";
import type { GupCalls } from "../gup/gup.js";
import type { HmmRange } from "../notifier/hmm.js";
import type { MmuIntervalNotifiers } from "../notifier/mmu-notifiers.js";
import type { Process } from "../mm/process.js";
import type { ActionArgs, ActionRefs } from "./action-fields.js";
import type { VirtualClock } from "../sim/clock.js";
import type { DmaEngine } from "./dma-engine.js";
import type { DevicePageCache, DevicePages, MemlockAccounting } from "./driver-api.js";
import type { PolicyCapabilities } from "../policy/pin-policy.js";
import { createToken } from "../di/tokens.js";
import { isPluginId } from "../di/plugin-id.js";

/** Which call of which device a {@link DeviceArgError} is about. */
export interface DeviceActionSite {
  /** The device's name (`hca0`). */
  readonly device: string;
  /** Its kind (`rdma-mr`). */
  readonly kind: string;
  /** The action (`reg_mr`). */
  readonly action: string;
}

/**
 * A field of a device action does not fit the action's schema, or names nothing (an unbound
 * address, a process that exited). The message names the device, the action and the field;
 * `reason` alone is what the scenario runner prints beside the step's file, line and field.
 */
export class DeviceArgError extends Error {
  /** The device, its kind and the action. */
  readonly site: DeviceActionSite;
  /** The field (`addr`, or a path such as `access.1`). */
  readonly field: string;
  /** What is wrong with it. */
  readonly reason: string;

  /** Make the error for `field` of the call at `site`. */
  constructor(site: DeviceActionSite, field: string, reason: string) {
    super(`device "${site.device}" (${site.kind}), action ${site.action}, field "${field}": ${reason}`);
    this.name = "DeviceArgError";
    this.site = site;
    this.field = field;
    this.reason = reason;
  }
}

/** One call of a device action, as a scenario step, a workload or a test makes it. */
export interface DeviceActionCall {
  /** The action name, e.g. `"reg_mr"`. */
  readonly action: string;
  /** Its fields as written: validated with the action's schema, then resolved, before the handler runs. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The name the scenario gives the result (`as:`), if any. */
  readonly as?: string;
  /** How references are resolved; default: against the kernel, numbers only for addresses. */
  readonly refs?: ActionRefs;
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

/** A device attached to one kernel: what `attachDevice` returns and `KernelInstance.devices` holds. */
export interface Device {
  /** Its name in the config or scenario (e.g. `"hca0"`). */
  readonly name: string;
  /** Its kind, the plugin id (e.g. `"rdma-mr"`). */
  readonly kind: string;
  /**
   * Perform an action: check `call.fields` with the action's schema, resolve the references, run
   * the plugin's handler. Throws {@link DeviceArgError} for an unknown action or a bad field; a
   * refusal the kernel would return is `{ ok: false, errno }`.
   */
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
  /** Device memory and device migration (`memremap_pages()`, `migrate_vma_*()`), for HMM drivers; the pagemaps it creates are owned by this device. */
  readonly devmem: DeviceMemory;
  /** The DMA engine: `dma_map_page()` and DMA reads and writes, the only way to touch frames. */
  readonly dma: DmaEngine;
  /** The virtual clock: the time, and completions scheduled on it. */
  readonly clock: Pick<VirtualClock, "now" | "schedule">;
  /** The event bus (a device emits `device` events). */
  readonly events: EventBus;
  /** `find_get_task_by_vpid()` (kernel/pid.c, v6.12): the live process with pid `pid`, or undefined. */
  findProcess(pid: number): Process | undefined;
  /** Memlock accounting: `mm->pinned_vm` (checked by RDMA, added to by io_uring) and the user's `locked_vm` (checked by io_uring) against RLIMIT_MEMLOCK. */
  readonly memlock: MemlockAccounting;
  /** Page helpers: `set_page_dirty_lock()`, `folio_test_dirty()`, `is_zero_pfn()`, `PageCompound()`, `compound_head()`, `page_size()`. */
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

/** One action a device offers; `F` is the schema of its fields. */
export interface DeviceActionSpec<F extends z.ZodObject = z.ZodObject> {
  /** One line saying what it does. */
  readonly summary: string;
  /**
   * Schema of the action's fields as written in a scenario (a strict zod object, built from
   * `actionFields`); drives validation, the JSON Schema and the type of the handler's argument.
   */
  readonly fields: F;
  /** What the result is, if any. */
  readonly result?: string;
  /**
   * What this action gives back: the name of the field naming what an earlier call with `as:`
   * created (`dereg_mr`'s `region`), or `true` for an action without fields that releases
   * everything the device holds (io_uring's unregister). Before `pinlab fuzz` checks that nothing
   * leaked it calls this action for each name the device bound (or once, for `true`), so a device
   * plugin that holds frames declares it.
   */
  readonly releases?: string | true;
}

/** A device's actions by name. */
export type DeviceActionSpecs = Readonly<Record<string, DeviceActionSpec>>;

/** What a handler learns about its call besides the fields. */
export interface ActionCall {
  /** The name the scenario gives the result (`as:`), if any. */
  readonly as?: string;
}

/**
 * The handler of an action whose fields schema is `F`: it receives the fields parsed and resolved
 * ({@link ActionArgs}). Declared as a method so that a descriptor with typed handlers is still a
 * `DeviceDescriptor` of the registry (method parameters are compared bivariantly).
 */
export type ActionHandler<F extends z.ZodType> = {
  /** Perform the action with `args`, the fields of `F` parsed and resolved; refusals are `{ ok: false, errno }`. */
  handle(args: ActionArgs<F>, call: ActionCall): DeviceActionResult;
}["handle"];

/** A handler for each action of `A`, typed by its fields. */
export type ActionHandlers<A extends DeviceActionSpecs> = { readonly [K in keyof A]: ActionHandler<A[K]["fields"]> };

/** What a device plugin's `create` returns: a handler per declared action, and its view. */
export interface DeviceInstance<A extends DeviceActionSpecs = DeviceActionSpecs> {
  /** The handlers, one per action of `meta.actions`. Core calls them; nothing else dispatches on action names. */
  readonly actions: ActionHandlers<A>;
  /** Counters and held frames. */
  view(): DeviceView;
}

/** Metadata of a device plugin: drives `pinlab list`, the docs, the schema and the playground. */
export interface DeviceMeta<S extends z.ZodType = z.ZodType, A extends DeviceActionSpecs = DeviceActionSpecs> {
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
  readonly actions: A;
}

/** A device plugin: metadata plus a factory, made by {@link defineDevice}. */
export interface DeviceDescriptor<S extends z.ZodType = z.ZodType, A extends DeviceActionSpecs = DeviceActionSpecs> {
  /** Metadata. */
  readonly meta: DeviceMeta<S, A>;
  /** Build an instance for one kernel: its options come typed from `meta.options`, its handlers' fields from `meta.actions`. */
  create(ctx: DeviceContext<z.output<S>>): DeviceInstance<A>;
}

/**
 * Make a device descriptor (one object per plugin, as typescript-eslint makes rules): `create`'s
 * context is typed from `meta.options` and each handler's argument from its action's `fields`.
 */
export function defineDevice<S extends z.ZodType, A extends DeviceActionSpecs>(descriptor: DeviceDescriptor<S, A>): DeviceDescriptor<S, A> {
  if (!isPluginId(descriptor.meta.id)) throw new Error(`device kind "${descriptor.meta.id}" must be lower-case kebab-case`);
  for (const name of Object.keys(descriptor.meta.actions)) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`device "${descriptor.meta.id}": action "${name}" must be snake_case`);
  }
  return descriptor;
}

/** Extension point: every registered device-plugin descriptor (`resolveAll`). */
export const DEVICE_PLUGIN = createToken<DeviceDescriptor>("DEVICE_PLUGIN");
