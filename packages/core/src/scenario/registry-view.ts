import type { DependencyContainer } from "tsyringe";
import type { DeviceDescriptor } from "../device/device-plugin.js";
import { listDevices, listPolicies } from "../plugin/registry.js";
import type { PinPolicyDescriptor } from "../policy/pin-policy.js";

/** What the scenario engine needs to know about registered plugins. */
export interface PluginView {
  /** Registered policies by id. */
  readonly policies: ReadonlyMap<string, PinPolicyDescriptor>;
  /** Registered devices by kind. */
  readonly devices: ReadonlyMap<string, DeviceDescriptor>;
}

/** The plugins registered in `container`. */
export function pluginView(container: DependencyContainer): PluginView {
  return {
    policies: new Map(listPolicies(container).map((p) => [p.meta.id, p])),
    devices: new Map(listDevices(container).map((d) => [d.meta.id, d])),
  };
}
