/**
 * The module resolution hooks (`node:module` `register()`) that make a plugin file in any
 * directory import the running pinlab's own `@pinlab/*`, `zod`, `tsyringe` and
 * `reflect-metadata`. Node runs this module in its hooks thread: it imports nothing of pinlab,
 * and all it knows is the anchor map it is initialized with (`registerPluginResolution` in
 * `./register.ts`).
 *
 * A bare specifier whose package has an anchor (`@pinlab/core`, `@pinlab/core/testing`, `zod`,
 * `zod/v4`...) is resolved as if the anchor module had imported it, so the plugin gets the very
 * URL, hence the very module instance, pinlab uses: the same `defineDevice`, the same zod (whose
 * `.describe()` registry and JSON Schema export core reads), the same tsyringe container classes.
 * It is done **always**, not only when Node's own lookup from the plugin fails: a plugin that sits
 * next to a `node_modules` with its own copy of zod or core would otherwise get a second copy, and
 * a second copy breaks schema metadata, `instanceof` and DI tokens silently. For pinlab's own
 * modules the redirect is the identity (each anchor is where pinlab itself resolves the package
 * from). Every other specifier (relative paths, URLs, `node:` builtins, any other package) goes
 * to Node's default resolution unchanged.
 *
 * Node-only, and reachable only by URL from `register()`: no browser entry point imports it.
 * @module
 */
import type { InitializeHook, ResolveHook } from "node:module";

/** What the hooks are initialized with: per package name, the URL of the module pinlab resolves it from. */
export interface PluginResolveData {
  /** Package name (`zod`, `@pinlab/core`) to the URL of a module that imports it in the running pinlab. */
  readonly anchors: Readonly<Record<string, string>>;
}

let anchors: Readonly<Record<string, string>> = {};

/** The package a bare specifier names (`@pinlab/core/testing` -> `@pinlab/core`, `zod/v4` -> `zod`), or undefined for a relative path, an absolute path or a URL. */
export function packageOfSpecifier(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("#") || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(specifier)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Node calls this once, with the `data` given to `register()`. */
export const initialize: InitializeHook<PluginResolveData> = (data) => {
  anchors = data.anchors;
};

/** Resolve a package pinlab provides from its anchor; leave everything else to the next hook. */
export const resolve: ResolveHook = (specifier, context, nextResolve) => {
  const pkg = packageOfSpecifier(specifier);
  const anchor = pkg === undefined ? undefined : anchors[pkg];
  if (anchor === undefined) return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, parentURL: anchor });
};
