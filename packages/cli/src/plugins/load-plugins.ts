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
import { registerPluginExports } from "@pinlab/core";
import { register as registerDevices } from "@pinlab/devices";
import { register as registerPolicies } from "@pinlab/policies";
import { UsageError } from "../io.js";

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
  try {
    registerPluginExports(container, mod, abs);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The built-in plugins plus every plugin in `paths`. */
export async function pluginContainer(paths: readonly string[], cwd: string): Promise<DependencyContainer> {
  const c = builtinContainer();
  for (const p of paths) await loadPluginModule(c, p, cwd);
  return c;
}
