/**
 * Where the guides are, and the plugin container their scenarios run in.
 * @module
 */
import { readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { register as registerDevices } from "@pinlab/devices";
import { register as registerPolicies } from "@pinlab/policies";
import { readMarkdown, type MarkdownDoc } from "./markdown.js";

/** The docs project: `docs/`. */
export const DOCS_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The workspace root. */
export const WORKSPACE_ROOT = dirname(DOCS_ROOT);

/** The markdown files the docs test reads: the landing page and every guide, as workspace-relative paths. */
export function guidePaths(): string[] {
  const guides = readdirSync(join(DOCS_ROOT, "guides")).filter((f) => f.endsWith(".md")).sort().map((f) => join(DOCS_ROOT, "guides", f));
  return [join(DOCS_ROOT, "index.md"), ...guides].map((p) => relative(WORKSPACE_ROOT, p));
}

/** The landing page and the guides, parsed. */
export function readGuides(): MarkdownDoc[] {
  return guidePaths().map((p) => readMarkdown(join(WORKSPACE_ROOT, p), p));
}

/** The example plugin modules in `docs/examples/*` (workspace-relative). */
export function examplePluginPaths(): string[] {
  const dir = join(DOCS_ROOT, "examples");
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(dir, d.name)).filter((f) => f.endsWith(".mjs")).map((f) => relative(WORKSPACE_ROOT, join(dir, d.name, f))))
    .sort();
}

/** A container holding exactly what `@pinlab/policies` and `@pinlab/devices` register: the registries the guides must cover. */
export function registryContainer(): DependencyContainer {
  const c = rootContainer.createChildContainer();
  registerPolicies(c);
  registerDevices(c);
  return c;
}
