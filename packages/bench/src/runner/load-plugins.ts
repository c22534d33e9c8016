/**
 * Registering plugins from module specifiers, in the main thread and in every worker. The bench
 * imports no policy and no device: the caller (the CLI) names the modules, and each exports a
 * `register(container)` function, a descriptor as default, or `policies` / `devices` maps of
 * descriptors (the same contract as the CLI's `--plugin`).
 * @module
 */
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { registerDevice, registerPinPolicy, type DeviceDescriptor, type PinPolicyDescriptor } from "@pinlab/core";
import { BenchInputError } from "./bench-input-error.js";

function isPolicy(x: unknown): x is PinPolicyDescriptor {
  const d = x as PinPolicyDescriptor | undefined;
  return typeof d === "object" && d !== null && typeof d.meta?.id === "string" && typeof d.create === "function" && typeof (d.meta as { kernel?: unknown }).kernel === "string";
}

function isDevice(x: unknown): x is DeviceDescriptor {
  const d = x as DeviceDescriptor | undefined;
  return typeof d === "object" && d !== null && typeof d.meta?.id === "string" && typeof d.create === "function" && typeof (d.meta as { actions?: unknown }).actions === "object";
}

/** A specifier as `import()` takes it: absolute paths become file URLs; package names and URLs stay. */
export function importable(specifier: string): string {
  return isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier;
}

/** Import one plugin module and register what it exports into `container`. */
export async function registerPluginModule(container: DependencyContainer, specifier: string): Promise<void> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(importable(specifier))) as Record<string, unknown>;
  } catch (e) {
    throw new BenchInputError(`plugin ${specifier} failed to load: ${(e as Error).message.split("\n")[0]}`, "--plugin");
  }
  if (typeof mod.register === "function") {
    (mod.register as (c: DependencyContainer) => void)(container);
    return;
  }
  let found = 0;
  const add = (x: unknown, where: string) => {
    if (isDevice(x)) registerDevice(container, x, specifier);
    else if (isPolicy(x)) registerPinPolicy(container, x, specifier);
    else throw new BenchInputError(`plugin ${specifier}: ${where} is not a policy or device descriptor`, "--plugin");
    found++;
  };
  if (mod.default !== undefined) add(mod.default, "its default export");
  for (const key of ["policies", "devices"]) {
    const group = mod[key];
    if (group !== null && typeof group === "object") for (const [id, d] of Object.entries(group)) add(d, `${key}.${id}`);
  }
  if (found === 0) throw new BenchInputError(`plugin ${specifier} exports nothing the bench can use: register(container), a descriptor as default, or policies/devices maps`, "--plugin");
}

/** A fresh child container with every plugin of `specifiers` registered, in order. */
export async function pluginContainer(specifiers: readonly string[]): Promise<DependencyContainer> {
  const c = rootContainer.createChildContainer();
  for (const s of specifiers) await registerPluginModule(c, s);
  return c;
}
