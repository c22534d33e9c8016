/**
 * Device steps and device options, generated from a plugin's schemas ({@link FieldInfo}): a
 * process and an address from one mapping, sizes that fit it, names the device bound earlier,
 * enums and flags drawn from their lists. An action that creates something gets an `as:` name.
 * @module
 */
import { formatSize } from "@pinlab/core";
import type { FieldInfo } from "./field-kinds.js";
import { PAGE, type GenMapping, type GenState, type RawStep } from "./gen-state.js";
import type { FuzzAction, FuzzDevice } from "./targets.js";

const TIMES = ["0ns", "1us", "10us", "50us", "1ms"];

/** A value for `f` (undefined: leave the field out, or no value can be made). */
function fieldValue(g: GenState, f: FieldInfo, at: { m?: GenMapping; range?: { addr: string; length: number } }, deviceNames: readonly string[]): unknown {
  const t = f.type;
  switch (t.kind) {
    case "proc": return at.m !== undefined ? g.procFor(at.m) : g.rng.pick(g.procs);
    case "file": return g.files.size > 0 ? g.rng.pick([...g.files.keys()]) : undefined;
    case "addr": return at.range?.addr;
    case "size":
      if (f.name === "length" && at.range !== undefined) return formatSize(at.range.length);
      return formatSize(g.rng.chance(0.6) ? 0 : g.rng.pick([512, PAGE, 2 * PAGE, 8 * PAGE, 100]));
    case "time": return g.rng.pick(TIMES);
    // A name the device bound earlier (the loader refuses one never bound).
    case "name": return deviceNames.length > 0 ? g.rng.pick(deviceNames) : undefined;
    case "text": return g.data();
    case "bool": return g.rng.chance(0.5);
    case "enum": return g.rng.pick(t.options);
    case "enumList": return g.rng.some(t.options, 0.4);
    case "int": return g.rng.pick(t.candidates);
    case "unknown": return undefined;
  }
}

/** The fields of a call of `action` (undefined when a required field cannot be made). */
export function actionFieldsFor(g: GenState, action: FuzzAction, deviceNames: readonly string[]): Record<string, unknown> | undefined {
  const needsRange = action.fields.some((f) => f.type.kind === "addr");
  const m = needsRange || action.fields.some((f) => f.type.kind === "proc") ? g.mapping() : undefined;
  if (needsRange && m === undefined) return undefined;
  const at = { ...(m !== undefined ? { m, range: g.range(m, 256) } : {}) };
  const out: Record<string, unknown> = {};
  for (const f of action.fields) {
    if (f.optional && !g.rng.chance(0.5)) continue;
    const v = fieldValue(g, f, at, deviceNames);
    if (v === undefined) {
      if (!f.optional) return undefined;
      continue;
    }
    out[f.name] = v;
  }
  return out;
}

/** A `device` step for the attached device `d.name` (undefined when no action can be written now). */
export function deviceStep(g: GenState, d: { name: string; device: FuzzDevice }): RawStep | undefined {
  const names = g.deviceNames.get(d.name) ?? [];
  const creators = d.device.actions.filter((a) => a.creates && a.releases === undefined);
  const others = d.device.actions.filter((a) => !creators.includes(a));
  const pool = names.length === 0 || others.length === 0 || (creators.length > 0 && g.rng.chance(0.35)) ? creators : others;
  if (pool.length === 0) return undefined;
  const action = g.rng.pick(pool);
  const fields = actionFieldsFor(g, action, names);
  if (fields === undefined) return undefined;
  const step: RawStep = { op: "device", device: d.name, action: action.name, ...fields };
  if (action.creates && action.releases === undefined) {
    const as = g.fresh(`${d.name}_`);
    step.as = as;
    g.deviceNames.set(d.name, [...names, as]);
  }
  return step;
}

/** Options for a device of kind `d`: each option given a value half of the time. */
export function deviceOptions(g: GenState, d: FuzzDevice): Record<string, unknown> {
  return optionValues(g, d.options);
}

/** Values for options (a device's, a policy's): each one given a value half of the time. */
export function optionValues(g: GenState, fields: readonly FieldInfo[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.optional && !g.rng.chance(0.5)) continue;
    const v = f.type.kind === "size" ? g.rng.pick([512, PAGE]) : fieldValue(g, f, {}, []);
    if (v !== undefined) out[f.name] = v;
  }
  return out;
}
