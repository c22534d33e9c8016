/**
 * The pinlab config file (`pinlab.config.yaml` / `.yml` / `.json`): which policy to use by
 * default, which kernel era, policy options, and plugins to load from paths. Looked up in the
 * working directory, or given with `--config`. `PINLAB_POLICY` overrides its policy; `--policy`
 * overrides both. Its `kernel` yields to `--kernel`, `PINLAB_KERNEL` and a scenario's `machine.kernel`.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { eraIdSchema, formatZodIssues } from "@pinlab/core";
import { z } from "zod";
import { UsageError } from "../io.js";
import { inputFileProblem } from "../read-input-file.js";

/** Schema of the config file. */
export const pinlabConfigSchema = z
  .object({
    policy: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional().meta({ description: "default policy (or list, or all) for runs that name none" }),
    kernel: eraIdSchema.optional().meta({ description: "kernel era for runs whose scenario names none (default: each policy's own era)" }),
    policyOptions: z.record(z.string(), z.record(z.string(), z.unknown())).optional().meta({ description: "options per policy id" }),
    plugins: z.array(z.string().min(1)).optional().meta({ description: "paths of plugin modules (policies or devices) to load" }),
    kernels: z.union([z.literal("all"), z.array(z.string().min(1)).min(1)]).optional()
      .meta({ description: "kernel eras the bench runs every policy at (all, or a list of era ids); absent: each policy at its own era" }),
  })
  .strict();

/** A loaded config, with plugin paths made absolute. */
export interface PinlabConfig {
  /** Default policy or policies. */
  readonly policy?: string | readonly string[];
  /** Kernel era for runs whose scenario names none (absent: each policy's default era). */
  readonly kernel?: string;
  /** Options per policy id. */
  readonly policyOptions: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Absolute plugin paths. */
  readonly plugins: readonly string[];
  /** The bench's kernel-era axis (`--kernels` overrides it); absent: each policy at its own era. */
  readonly kernels?: readonly string[] | "all";
  /** The file it came from, if any. */
  readonly source?: string;
}

/** The names a config file has when it is looked up in a directory (the first found wins). */
export const CONFIG_FILE_NAMES: readonly string[] = ["pinlab.config.yaml", "pinlab.config.yml", "pinlab.config.json"];

/** Load the config from `path`, or from the working directory's default file, or return an empty config. */
export function loadPinlabConfig(cwd: string, path?: string): PinlabConfig {
  const file = path !== undefined ? resolve(cwd, path) : CONFIG_FILE_NAMES.map((n) => resolve(cwd, n)).find((p) => existsSync(p));
  if (file === undefined) return { policyOptions: {}, plugins: [] };
  if (!existsSync(file)) throw new UsageError(`config file ${file} does not exist`);
  const unreadable = inputFileProblem(file);
  if (unreadable !== undefined) throw new UsageError(`config file ${file} ${unreadable}`);
  let data: unknown;
  try {
    data = parse(readFileSync(file, "utf8"), { schema: "core" });
  } catch (e) {
    throw new UsageError(`${file}: not valid YAML or JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  const r = pinlabConfigSchema.safeParse(data ?? {});
  if (!r.success) {
    throw new UsageError(`${file}: ${formatZodIssues(r.error.issues, { root: "(top)" }).join("; ")}`);
  }
  return {
    policy: r.data.policy,
    ...(r.data.kernel !== undefined ? { kernel: r.data.kernel } : {}),
    policyOptions: r.data.policyOptions ?? {},
    plugins: (r.data.plugins ?? []).map((p) => resolve(dirname(file), p)),
    ...(r.data.kernels !== undefined ? { kernels: r.data.kernels } : {}),
    source: file,
  };
}
