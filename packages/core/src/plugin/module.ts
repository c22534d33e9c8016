/**
 * What a plugin module may export, and registering it: a `register(container)` function, a
 * descriptor as its default export, or `policies` / `devices` maps of descriptors. Shared by
 * every loader (the CLI's `--plugin` and config `plugins:`, the bench's workers); loading the
 * module itself (`import()`) is the caller's, since only it knows where modules live.
 * @module
 */
import type { DependencyContainer } from "tsyringe";
import type { DeviceDescriptor } from "../device/device-plugin.js";
import type { PinPolicyDescriptor } from "../policy/pin-policy.js";
import { PluginRegistrationError } from "./plugin-errors.js";
import { registerDevice, registerPinPolicy } from "./registry.js";

/** True for an object shaped like a policy descriptor (`definePinPolicy`). */
export function isPinPolicyDescriptor(x: unknown): x is PinPolicyDescriptor {
  const d = x as PinPolicyDescriptor | undefined;
  return typeof d === "object" && d !== null && typeof d.meta?.id === "string" && typeof d.create === "function" && typeof (d.meta as { kernel?: unknown }).kernel === "string";
}

/** True for an object shaped like a device descriptor (`defineDevice`). */
export function isDeviceDescriptor(x: unknown): x is DeviceDescriptor {
  const d = x as DeviceDescriptor | undefined;
  return typeof d === "object" && d !== null && typeof d.meta?.id === "string" && typeof d.create === "function" && typeof (d.meta as { actions?: unknown }).actions === "object";
}

/**
 * Register everything a loaded plugin module exports into `container`; `source` names it in
 * messages and in `pluginSource()`. Throws {@link PluginRegistrationError} saying what is wrong:
 * a `register()` that throws, an export that is not a descriptor, a module with nothing usable,
 * or (from the registry) an id claimed twice.
 */
export function registerPluginExports(container: DependencyContainer, mod: Readonly<Record<string, unknown>>, source: string): void {
  if (typeof mod.register === "function") {
    try {
      (mod.register as (c: DependencyContainer) => void)(container);
    } catch (e) {
      if (e instanceof PluginRegistrationError) throw e;
      throw new PluginRegistrationError(`plugin ${source}: register() threw: ${(e as Error).message}`);
    }
    return;
  }
  let found = 0;
  const add = (x: unknown, where: string) => {
    if (isDeviceDescriptor(x)) registerDevice(container, x, source);
    else if (isPinPolicyDescriptor(x)) registerPinPolicy(container, x, source);
    else throw new PluginRegistrationError(`plugin ${source}: ${where} is not a policy or device descriptor (make it with definePinPolicy or defineDevice)`);
    found++;
  };
  if (mod.default !== undefined) add(mod.default, "its default export");
  for (const key of ["policies", "devices"]) {
    const group = mod[key];
    if (group !== null && typeof group === "object") for (const [id, d] of Object.entries(group)) add(d, `${key}.${id}`);
  }
  if (found === 0) {
    throw new PluginRegistrationError(`plugin ${source} exports nothing pinlab can use: export a descriptor as default, policies/devices maps, or register(container)`);
  }
}
