/**
 * `pinlab new device NAME` / `pinlab new policy NAME`: a working, documented plugin skeleton in
 * the current directory (or `--dir`): `NAME.mjs` (plain ES module, no build step: pinlab resolves
 * its `@pinlab/*` and `zod` imports itself), a scenario `NAME.yaml` that exercises it, and a
 * `pinlab.config.yaml` that loads it when the directory has no config yet. `pinlab run NAME.yaml`
 * passes as written. Nothing is overwritten: when any file it would write exists, it writes none.
 * The skeletons are `packages/cli/templates/{device,policy}.{mjs,yaml}`, with `__NAME__` (the
 * plugin id), `__IDENT__` (its identifier, `myRingDevice`) and `__KIND__` filled in.
 * @module
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { isPluginId, pluginView } from "@pinlab/core";
import { CONFIG_FILE_NAMES } from "../config/pinlab-config.js";
import { EXIT, UsageError, type CliIo } from "../io.js";
import { builtinContainer } from "../plugins/load-plugins.js";

/** What `pinlab new` makes. */
export const NEW_KINDS = ["device", "policy"] as const;

/** A kind of plugin `pinlab new` makes. */
export type NewKind = (typeof NEW_KINDS)[number];

/** Options of `pinlab new`. */
export interface NewOptions {
  /** Where to write (default: the working directory); made if missing. */
  readonly dir?: string;
}

/** One file of a skeleton. */
export interface SkeletonFile {
  /** Its name in the target directory. */
  readonly name: string;
  /** Its text. */
  readonly text: string;
  /** What it is, for the listing. */
  readonly what: string;
}

/** The templates folder: `packages/cli/templates`, beside `src` and `dist` alike. */
const TEMPLATES = new URL("../../templates/", import.meta.url);

/**
 * `my-ring` and `device` -> `myRingDevice`: the descriptor's identifier in the module. The kind
 * as a suffix keeps it clear of reserved words (`delete`) and of the names the module imports.
 */
export function pluginIdentifier(id: string, kind: NewKind): string {
  const camel = id.replace(/-+([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/-+$/, "");
  return `${camel}${kind === "device" ? "Device" : "Policy"}`;
}

function fill(template: string, kind: NewKind, name: string): string {
  const text = readFileSync(new URL(template, TEMPLATES), "utf8");
  return text.replaceAll("__NAME__", name).replaceAll("__IDENT__", pluginIdentifier(name, kind)).replaceAll("__KIND__", kind);
}

/** The files of a `kind` skeleton named `name`; the config only when `withConfig`. */
export function skeletonFiles(kind: NewKind, name: string, withConfig: boolean): SkeletonFile[] {
  const files: SkeletonFile[] = [
    { name: `${name}.mjs`, text: fill(`${kind}.mjs`, kind, name), what: `the ${kind} plugin (plain ES module: edit it and run, no build step)` },
    { name: `${name}.yaml`, text: fill(`${kind}.yaml`, kind, name), what: "a scenario that exercises it" },
  ];
  if (withConfig) files.push({ name: "pinlab.config.yaml", text: fill("pinlab.config.yaml", kind, name), what: `loads ./${name}.mjs for every pinlab command run here` });
  return files;
}

/** A usage error unless `name` is a plugin id that no built-in plugin of that kind has. */
function checkName(kind: NewKind, name: string): void {
  if (!isPluginId(name)) throw new UsageError(`new ${kind}: "${name}" is not a plugin id: lower-case kebab-case, a letter first ([a-z][a-z0-9-]*), e.g. my-${kind}`);
  const view = pluginView(builtinContainer());
  const taken = kind === "device" ? view.devices : view.policies;
  if (taken.has(name)) throw new UsageError(`new ${kind}: "${name}" is a built-in ${kind} of pinlab: choose another name (built-in: ${[...taken.keys()].join(", ")})`);
}

/** The target directory, made if missing; a usage error when it is a file or cannot be made. */
function targetDir(io: CliIo, dir: string | undefined): string {
  const abs = resolve(io.cwd, dir ?? ".");
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new UsageError(`--dir ${dir}: ${abs} is not a directory`);
    return abs;
  }
  try {
    mkdirSync(abs, { recursive: true });
  } catch (e) {
    throw new UsageError(`--dir ${dir}: cannot make ${abs}: ${(e as Error).message}`);
  }
  return abs;
}

/** Write the skeleton of a `kind` plugin named `name`. Exit 0, or 2 (nothing written) for a bad name or a file in the way. */
export function newCommand(kind: string, name: string, opts: NewOptions, io: CliIo): number {
  if (!(NEW_KINDS as readonly string[]).includes(kind)) throw new UsageError(`new: unknown kind "${kind}": pinlab new device NAME, or pinlab new policy NAME`);
  const k = kind as NewKind;
  checkName(k, name);
  const dir = targetDir(io, opts.dir);
  const config = CONFIG_FILE_NAMES.find((n) => existsSync(join(dir, n)));
  const files = skeletonFiles(k, name, config === undefined);
  const inTheWay = files.filter((f) => existsSync(join(dir, f.name))).map((f) => f.name);
  if (inTheWay.length > 0) {
    throw new UsageError(`new ${k} ${name}: ${inTheWay.join(", ")} already ${inTheWay.length === 1 ? "exists" : "exist"} in ${dir}: nothing written (remove ${inTheWay.length === 1 ? "it" : "them"}, pick another name or --dir)`);
  }
  for (const f of files) writeFileSync(join(dir, f.name), f.text, { flag: "wx" });
  const shown = relative(io.cwd, dir) || ".";
  const width = Math.max(...files.map((f) => f.name.length));
  io.out(`wrote in ${shown}:\n${files.map((f) => `  ${f.name.padEnd(width)}  ${f.what}\n`).join("")}`);
  if (config !== undefined) {
    io.out(`${config} exists already and was left as it is: add the plugin to it (plugins: [./${name}.mjs]), or pass --plugin ${name}.mjs\n`);
  }
  const cd = shown === "." ? "" : `cd ${shown} && `;
  const plugin = config === undefined ? "" : ` --plugin ${name}.mjs`;
  const bench = k === "policy" ? `pinlab bench --plugin ${name}.mjs --policies pin-bias,${name} --scenarios ${name}.yaml` : `pinlab bench --plugin ${name}.mjs --scenarios ${name}.yaml`;
  io.out(`next:\n  ${cd}pinlab run${plugin} ${name}.yaml\n  ${cd}pinlab check${plugin} ${name}.yaml\n  ${cd}${bench}\n`);
  return EXIT.OK;
}
