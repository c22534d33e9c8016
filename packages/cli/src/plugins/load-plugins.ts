/**
 * Building the plugin container: the built-in policies and devices, then plugin modules loaded
 * from paths (config `plugins:` or `--plugin`). A plugin module exports a descriptor as default,
 * or `policies` / `devices` maps, or a `register(container)` function. Scenarios cannot load
 * plugins: only the command line and the config file can. A plugin may sit in any directory and
 * import `@pinlab/*`, `zod` and `tsyringe` by name: it gets this pinlab's own modules (the module
 * resolution hooks of `@pinlab/bench`'s `preparePluginImports`, registered before the first plugin
 * is imported), so it needs no `package.json` and no install.
 * @module
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { pluginLoadFailure, preparePluginImports, PINLAB_PACKAGES } from "@pinlab/bench";
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

/** The plugin module being imported, if any: named when the process ends with the import unsettled. */
let importing: string | undefined;
let exitHookInstalled = false;

/**
 * A plugin whose top-level `await` never settles leaves Node with nothing to run: it exits (13)
 * without a word. Say which plugin it was, and exit 2 like any other bad plugin.
 */
function reportUnsettledImport(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    if (importing === undefined) return;
    process.stderr.write(`pinlab: plugin ${importing} never finished loading: its top-level await never settled\n`);
    process.exitCode = 2;
  });
}

/** Load one plugin module from `path` into `container`. Throws UsageError naming the path and the problem. */
export async function loadPluginModule(container: DependencyContainer, path: string, cwd: string): Promise<void> {
  const abs = resolve(cwd, path);
  if (!existsSync(abs)) throw new UsageError(`plugin ${abs} does not exist`);
  if (!statSync(abs).isFile()) throw new UsageError(`plugin ${abs} is not a file`);
  let mod: Record<string, unknown>;
  preparePluginImports(import.meta.url, PINLAB_PACKAGES, [abs]);
  reportUnsettledImport();
  importing = abs;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`plugin ${abs} failed to load: ${pluginLoadFailure(abs, e)}`);
  } finally {
    importing = undefined;
  }
  try {
    registerPluginExports(container, mod, abs);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * The built-in plugins plus every plugin in `paths`. A module named twice (by the config and by
 * `--plugin`, or by two spellings of one path) is loaded once.
 */
export async function pluginContainer(paths: readonly string[], cwd: string): Promise<DependencyContainer> {
  const c = builtinContainer();
  const seen = new Set<string>();
  for (const p of paths) {
    const abs = resolve(cwd, p);
    const key = existsSync(abs) ? realpathSync(abs) : abs;
    if (seen.has(key)) continue;
    seen.add(key);
    await loadPluginModule(c, p, cwd);
  }
  return c;
}
