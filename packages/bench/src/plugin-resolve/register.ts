/**
 * Plugins resolve pinlab from pinlab: before the first plugin module is imported, the CLI and
 * every bench worker register the resolution hooks of `./hooks.ts` with an anchor per package a
 * plugin may import by name (`@pinlab/*`, and `zod`, `tsyringe`, `reflect-metadata` as core has
 * them). A plugin is then one `.mjs` file in any directory, with no `package.json` and no
 * `npm install`, and it shares the running pinlab's module instances.
 *
 * Hooks registered with `module.register()` apply to the thread that registers them and to the
 * imports it starts afterwards: on Node 20 a worker thread does not inherit its parent's hooks,
 * and a child process starts without them, so each thread that imports plugins registers them
 * itself (once: a second call is a no-op). Hooks do not apply to `require()`, so a plugin is an
 * ES module. Node-only: nothing that the playground bundles imports this file.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { PluginResolveData } from "./hooks.js";

/** The pinlab packages a plugin may import by name. */
export const PINLAB_PACKAGES: readonly string[] = ["@pinlab/core", "@pinlab/policies", "@pinlab/devices", "@pinlab/bench"];

/** Packages a plugin must share with `@pinlab/core` (its schemas and its DI container): anchored at core. */
export const CORE_SHARED_PACKAGES: readonly string[] = ["zod", "tsyringe", "reflect-metadata"];

/** The name in the `package.json` nearest above a module path or file URL, if any. */
export function packageNameOf(module: string): string | undefined {
  const path = module.startsWith("file:") ? fileURLToPath(module) : module;
  if (!isAbsolute(path)) return undefined;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        const name = (JSON.parse(readFileSync(pkg, "utf8")) as { name?: unknown }).name;
        if (typeof name === "string") return name;
      } catch {
        // A package.json that does not parse names nothing; look further up.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The anchor map of the running pinlab: each of `packages` that resolves from `importer` (the
 * `import.meta.url` of the caller, in a package that depends on them) is anchored there; `zod`,
 * `tsyringe` and `reflect-metadata` at `@pinlab/core`'s entry, so a plugin gets core's copies;
 * and each of `modules` (paths or file URLs of pinlab packages the caller resolved already, such
 * as the built-in plugin packages a bench worker is handed) anchors its own package.
 */
export function pluginResolveAnchors(importer: string, packages: readonly string[], modules: readonly string[] = []): Record<string, string> {
  const require = createRequire(importer);
  const anchors: Record<string, string> = {};
  for (const p of packages) {
    try {
      require.resolve(p);
      anchors[p] = importer;
    } catch {
      // Not reachable from the caller: a plugin importing it fails as it would without the hooks.
    }
  }
  const core = pathToFileURL(require.resolve("@pinlab/core")).href;
  for (const p of CORE_SHARED_PACKAGES) anchors[p] = core;
  for (const m of modules) {
    const name = m.startsWith("file:") || isAbsolute(m) ? packageNameOf(m) : undefined;
    if (name !== undefined && PINLAB_PACKAGES.includes(name) && anchors[name] === undefined) anchors[name] = m.startsWith("file:") ? m : pathToFileURL(m).href;
  }
  return anchors;
}

/** The hooks module as Node loads it: the built file (vitest runs this module from source). */
function hooksUrl(): URL {
  const here = import.meta.url;
  const url = here.endsWith(".ts") ? new URL("../../dist/plugin-resolve/hooks.js", here) : new URL("./hooks.js", here);
  if (!existsSync(fileURLToPath(url))) throw new Error(`the plugin resolution hooks ${fileURLToPath(url)} do not exist: build @pinlab/bench first (npx nx run @pinlab/bench:build)`);
  return url;
}

let registered = false;

/**
 * Register the resolution hooks in this thread with `anchors`, once (later calls return false
 * and change nothing). Call it before the first import of a plugin module.
 */
export function registerPluginResolution(anchors: Readonly<Record<string, string>>): boolean {
  if (registered) return false;
  registered = true;
  const data: PluginResolveData = { anchors };
  register(hooksUrl(), { data });
  return true;
}

/**
 * Make the plugin modules `specifiers` about to be imported resolve pinlab from pinlab: register
 * the hooks (anchored at `importer`, for `packages`, plus the pinlab packages among `specifiers`)
 * unless every specifier is a pinlab package itself, which needs none (the built-in plugins).
 */
export function preparePluginImports(importer: string, packages: readonly string[], specifiers: readonly string[]): void {
  const user = specifiers.filter((s) => !PINLAB_PACKAGES.includes(s) && !PINLAB_PACKAGES.includes(packageNameOf(s) ?? ""));
  if (user.length === 0 || registered) return;
  registerPluginResolution(pluginResolveAnchors(importer, packages, specifiers));
}
