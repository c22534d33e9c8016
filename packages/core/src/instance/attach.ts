import { listDevices, pluginSource } from "../plugin/registry.js";
import { resolve } from "../di/tokens.js";
import { CLOCK } from "../sim/clock.js";
import { EVENTS } from "../events/event-bus.js";
import { NOTIFIERS } from "../notifier/mmu-notifiers.js";
import { UnknownPluginError, type KernelInstance } from "./create-kernel.js";
import type { Device, DeviceContext } from "../device/device-plugin.js";
import { driverApi } from "../device/driver-api.js";
import { hmmRangeFault } from "../notifier/hmm.js";

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
 * a driver can reach of the kernel (a {@link DeviceContext}). Throws {@link UnknownPluginError} naming the problem (unknown kind with the
 * known ones, duplicate name, bad option field).
 */
export function attachDevice(inst: KernelInstance, cfg: DeviceConfig): Device {
  if (inst.devices.has(cfg.name)) throw new UnknownPluginError(`a device named "${cfg.name}" is already attached`);
  const plugins = listDevices(inst.container);
  const desc = plugins.find((d) => d.meta.id === cfg.kind);
  if (desc === undefined) {
    const known = plugins.map((d) => d.meta.id).sort();
    throw new UnknownPluginError(
      known.length === 0 ? `unknown device kind "${cfg.kind}": no device plugins are registered` : `unknown device kind "${cfg.kind}"; registered kinds: ${known.join(", ")}`,
    );
  }
  const parsed = desc.meta.options.safeParse(cfg.options ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `options.${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new UnknownPluginError(`bad options for device "${cfg.name}" (${cfg.kind}):\n  ${issues.join("\n  ")}`);
  }
  const c = inst.container;
  const notifiers = resolve(c, NOTIFIERS);
  const api = driverApi(inst.kernel);
  const ctx: DeviceContext<unknown> = {
    name: cfg.name,
    options: parsed.data,
    holder: { kind: "device", name: cfg.name },
    gup: inst.gup,
    notifiers,
    hmmRangeFault: (range) => hmmRangeFault(inst.kernel, notifiers, range),
    dma: inst.dma,
    clock: resolve(c, CLOCK),
    events: resolve(c, EVENTS),
    findProcess: api.findProcess,
    memlock: api.memlock,
    pages: api.pages,
    pageCache: api.pageCache,
    policyId: inst.kernel.policy.id,
  };
  const device = desc.create(ctx);
  if (device === null || typeof device !== "object" || typeof (device as { perform?: unknown }).perform !== "function") {
    throw new UnknownPluginError(`device "${cfg.name}" (${cfg.kind}, ${pluginSource(desc)}): create() returned ${device === null ? "null" : typeof device}, not a Device with perform(): a bug in the device plugin`);
  }
  inst.devices.set(cfg.name, device);
  return device;
}
