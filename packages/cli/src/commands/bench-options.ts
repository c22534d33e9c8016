/**
 * Command-line values of the bench commands: plugin specifiers for the workers, and the parsing
 * of `--workers`, `--seed`, `--seeds`, `--param`, `--sweep` and the list options, each error
 * naming its flag.
 * @module
 */
import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { MAX_SEEDS, SIZE_NAMES, parseShard, parseSweepFlag, type Shard, type SizeName, type SweepRequest } from "@pinlab/bench";
import { KERNEL_ERA_IDS, PLUGIN_ID_PATTERN, unknownEraMessage } from "@pinlab/core";
import { loadPinlabConfig } from "../config/pinlab-config.js";
import { UsageError, type CliIo } from "../io.js";
import { parseSeed } from "./shared.js";

const require = createRequire(import.meta.url);

/** The built-in plugin packages every bench worker registers. */
export const BUILTIN_PLUGINS = ["@pinlab/policies", "@pinlab/devices"] as const;

/**
 * The plugin module specifiers a bench passes to its workers: the built-in packages (resolved
 * here, so workers find them wherever the bench is installed), then the config's `plugins:` and
 * every `--plugin`, as absolute paths.
 */
export function pluginSpecifiers(io: CliIo, opts: { readonly config?: string; readonly plugin?: readonly string[] }): string[] {
  const config = loadPinlabConfig(io.cwd, opts.config);
  const extra = [...config.plugins, ...(opts.plugin ?? []).map((p) => resolve(io.cwd, p))];
  for (const p of extra) if (!existsSync(p)) throw new UsageError(`--plugin: ${p} does not exist`);
  // A module named twice (config and --plugin, or two spellings of one path) is loaded once.
  const unique = [...new Map(extra.map((p) => [realpathSync(p), p])).values()];
  return [...BUILTIN_PLUGINS.map((m) => require.resolve(m)), ...unique];
}

/** Split `a,b` into a list; undefined stays undefined; an empty list (`''`, `,`) is a UsageError naming `flag`. */
export function listOption(value: string | undefined, flag: string, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (parts.length === 0) throw new UsageError(`${flag} is empty: give comma-separated ${what}, or leave ${flag} out for all`);
  return parts;
}

/** `--policies`: `all`, or a list; an empty value is a UsageError. */
export function policiesOption(value: string | undefined): string[] | "all" | undefined {
  const l = listOption(value, "--policies", "policy ids or all");
  if (l === undefined) return undefined;
  return l.includes("all") ? "all" : l;
}

/** Where a bench's kernel eras come from, highest precedence first, as the command line gives them. */
export interface KernelSources {
  /** `--kernels a,b` or `all`. */
  readonly kernels?: string;
  /** `--kernel ID`: every policy at ID. */
  readonly kernel?: string;
  /** `PINLAB_KERNEL` (an empty value counts as unset). */
  readonly env?: string;
  /** The config file's `kernels:` and the file it came from. */
  readonly config?: { readonly kernels: readonly string[] | "all"; readonly source: string };
}

/** Check era ids against the known ones; a UsageError naming `where` lists them. */
function checkKernels(ids: readonly string[], where: string): void {
  const unknown = ids.find((k) => k !== "all" && !KERNEL_ERA_IDS.includes(k));
  if (unknown !== undefined) throw new UsageError(`${where}: ${unknownEraMessage(unknown)} (or all)`);
}

/**
 * The bench's kernel-era axis: `--kernels` (a list, or `all`), else `--kernel ID` (every policy
 * at ID), else `PINLAB_KERNEL`, else the config's `kernels:`; undefined = each policy at its own
 * era. `--kernels` with `--kernel` is a UsageError, as is an unknown id (naming where it came from).
 */
export function kernelsOption(src: KernelSources): string[] | "all" | undefined {
  if (src.kernels !== undefined && src.kernel !== undefined) throw new UsageError("--kernels and --kernel are exclusive: --kernel ID runs every policy at ID, --kernels a,b at each of a and b");
  const l = listOption(src.kernels, "--kernels", "kernel era ids or all");
  if (l !== undefined) {
    checkKernels(l, "--kernels");
    return l.includes("all") ? "all" : l;
  }
  if (src.kernel !== undefined) {
    if (src.kernel.trim() === "all") throw new UsageError("--kernel takes one era id; --kernels all runs every era");
    checkKernels([src.kernel.trim()], "--kernel");
    return [src.kernel.trim()];
  }
  if (src.env !== undefined && src.env.trim() !== "") {
    checkKernels([src.env.trim()], "PINLAB_KERNEL");
    return [src.env.trim()];
  }
  if (src.config !== undefined) {
    if (src.config.kernels === "all") return "all";
    checkKernels(src.config.kernels, `${src.config.source}: kernels`);
    return [...src.config.kernels];
  }
  return undefined;
}

/** `--workers N`: a whole number from 1 to 256 (`flag` names the option in the error, e.g. `--workers-list`). */
export function parseWorkers(value: string | undefined, fallback: number, flag = "--workers"): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 256) throw new UsageError(`${flag} must be a whole number from 1 to 256, got "${value}"`);
  return Number(value);
}

/** `--size`. */
export function parseSize(value: string | undefined): SizeName {
  const v = value ?? "small";
  if (!(SIZE_NAMES as readonly string[]).includes(v)) throw new UsageError(`--size must be one of ${SIZE_NAMES.join(", ")}, got "${v}"`);
  return v as SizeName;
}

/** `--shard K/N`. */
export function shardOption(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  try {
    return parseShard(value);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** `--seed N` (default 1). */
export function seedOption(value: string | undefined): number {
  return parseSeed(value) ?? 1;
}

/** `--seeds N` (default 1): a whole number from 1 to MAX_SEEDS. */
export function seedsOption(value: string | undefined): number {
  if (value === undefined) return 1;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > MAX_SEEDS) throw new UsageError(`--seeds must be a whole number from 1 to ${MAX_SEEDS}, got "${value}"`);
  return Number(value);
}

/**
 * `--sweep TARGET.KEY=v1,v2,...` (repeatable): the shape only (see `parseSweepFlag`); whether
 * TARGET is a workload or a policy and whether the values fit is checked when the bench is planned.
 */
export function parseSweeps(values: readonly string[] | undefined): SweepRequest[] {
  return (values ?? []).map((v) => {
    try {
      return parseSweepFlag(v);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  });
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    if (text.includes(",")) return text.split(",").map((x) => parseValue(x.trim()));
    return text;
  }
}

/** `WORKLOAD.KEY=VALUE`: a workload id, a parameter name, its value. */
const PARAM_ASSIGNMENT = new RegExp(`^(${PLUGIN_ID_PATTERN})\\.([A-Za-z][A-Za-z0-9]*)=(.*)$`);

/**
 * `--param WORKLOAD.KEY=VALUE` (repeatable): parameter overrides by workload. VALUE is JSON when
 * it parses (`64`, `true`, `[1,1024]`), a comma-separated list (`1,1024`), or else a string
 * (`64MiB`).
 */
export function parseParams(values: readonly string[] | undefined): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const v of values ?? []) {
    const m = PARAM_ASSIGNMENT.exec(v);
    if (m === null) throw new UsageError(`--param must look like WORKLOAD.KEY=VALUE (e.g. gup-throughput.memory=64MiB), got "${v}"`);
    (out[m[1]] ??= {})[m[2]] = parseValue(m[3]);
  }
  return out;
}

/**
 * `--out DIR`, checked before anything runs: DIR must be a writable directory, or not exist and
 * be creatable (its nearest existing ancestor a writable directory; the report writer creates
 * it). Returns the absolute path; throws UsageError naming `--out`.
 */
export function outDirOption(value: string | undefined, io: CliIo): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === "") throw new UsageError("--out is empty: give the directory to write the reports to");
  const dir = resolve(io.cwd, value);
  let existing = dir;
  while (!existsSync(existing)) existing = dirname(existing);
  const why = existing === dir ? `${dir} exists` : `cannot create ${dir}: ${existing} exists`;
  if (!statSync(existing).isDirectory()) throw new UsageError(`--out ${value}: ${why} and is not a directory`);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${value}: ${why} and is not writable`);
  }
  return dir;
}

/** `--tolerance`: a fraction (0.1) or a percentage (10%). */
export function parseTolerance(value: string | undefined): number {
  if (value === undefined) return 0.1;
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  if (m === null) throw new UsageError(`--tolerance must be a fraction such as 0.1 or a percentage such as 10%, got "${value}"`);
  return m[2] === "%" ? Number(m[1]) / 100 : Number(m[1]);
}
