/**
 * Reading a scenario: parse YAML or JSON with a safe schema (no tags, bounded aliases), validate
 * the top level and every step against its op's schema, validate device actions against their
 * plugin's schema, and check names are defined before they are used. Every problem names the
 * file, line:column, step and field. Nothing here runs the scenario. A valid scenario is read
 * once, without positions (parse-text.ts); a problem found is reported from a second, positioned
 * read, so the messages are the same either way.
 * @module
 */
import { z } from "zod";
import { commonStepFields, OPS, splitDeviceStep, STEP_SCHEMAS, type Op, type Step } from "./schema/steps.js";
import { scenarioSchema, type ScenarioHeader } from "./schema/scenario.js";
import { ScenarioError, type ScenarioProblem } from "./scenario-error.js";
import { SourceMap } from "./source-map.js";
import { plainParse, positionedDocument, positionedParse } from "./parse-text.js";
import type { PluginView } from "./registry-view.js";
import { issuesToProblems } from "./zod-issues.js";
import { mmapStepProblems } from "./mmap-step-rules.js";
import { mremapStepProblems } from "./mremap-step-rules.js";
import { ConfigError, parseKernelConfig } from "../config/kernel-config.js";
import { machineConfig } from "./machine-config.js";
import { checkNames } from "./check-names.js";
import { concurrentBlocks, fieldIn, flattenSteps, nestedSteps, type ConcurrentBlock, type NestedAt, type SourcePath } from "./concurrent-block.js";
import { CONCURRENT_OP } from "./schema/concurrent.js";

/** A scenario read and validated, ready to run. */
export interface LoadedScenario {
  /** The file name it was read from (for messages). */
  readonly file: string;
  /** The validated top level. */
  readonly header: Omit<ScenarioHeader, "steps">;
  /** The validated steps. */
  readonly steps: readonly Step[];
  /** Source positions, for runtime messages. */
  readonly map: SourceMap;
  /**
   * (issue 21) The source path of each step (`["steps", 3]`, or `["steps", 3, "threads", "a", 1]`
   * for a step of a concurrent block): positions of messages about step N are looked up at
   * `paths[N]`. Absent: `["steps", N]`.
   */
  readonly paths?: readonly SourcePath[];
  /** (issue 21) The concurrent blocks, flattened into `steps` (none: no block). */
  readonly blocks?: readonly ConcurrentBlock[];
  /**
   * (issue 21) Per step, where it runs when its block's `order` puts it at a preemption point of
   * another step of the block: that step's index and the point (it then runs inside that step,
   * and is numbered after it). Undefined for a step that runs on its own. Absent: none does.
   */
  readonly nested?: readonly (NestedAt | undefined)[];
}


/** (issue 21) The source path of step `index` of a loaded scenario (see {@link LoadedScenario.paths}). */
export function stepPath(loaded: Pick<LoadedScenario, "paths">, index: number): SourcePath {
  return loaded.paths?.[index] ?? ["steps", index];
}

/** Most bytes of scenario text pinlab reads (16 MiB). */
export const MAX_SCENARIO_BYTES = 16 * 1024 * 1024;

/**
 * Parse and validate scenario text. Throws {@link ScenarioError} with every problem found.
 * `plugins` tells which policies and device kinds exist (and the device action schemas).
 */
export function loadScenario(text: string, file: string, plugins: PluginView): LoadedScenario {
  if (text.length > MAX_SCENARIO_BYTES) throw new ScenarioError([{ file, message: `the file is larger than ${MAX_SCENARIO_BYTES} bytes` }]);
  const plain = plainParse(text, file);
  if (plain !== undefined) {
    // Positions are needed only to report a problem: on one, read again with them and report.
    try {
      return validateScenario(plain, file, new SourceMap(() => positionedDocument(text)), plugins);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
    }
  }
  const { data, map } = positionedParse(text, file);
  return validateScenario(data, file, map, plugins);
}

/** Validate read data (see {@link loadScenario}). Throws {@link ScenarioError} with every problem found. */
function validateScenario(data: unknown, file: string, map: SourceMap, plugins: PluginView): LoadedScenario {
  const problems: ScenarioProblem[] = [];
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ScenarioError([{ file, pos: map.pos([]), message: "expected a map at the top level (name, machine, steps, ...)" }]);
  }
  const top = scenarioSchema.safeParse(data);
  if (!top.success) throw new ScenarioError(issuesToProblems(top.error.issues, { file, map, base: [], schema: scenarioSchema, value: data }));
  const { steps: rawSteps, ...header } = top.data;
  checkHeader(header, file, map, plugins, problems);
  // (issue 21) A concurrent block's steps run where the block stands, in its order, each numbered where it runs.
  const flat = flattenSteps(rawSteps, file, map, problems);
  const steps: Step[] = [];
  flat.raw.forEach((raw, i) => {
    const own: ScenarioProblem[] = [];
    const s = validateStep(raw, i, flat.paths[i], file, map, header, plugins, own);
    problems.push(...own.map((p) => ({ ...p, field: fieldIn(flat.paths[i], p.field) })));
    if (s !== undefined) steps.push(s);
  });
  if (problems.length === 0) checkNames(header, steps, flat, file, map, plugins, problems);
  if (problems.length > 0) throw new ScenarioError(problems);
  const blocks = concurrentBlocks(flat.blocks, steps, flat.paths);
  const nested = nestedSteps(blocks, steps);
  return { file, header, steps, map, paths: flat.paths, blocks, ...(nested !== undefined ? { nested } : {}) };
}

function checkHeader(header: Omit<ScenarioHeader, "steps">, file: string, map: SourceMap, plugins: PluginView, problems: ScenarioProblem[]): void {
  try {
    parseKernelConfig({ machine: machineConfig(header.machine) });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const issue of e.issues) {
      const field = issue.split(":")[0].replace(/^machine\./, "");
      problems.push({ file, pos: map.pos(["machine", field]), field: `machine.${field}`, message: issue.slice(issue.indexOf(":") + 1).trim() });
    }
  }
  const dup = (what: string, names: string[], path: string) => {
    const seen = new Set<string>();
    names.forEach((n, i) => {
      if (seen.has(n)) problems.push({ file, pos: map.pos([path, i]), field: `${path}[${i}]`, message: `duplicate ${what} name "${n}"` });
      seen.add(n);
    });
  };
  dup("file", header.files.map((f) => f.name), "files");
  dup("device", header.devices.map((d) => d.name), "devices");
  dup("process", header.processes.map((p) => (typeof p === "string" ? p : p.name)), "processes");
  header.devices.forEach((d, i) => {
    const desc = plugins.devices.get(d.kind);
    if (desc === undefined) {
      problems.push({ file, pos: map.pos(["devices", i, "kind"]), field: `devices[${i}].kind`, message: `unknown device kind "${d.kind}"; registered kinds: ${[...plugins.devices.keys()].sort().join(", ") || "(none)"}` });
      return;
    }
    const opts = desc.meta.options.safeParse(d.options ?? {});
    if (!opts.success) {
      problems.push(...issuesToProblems(opts.error.issues, { file, map, base: ["devices", i, "options"], schema: desc.meta.options, value: d.options ?? {} })
        .map((p) => ({ ...p, field: `devices[${i}].options${p.field !== undefined && p.field !== "" ? `.${p.field}` : ""}` })));
    }
  });
  const policies = header.policy === undefined ? [] : Array.isArray(header.policy) ? header.policy : [header.policy];
  policies.forEach((p, i) => {
    if (p === "all") return;
    if (!plugins.policies.has(p)) {
      problems.push({ file, pos: map.pos(Array.isArray(header.policy) ? ["policy", i] : ["policy"]), field: "policy", message: `unknown policy "${p}"; registered policies: ${[...plugins.policies.keys()].sort().join(", ")} (or all)` });
    }
  });
  for (const [id, opts] of Object.entries(header.policy_options ?? {})) {
    const desc = plugins.policies.get(id);
    if (desc === undefined) {
      problems.push({ file, pos: map.pos(["policy_options", id]), field: `policy_options.${id}`, message: `unknown policy "${id}"; registered policies: ${[...plugins.policies.keys()].sort().join(", ")}` });
      continue;
    }
    const r = desc.meta.options.safeParse(opts);
    if (!r.success) {
      problems.push(...issuesToProblems(r.error.issues, { file, map, base: ["policy_options", id], schema: desc.meta.options, value: opts })
        .map((p) => ({ ...p, field: `policy_options.${id}${p.field !== undefined && p.field !== "" ? `.${p.field}` : ""}` })));
    }
  }
}

function validateStep(
  raw: unknown, i: number, base: SourcePath, file: string, map: SourceMap, header: Omit<ScenarioHeader, "steps">, plugins: PluginView, problems: ScenarioProblem[],
): Step | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    problems.push({ file, pos: map.pos(base), step: i, message: "expected a step: a map with an op" });
    return undefined;
  }
  const opValue = (raw as Record<string, unknown>).op;
  if (opValue === undefined) {
    problems.push({ file, pos: map.pos(base), step: i, field: "op", message: `missing field "op"; expected one of: ${[...OPS, CONCURRENT_OP].join(", ")}` });
    return undefined;
  }
  if (typeof opValue !== "string" || !(OPS as string[]).includes(opValue)) {
    problems.push({ file, pos: map.pos([...base, "op"]), step: i, field: "op", message: `unknown op ${JSON.stringify(opValue)}; expected one of: ${[...OPS, CONCURRENT_OP].join(", ")}` });
    return undefined;
  }
  const op = opValue as Op;
  let schema: z.ZodType = STEP_SCHEMAS[op];
  if (op === "device") {
    const dv = raw as Record<string, unknown>;
    const decl = header.devices.find((d) => d.name === dv.device);
    if (typeof dv.device !== "string" || decl === undefined) {
      problems.push({
        file, pos: map.pos([...base, "device"]), step: i, op, field: "device",
        message: dv.device === undefined ? `missing field "device"; expected one of the declared devices: ${header.devices.map((d) => d.name).join(", ") || "(none declared)"}` : `unknown device ${JSON.stringify(dv.device)}; declared devices: ${header.devices.map((d) => d.name).join(", ") || "(none)"}`,
      });
      return undefined;
    }
    const desc = plugins.devices.get(decl.kind);
    if (desc === undefined) return undefined; // reported on the declaration
    const actions = Object.keys(desc.meta.actions);
    const spec = typeof dv.action === "string" ? desc.meta.actions[dv.action] : undefined;
    if (spec === undefined) {
      problems.push({
        file, pos: map.pos([...base, dv.action === undefined ? "device" : "action"]), step: i, op, field: "action",
        message: `${dv.action === undefined ? "missing field \"action\"" : `unknown action ${JSON.stringify(dv.action)} for ${decl.kind} device "${decl.name}"`}; expected one of: ${actions.join(", ")}`,
      });
      return undefined;
    }
    schema = spec.fields.extend({ op: z.literal("device"), device: z.string(), action: z.string(), ...commonStepFields }).strict();
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    problems.push(...issuesToProblems(r.error.issues, { file, map, base, step: i, op, schema, value: raw }));
    return undefined;
  }
  // A device step keeps its action's fields as written (the device parses and resolves them when it runs).
  const step = (op === "device" ? { ...(raw as object), ...splitDeviceStep(r.data as object).own } : r.data) as Step;
  if (step.op === "mmap") for (const p of mmapStepProblems(step)) problems.push({ file, pos: map.pos([...base, p.at]), step: i, op, field: p.field, message: p.message });
  if (step.op === "mremap") for (const p of mremapStepProblems(step)) problems.push({ file, pos: map.pos([...base, p.at]), step: i, op, field: p.field, message: p.message });
  for (const pol of Object.keys(step.expect_by_policy ?? {})) {
    if (!plugins.policies.has(pol)) {
      problems.push({ file, pos: map.pos([...base, "expect_by_policy", pol]), step: i, op, field: `expect_by_policy.${pol}`, message: `unknown policy "${pol}"; registered policies: ${[...plugins.policies.keys()].sort().join(", ")}` });
    }
  }
  return step;
}
