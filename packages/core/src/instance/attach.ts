import { instantiatePlugin } from "../plugin/instantiate.js";
import { DuplicateDeviceError } from "../plugin/plugin-errors.js";
import { resolve } from "../di/tokens.js";
import { CLOCK } from "../sim/clock.js";
import { EVENTS } from "../events/event-bus.js";
import { NOTIFIERS } from "../notifier/mmu-notifiers.js";
import type { KernelInstance } from "./create-kernel.js";
import type { Device } from "../device/device-plugin.js";
import { driverApi } from "../device/driver-api.js";
import { bindDevice, kernelActionRefs } from "../device/action-dispatch.js";
import { hmmRangeFault } from "../notifier/hmm.js";
import { deviceMemory } from "../device/device-memory.js";

/** A device to attach: its name, its kind (a registered plugin id) and its options. */
export interface DeviceConfig {
  /** Instance name, unique per kernel (e.g. `"hca0"`). */
  readonly name: string;
  /** Plugin id (e.g. `"rdma-mr"`). */
  readonly kind: string;
  /** Options, validated against the plugin's schema. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * Attach a device to a kernel instance: find its plugin, validate its options, build it with what
 * a driver can reach of the kernel (a `DeviceContext`). Throws {@link DuplicateDeviceError} for a
 * name already attached, and what {@link instantiatePlugin} throws: an unknown kind (listing the
 * known ones), a bad option field, a plugin whose `create()` returns no device.
 */
export function attachDevice(inst: KernelInstance, cfg: DeviceConfig): Device {
  if (inst.devices.has(cfg.name)) throw new DuplicateDeviceError(`a device named "${cfg.name}" is already attached`);
  const c = inst.container;
  const notifiers = resolve(c, NOTIFIERS);
  const api = driverApi(inst.kernel);
  const { descriptor, instance } = instantiatePlugin("device", c, cfg.kind, cfg.options ?? {}, (options) => ({
    name: cfg.name,
    options,
    holder: { kind: "device", name: cfg.name },
    gup: inst.gup,
    notifiers,
    hmmRangeFault: (range) => hmmRangeFault(inst.kernel, notifiers, range),
    devmem: deviceMemory(inst.kernel, inst.gup, cfg.name),
    dma: inst.dma,
    clock: resolve(c, CLOCK),
    events: resolve(c, EVENTS),
    findProcess: api.findProcess,
    memlock: api.memlock,
    pages: api.pages,
    pageCache: api.pageCache,
    policyCapabilities: inst.policyCapabilities,
  }), cfg.name);
  const device = bindDevice(cfg.name, descriptor, instance, kernelActionRefs(inst.kernel));
  inst.devices.set(cfg.name, device);
  return device;
}
