/**
 * The modules a plugin loaded in the playground may import, and the small shim modules that hand
 * it the playground's own copies (one copy of core and zod, so `instanceof`, the container's
 * tokens and zod schemas work across the plugin boundary). The namespaces are published on a
 * global registry keyed by a symbol; each shim is a module that re-exports one of them by name.
 */
import * as core from "@pinlab/core";
import * as devices from "@pinlab/devices";
import * as policies from "@pinlab/policies";
import * as zod from "zod";

/** Module namespaces by specifier. */
export type SharedModules = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** The specifiers a plugin may import. */
export const SHARED_SPECIFIERS = ["@pinlab/core", "@pinlab/policies", "@pinlab/devices", "zod"] as const;

/**
 * The module namespaces a plugin may import, by specifier: the very instances the playground
 * runs. (Whole namespaces: nothing of them can be tree-shaken, so the bundle carries all of zod
 * and core, some 340 kB more; a lazy chunk cannot split modules the app imports statically.)
 */
export function sharedModules(): SharedModules {
  return { "@pinlab/core": core, "@pinlab/policies": policies, "@pinlab/devices": devices, zod };
}

/** The key of the global registry the shims read. */
export const SHARED_KEY = "pinlab.playground.shared";

/** Names a shim re-exports (identifier names, reserved words such as zod's `catch` and `enum` included; `default` apart). */
const EXPORTABLE = /^[A-Za-z_$][\w$]*$/;

/** Publish `modules` on the global registry the shims read. */
export function publishSharedModules(modules: SharedModules): void {
  (globalThis as Record<symbol, unknown>)[Symbol.for(SHARED_KEY)] = modules;
}

/** The source of a shim module re-exporting every export of `ns`, published as `specifier`. */
export function shimSource(specifier: string, ns: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(ns).filter((k) => k !== "default" && EXPORTABLE.test(k));
  // Each export is bound to a local `_N` and exported under its own name, which may be a reserved word (`export { _3 as catch }`).
  return [
    `const m = globalThis[Symbol.for(${JSON.stringify(SHARED_KEY)})][${JSON.stringify(specifier)}];`,
    names.length > 0 ? `const { ${names.map((n, i) => `${n}: _${i}`).join(", ")} } = m;` : "",
    names.length > 0 ? `export { ${names.map((n, i) => `_${i} as ${n}`).join(", ")} };` : "",
    "default" in ns ? "export default m.default;" : "",
  ].join("\n");
}
