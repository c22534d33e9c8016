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
import { ADDR_PATTERN } from "../sim/field-schemas.js";
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
}

/** Most bytes of scenario text pinlab reads (16 MiB). */
export const MAX_SCENARIO_BYTES = 16 * 1024 * 1024;

/** What a name bound by `as` (or a declaration) refers to. */
type NameKind = "address" | "handle" | "device" | "value";

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
  const steps: Step[] = [];
  rawSteps.forEach((raw, i) => {
    const s = validateStep(raw, i, file, map, header, plugins, problems);
    if (s !== undefined) steps.push(s);
  });
  if (problems.length === 0) checkNames(header, steps, file, map, plugins, problems);
  if (problems.length > 0) throw new ScenarioError(problems);
  return { file, header, steps, map };
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
  raw: unknown, i: number, file: string, map: SourceMap, header: Omit<ScenarioHeader, "steps">, plugins: PluginView, problems: ScenarioProblem[],
): Step | undefined {
  const base = ["steps", i];
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    problems.push({ file, pos: map.pos(base), step: i, message: "expected a step: a map with an op" });
    return undefined;
  }
  const opValue = (raw as Record<string, unknown>).op;
  if (opValue === undefined) {
    problems.push({ file, pos: map.pos(base), step: i, field: "op", message: `missing field "op"; expected one of: ${OPS.join(", ")}` });
    return undefined;
  }
  if (typeof opValue !== "string" || !(OPS as string[]).includes(opValue)) {
    problems.push({ file, pos: map.pos([...base, "op"]), step: i, field: "op", message: `unknown op ${JSON.stringify(opValue)}; expected one of: ${OPS.join(", ")}` });
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

/** Check that every name is defined (declared, or bound by an earlier step) before it is used. */
function checkNames(header: Omit<ScenarioHeader, "steps">, steps: readonly Step[], file: string, map: SourceMap, plugins: PluginView, problems: ScenarioProblem[]): void {
  const procs = new Set(header.processes.map((p) => (typeof p === "string" ? p : p.name)));
  const files = new Set(header.files.map((f) => f.name));
  const fileSystems = new Map(header.files.map((f) => [f.name, f.fs]));
  const devices = new Map(header.devices.map((d) => [d.name, d.kind]));
  const bound = new Map<string, NameKind>();
  const boundBy = new Map<string, string>(); // a device result's name -> the device that made it
  steps.forEach((step, i) => {
    const at = (path: PropertyKey[], field: string, message: string) =>
      problems.push({ file, pos: map.pos(["steps", i, ...path]), step: i, op: step.op, field, message });
    const needProc = (name: string | undefined, path: PropertyKey[]) => {
      if (name !== undefined && !procs.has(name)) at(path, path.join("."), `unknown process "${name}"; known here: ${[...procs].join(", ") || "(none)"}`);
    };
    const needFile = (name: string | undefined, path: PropertyKey[]) => {
      if (name !== undefined && !files.has(name)) at(path, path.join("."), `unknown file "${name}"; declared files: ${[...files].join(", ") || "(none)"}`);
    };
    const needAddr = (v: unknown, path: PropertyKey[]) => {
      if (typeof v !== "string") return;
      const name = ADDR_PATTERN.exec(v)?.[1];
      if (name === undefined) return;
      const kind = bound.get(name);
      if (kind === undefined) at(path, path.join("."), `"${name}" is used before it is defined (bind it with "as" on an earlier mmap)`);
      else if (kind !== "address") at(path, path.join("."), `"${name}" names a ${kind === "handle" ? "gup handle" : kind === "device" ? "device result" : "step result"}, not an address`);
    };
    const needHandle = (name: string, path: PropertyKey[], allowDevice: boolean) => {
      const kind = bound.get(name);
      if (kind === undefined) at(path, path.join("."), `"${name}" is used before it is defined (bind it with "as" on an earlier ${allowDevice ? "gup or device" : "gup"} step)`);
      else if (kind !== "handle" && !(allowDevice && kind === "device")) at(path, path.join("."), `"${name}" does not name a ${allowDevice ? "gup handle or device region" : "gup handle"}`);
    };
    // A device step's `region` / `io` is looked up in that device's own table: only a name a device action bound will do.
    const needDeviceName = (name: string, path: PropertyKey[], device: string) => {
      const kind = bound.get(name);
      if (kind === undefined) at(path, path.join("."), `"${name}" is used before it is defined (bind it with "as" on an earlier device step)`);
      else if (kind !== "device") at(path, path.join("."), `"${name}" names a ${kind === "handle" ? "gup handle" : kind === "address" ? "mapping address" : "step result"}, not a device region (a name bound by "as" on a device step, e.g. reg_mr)`);
      else if (boundBy.get(name) !== device) at(path, path.join("."), `"${name}" was made by device "${boundBy.get(name)}", not by "${device}": a device looks names up in its own table`);
    };
    const checkExpect = (e: NonNullable<Step["expect"]>, path: PropertyKey[]) => {
      const pages = e.page === undefined ? [] : Array.isArray(e.page) ? e.page : [e.page];
      pages.forEach((p, j) => {
        const pp = Array.isArray(e.page) ? [...path, "page", j] : [...path, "page"];
        needProc(p.proc, [...pp, "proc"]);
        needAddr(p.addr, [...pp, "addr"]);
        const sf = p.same_frame_as;
        if (sf !== undefined && "proc" in sf) {
          needProc(sf.proc, [...pp, "same_frame_as", "proc"]);
          needAddr(sf.addr, [...pp, "same_frame_as", "addr"]);
        } else if (sf !== undefined) {
          needHandle(sf.region, [...pp, "same_frame_as", "region"], true);
        }
      });
      (e.data === undefined ? [] : Array.isArray(e.data) ? e.data : [e.data]).forEach((d, j) => {
        const dp = Array.isArray(e.data) ? [...path, "data", j] : [...path, "data"];
        needProc(d.proc, [...dp, "proc"]);
        needAddr(d.addr, [...dp, "addr"]);
      });
      (e.file_data === undefined ? [] : Array.isArray(e.file_data) ? e.file_data : [e.file_data]).forEach((fd, j) => {
        const fp = Array.isArray(e.file_data) ? [...path, "file_data", j] : [...path, "file_data"];
        needFile(fd.file, [...fp, "file"]);
        const fs = fileSystems.get(fd.file);
        if (fd.from === "disk" && (fs === "shmem" || fs === "hugetlbfs")) {
          at([...fp, "from"], [...fp, "from"].join("."), `"${fd.file}" is a ${fs} file: it has no backing store to read (from: disk reads what writeback stored, on ext4 or fsdax)`);
        }
      });
      for (const [c, v] of [["pinned_vm", e.counters?.pinned_vm], ["locked_vm", e.counters?.locked_vm]] as const) if (v !== undefined && "proc" in v) needProc(v.proc, [...path, "counters", c, "proc"]);
      if (e.file_pins !== undefined) needProc(e.file_pins.proc, [...path, "file_pins", "proc"]);
      if (e.device_counters !== undefined && !devices.has(e.device_counters.device)) {
        at([...path, "device_counters", "device"], "device_counters.device", `unknown device "${e.device_counters.device}"; declared devices: ${[...devices.keys()].join(", ") || "(none)"}`);
      }
    };
    // Fields read by the step.
    const s = step as Record<string, unknown>;
    if (typeof s.proc === "string") needProc(s.proc, ["proc"]);
    if (typeof s.file === "string") needFile(s.file, ["file"]);
    for (const key of ["addr", "after", "new_addr"]) if (s[key] !== undefined) needAddr(s[key], [key]);
    if (step.op === "release" || step.op === "peek" || step.op === "poke") needHandle(step.handle, ["handle"], false);
    if (step.op === "gup" && step.owner !== undefined && "mm" in step.owner) needProc(step.owner.mm, ["owner", "mm"]);
    // A holder is a declared device or a gup handle bound earlier (the oracle's holder names).
    if (step.op === "dump" && step.holder !== undefined && !devices.has(step.holder) && bound.get(step.holder) !== "handle") {
      at(["holder"], "holder", `"${step.holder}" names no holder: give a declared device (${[...devices.keys()].join(", ") || "none declared"}) or a gup handle bound by "as" on an earlier gup step`);
    }
    if (step.op === "device") {
      for (const key of ["region", "io"]) if (typeof s[key] === "string") needDeviceName(s[key] as string, [key], step.device);
      void plugins;
    }
    // Expectations are checked after the step: names it binds are visible to them.
    if (step.op === "fork") {
      // A process name is given once: declared, or made by one fork.
      if (procs.has(step.child)) at(["child"], "child", `a process named "${step.child}" already exists (declared or forked earlier); give the child a new name`);
      procs.add(step.child);
    }
    if (step.as !== undefined) {
      bound.set(step.as, step.op === "mmap" || step.op === "mremap" ? "address" : step.op === "gup" ? "handle" : step.op === "device" ? "device" : "value");
      if (step.op === "device") boundBy.set(step.as, step.device);
      else boundBy.delete(step.as);
    }
    if (step.expect !== undefined) checkExpect(step.expect, ["expect"]);
    for (const [pol, e] of Object.entries(step.expect_by_policy ?? {})) checkExpect(e, ["expect_by_policy", pol]);
  });
}
