/**
 * Building the plugin container: the built-in policies and devices, then plugin modules loaded
 * from paths (config `plugins:` or `--plugin`). A plugin module exports a descriptor as default,
 * or `policies` / `devices` maps, or a `register(container)` function. Scenarios cannot load
 * plugins: only the command line and the config file can.
 * @module
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { registerDevice, registerPinPolicy, type DeviceDescriptor, type PinPolicyDescriptor } from "@pinlab/core";
import { register as registerDevices } from "@pinlab/devices";
import { register as registerPolicies } from "@pinlab/policies";
import { UsageError } from "../io.js";

function isPolicy(x: unknown): x is PinPolicyDescriptor {
  const d = x as PinPolicyDescriptor | undefined;
  return typeof d === "object" && d !== null && typeof d.meta?.id === "string" && typeof d.create === "function" && typeof (d.meta as { kernel?: unknown }).kernel === "string";
}

function isDevice(x: unknown): x is DeviceDescriptor {
  const d = x as DeviceDescriptor | undefined;
  return typeof d === "object" && d !== null && typeof d.meta?.id === "string" && typeof d.create === "function" && typeof (d.meta as { actions?: unknown }).actions === "object";
}

/** A container with the built-in plugins registered. */
export function builtinContainer(): DependencyContainer {
  const c = rootContainer.createChildContainer();
  registerPolicies(c);
  registerDevices(c);
  return c;
}

/** Load one plugin module from `path` into `container`. Throws UsageError naming the path and the problem. */
export async function loadPluginModule(container: DependencyContainer, path: string, cwd: string): Promise<void> {
  const abs = resolve(cwd, path);
  if (!existsSync(abs)) throw new UsageError(`plugin ${abs} does not exist`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`plugin ${abs} failed to load: ${(e as Error).message.split("\n")[0]}`);
  }
  let found = 0;
  const add = (x: unknown, where: string) => {
    try {
      if (isDevice(x)) registerDevice(container, x, abs);
      else if (isPolicy(x)) registerPinPolicy(container, x, abs);
      else throw new UsageError(`plugin ${abs}: ${where} is not a policy or device descriptor (make it with definePinPolicy or defineDevice)`);
    } catch (e) {
      throw e instanceof UsageError ? e : new UsageError(`plugin ${abs}: ${(e as Error).message}`);
    }
    found++;
  };
  if (typeof mod.register === "function") {
    try {
      (mod.register as (c: DependencyContainer) => void)(container);
    } catch (e) {
      throw new UsageError(`plugin ${abs}: register() threw: ${(e as Error).message}`);
    }
    found++;
  } else {
    if (mod.default !== undefined) add(mod.default, "its default export");
    for (const key of ["policies", "devices"]) {
      const group = mod[key];
      if (group !== undefined && typeof group === "object" && group !== null) for (const [id, d] of Object.entries(group)) add(d, `${key}.${id}`);
    }
  }
  if (found === 0) throw new UsageError(`plugin ${abs} exports nothing pinlab can use: export a descriptor as default, policies/devices maps, or register(container)`);
}

/** The built-in plugins plus every plugin in `paths`. */
export async function pluginContainer(paths: readonly string[], cwd: string): Promise<DependencyContainer> {
  const c = builtinContainer();
  for (const p of paths) await loadPluginModule(c, p, cwd);
  return c;
}
