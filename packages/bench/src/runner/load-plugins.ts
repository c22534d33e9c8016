/**
 * Registering plugins from module specifiers, in the main thread and in every worker. The bench
 * imports no policy and no device: the caller (the CLI) names the modules, and each exports a
 * `register(container)` function, a descriptor as default, or `policies` / `devices` maps of
 * descriptors (the same contract as the CLI's `--plugin`), and may export workloads (see
 * `plugin-workloads.ts`).
 * @module
 */
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { registerBenchPluginExports } from "../workloads/plugin-workloads.js";
import { preparePluginImports } from "../plugin-resolve/register.js";
import { pluginLoadFailure } from "../plugin-resolve/syntax-location.js";
import { BenchInputError } from "./bench-input-error.js";

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
    throw new BenchInputError(`plugin ${specifier} failed to load: ${pluginLoadFailure(specifier, e)}`, "--plugin");
  }
  try {
    registerBenchPluginExports(container, mod, specifier);
  } catch (e) {
    throw new BenchInputError((e as Error).message, "--plugin");
  }
}

/**
 * A fresh child container with every plugin of `specifiers` registered, in order. A plugin
 * imports `@pinlab/*` and `zod` from this pinlab (module resolution hooks, registered first).
 */
export async function pluginContainer(specifiers: readonly string[]): Promise<DependencyContainer> {
  preparePluginImports(import.meta.url, ["@pinlab/core", "@pinlab/bench"], specifiers);
  const c = rootContainer.createChildContainer();
  for (const s of specifiers) await registerPluginModule(c, s);
  return c;
}
