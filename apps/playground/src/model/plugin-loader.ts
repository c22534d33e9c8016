/**
 * Loading a plugin module the user picked: its imports of `@pinlab/core`, `@pinlab/policies`,
 * `@pinlab/devices` and `zod` are pointed at shims of the playground's own copies
 * (`shared-modules.ts`, `plugin-imports.ts`), the module is imported from a blob: URL, and its
 * exports are registered with core's `registerPluginExports` into the playground's container.
 * Every failure (syntax, an import it cannot resolve, nothing usable, an id taken) comes back as
 * one line of text, never as an exception.
 */
import { registerPluginExports } from "@pinlab/core";
import { rewriteImports } from "./plugin-imports.js";
import { refreshRegistry, type Registry } from "./registry.js";
import { publishSharedModules, sharedModules, shimSource } from "./shared-modules.js";

/** What loading a plugin gave. */
export type PluginLoad =
  | { readonly ok: true; readonly name: string; readonly policies: readonly string[]; readonly devices: readonly string[] }
  | { readonly ok: false; readonly name: string; readonly error: string };

/** How a module is imported from source text (the browser: a blob: URL and `import()`). */
export interface ModuleHost {
  /** A URL serving `source` as a JavaScript module. */
  url(source: string): string;
  /** Import the module at `url`. */
  load(url: string): Promise<Readonly<Record<string, unknown>>>;
}

/** The browser's way: blob: URLs (the page's CSP allows `blob:` scripts for this) and `import()`. */
export const BROWSER_MODULES: ModuleHost = {
  url: (source) => URL.createObjectURL(new Blob([source], { type: "text/javascript" })),
  load: (url) => import(/* @vite-ignore */ url) as Promise<Readonly<Record<string, unknown>>>,
};

/** The language's errors, whose name says something (a syntax error, a type error...); others show their message only. */
const NAMED_ERRORS = new Set(["SyntaxError", "TypeError", "ReferenceError", "RangeError"]);

/** Shim URLs by specifier, made once per host. */
const shims = new WeakMap<ModuleHost, ReadonlyMap<string, string>>();

function shimUrls(host: ModuleHost): ReadonlyMap<string, string> {
  let urls = shims.get(host);
  if (urls === undefined) {
    const modules = sharedModules();
    publishSharedModules(modules);
    urls = new Map(Object.entries(modules).map(([spec, ns]) => [spec, host.url(shimSource(spec, ns))]));
    shims.set(host, urls);
  }
  return urls;
}

/** Load the plugin module `name` (its file name) with text `source` into `registry`. Never throws. */
export async function loadPlugin(registry: Registry, name: string, source: string, host: ModuleHost = BROWSER_MODULES): Promise<PluginLoad> {
  try {
    const urls = shimUrls(host);
    const rewritten = await rewriteImports(source, (s) => urls.get(s), [...urls.keys()]);
    const mod = await host.load(host.url(`${rewritten}\n//# sourceURL=${encodeURI(name)}`));
    registerPluginExports(registry.container, mod, name);
    const added = refreshRegistry(registry);
    return { ok: true, name, ...added };
  } catch (e) {
    const text = (e instanceof Error ? `${NAMED_ERRORS.has(e.name) ? `${e.name}: ` : ""}${e.message}` : String(e)).split("\n")[0];
    return { ok: false, name, error: text.startsWith("plugin ") ? text : `plugin ${name}: ${text}` };
  }
}
