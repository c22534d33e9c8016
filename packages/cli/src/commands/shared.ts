/**
 * What several commands share: loading config and plugins, reading and validating scenario
 * files, and the policy precedence (`--policy` > `PINLAB_POLICY` > the scenario's > the config's),
 * the same for the kernel era (`--kernel` > `PINLAB_KERNEL` > the scenario's `machine.kernel` >
 * the config's `kernel` > the policy's default era).
 * @module
 */
import { relative } from "node:path";
import type { DependencyContainer } from "tsyringe";
import { findEra, formatProblem, loadScenario, pluginView, resolvePolicies, ScenarioError, unknownEraMessage, type LoadedScenario, type ScenarioProblem } from "@pinlab/core";
import { checkConfigPlugins } from "../config/check-config-plugins.js";
import { loadPinlabConfig, type PinlabConfig } from "../config/pinlab-config.js";
import { EXIT, UsageError, type CliIo } from "../io.js";
import { pluginContainer } from "../plugins/load-plugins.js";
import { scenarioFilesOf, type SkippedFile } from "../scenario-files.js";
import { readInputFile } from "../read-input-file.js";

/** Options every scenario command takes. */
export interface CommonOptions {
  /** Config file path. */
  readonly config?: string;
  /** Extra plugin paths. */
  readonly plugin?: readonly string[];
}

/** The config and the plugin container for a command. */
export interface Setup {
  /** The config. */
  readonly config: PinlabConfig;
  /** Plugins registered. */
  readonly container: DependencyContainer;
}

/** Load config and plugins. */
export async function setUp(opts: CommonOptions, io: CliIo): Promise<Setup> {
  const config = loadPinlabConfig(io.cwd, opts.config);
  const container = await pluginContainer([...config.plugins, ...(opts.plugin ?? [])], io.cwd);
  checkConfigPlugins(config, container);
  return { config, container };
}

/**
 * Split `a,b` into a list of policy ids (one id stays a string); `undefined` stays undefined.
 * A value that names no policy (`""`, `","`) is a usage error naming `from` (the flag or variable).
 */
export function policyList(value: string | undefined, from = "--policy"): string | string[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (parts.length === 0) throw new UsageError(`${from} names no policy (got "${value}"): give a policy id, a comma-separated list, or all`);
  return parts.length === 1 ? parts[0] : parts;
}

/**
 * The policy override of a run: the flag, else PINLAB_POLICY (an empty PINLAB_POLICY counts as unset).
 * An id no plugin registers is a usage error naming where it came from (the flag or the variable),
 * not the scenario file it would have run.
 */
export function policyOverride(flag: string | undefined, io: CliIo, container: DependencyContainer): string | string[] | undefined {
  const env = io.env.PINLAB_POLICY;
  const from = flag !== undefined ? "--policy" : "PINLAB_POLICY";
  const value = policyList(flag) ?? (env === undefined || env === "" ? undefined : policyList(env, "PINLAB_POLICY"));
  if (value === undefined) return undefined;
  const known = [...pluginView(container).policies.keys()];
  for (const p of typeof value === "string" ? [value] : value) {
    if (p !== "all" && !known.includes(p)) throw new UsageError(`${from}: unknown policy "${p}"; registered policies: ${known.join(", ")} (or all)`);
  }
  return value;
}

/** An era id given by `from` (a flag or a variable): itself when it names an era, else a usage error listing the ids. */
export function eraOption(value: string | undefined, from: string): string | undefined {
  if (value === undefined) return undefined;
  if (findEra(value) === undefined) throw new UsageError(`${from}: ${unknownEraMessage(value)}`);
  return value;
}

/**
 * The kernel era override of a run: `--kernel`, else `PINLAB_KERNEL` (empty counts as unset);
 * both win over the scenario's `machine.kernel` (`RunOptions.kernel`). Unknown ids are usage errors.
 */
export function kernelOverride(flag: string | undefined, io: CliIo): string | undefined {
  const env = io.env.PINLAB_KERNEL;
  return eraOption(flag, "--kernel") ?? (env === undefined || env === "" ? undefined : eraOption(env, "PINLAB_KERNEL"));
}

/**
 * Read and validate scenario files; returns the loaded ones, or every problem found, and the files
 * of directory arguments skipped as no scenario (paths relative to the working directory).
 */
export function readScenarios(args: readonly string[], container: DependencyContainer, io: CliIo): { loaded: LoadedScenario[]; problems: ScenarioProblem[]; skipped: SkippedFile[] } {
  const { files, skipped: skippedFiles } = scenarioFilesOf(args, io.cwd);
  const skipped = skippedFiles.map((sk) => ({ ...sk, file: relative(io.cwd, sk.file) || sk.file }));
  const plugins = pluginView(container);
  const loaded: LoadedScenario[] = [];
  const problems: ScenarioProblem[] = [];
  for (const f of files) {
    const label = relative(io.cwd, f) || f;
    let text: string;
    try {
      text = readInputFile(f);
    } catch (e) {
      problems.push({ file: label, message: (e as Error).message });
      continue;
    }
    try {
      loaded.push(loadScenario(text, label, plugins));
    } catch (e) {
      if (e instanceof ScenarioError) problems.push(...e.problems);
      else throw e;
    }
  }
  return { loaded, problems, skipped };
}

/** Parse `--seed`. */
export function parseSeed(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`--seed must be an integer, got "${v}"`);
  return Number(v);
}

/** One scenario with its policies and the command's setup (see {@link loadOneScenario}). */
export interface OneScenario extends Setup {
  /** The scenario. */
  readonly sc: LoadedScenario;
  /** Its policies, resolved as `pinlab run` resolves them. */
  readonly policies: string[];
}

/**
 * For a command that takes exactly one scenario file (`pinlab timeline`, `pinlab explore`): load
 * config and plugins, read and validate `file`, and resolve its policies (`--policy` and
 * `PINLAB_POLICY` over the scenario's, then the config's). Returns the exit status after printing
 * the problems when the file or a policy is bad; throws UsageError for anything but one scenario.
 */
export async function loadOneScenario(command: string, file: string, opts: CommonOptions & { readonly policy?: string }, io: CliIo): Promise<OneScenario | number> {
  const setup = await setUp(opts, io);
  const policy = policyOverride(opts.policy, io, setup.container);
  const { loaded, problems } = readScenarios([file], setup.container, io);
  if (problems.length > 0) {
    io.err(`${problems.map(formatProblem).join("\n")}\n`);
    return EXIT.USAGE;
  }
  if (loaded.length !== 1) throw new UsageError(`pinlab ${command} takes one scenario file, got ${loaded.length} under ${file}`);
  const sc = loaded[0]!;
  try {
    return { ...setup, sc, policies: resolvePolicies(sc, pluginView(setup.container), { policy, defaultPolicy: setup.config.policy }) };
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    io.err(`${e.problems.map(formatProblem).join("\n")}\n`);
    return EXIT.USAGE;
  }
}

