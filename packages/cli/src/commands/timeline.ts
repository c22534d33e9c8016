/**
 * `pinlab timeline FILE [--policy P] [--kernels a,b|all] [--format text|json]`: run a scenario
 * at every kernel era (or the given ones) under each of its policies and show where its hazards
 * and its steps' outcomes change, citing the commits; check its `history`. Exit 0 when every
 * `history` entry holds (or there is none), 1 when one fails, 2 for bad input.
 * @module
 */
import { KERNEL_ERAS, findEra, unknownEraMessage, type KernelEra } from "@pinlab/core";
import { EXIT, UsageError, type CliIo } from "../io.js";
import { style } from "../output/style.js";
import { computeTimeline } from "../timeline/compute-timeline.js";
import { renderTimeline } from "../timeline/render-timeline.js";
import { loadOneScenario, parseSeed, type CommonOptions } from "./shared.js";

/** Options of `pinlab timeline`. */
export interface TimelineCommandOptions extends CommonOptions {
  /** Policy name(s) or `all` (default: the scenario's, as for run). */
  readonly policy?: string;
  /** Comma-separated era ids, or `all` (default). */
  readonly kernels?: string;
  /** text or json. */
  readonly format?: string;
  /** Seed override. */
  readonly seed?: string;
}

/** The eras `--kernels` names, oldest first; every era for `all` or nothing. */
export function kernelsOption(value: string | undefined): readonly KernelEra[] {
  if (value === undefined || value.trim() === "all") return KERNEL_ERAS;
  const ids = value.split(",").map((x) => x.trim()).filter((x) => x !== "");
  if (ids.length === 0) throw new UsageError(`--kernels names no kernel era (got "${value}"): give era ids separated by commas, or all`);
  for (const id of ids) if (findEra(id) === undefined) throw new UsageError(`--kernels: ${unknownEraMessage(id)}`);
  return KERNEL_ERAS.filter((e) => ids.includes(e.id));
}

/** Run `pinlab timeline`. Returns the exit status. */
export async function timelineCommand(file: string, opts: TimelineCommandOptions, io: CliIo): Promise<number> {
  const format = opts.format ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, got "${format}"`);
  const seed = parseSeed(opts.seed);
  const eras = kernelsOption(opts.kernels);
  const one = await loadOneScenario("timeline", file, opts, io);
  if (typeof one === "number") return one;
  const { config, container, sc, policies } = one;
  const t = computeTimeline(sc, {
    base: { container, policyOptions: config.policyOptions, ...(seed !== undefined ? { seed } : {}) },
    policies, eras,
  });
  io.out(format === "json" ? `${JSON.stringify(t, null, 2)}\n` : renderTimeline(t, style(io.isTTY, io.env)));
  return t.policies.some((p) => p.history.some((h) => !h.pass)) ? EXIT.FAILED : EXIT.OK;
}
