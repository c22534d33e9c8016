/**
 * What kind of value a field of a device action (or of a plugin's options) takes, read from its
 * zod schema: so the fuzzer generates every registered device's actions, a plugin's included,
 * from its `meta` alone. Enums, lists of enums and booleans are read from the schema's shape;
 * references, sizes, times and names by what the schema makes of a probe value (`p1` parses to a
 * process reference under `actionFields.proc`, to an address reference under `actionFields.addr`).
 * @module
 */
import { ActionRef } from "@pinlab/core";
import type { z } from "zod";

/** A field's kind, as the generator needs it. */
export type FieldKind =
  | { readonly kind: "proc" | "file" | "addr" | "size" | "time" | "name" | "text" | "bool" }
  | { readonly kind: "enum" | "enumList"; readonly options: readonly string[] }
  | { readonly kind: "int"; readonly candidates: readonly number[] }
  | { readonly kind: "unknown" };

/** A field of an object schema: its name, kind and whether a call may leave it out. */
export interface FieldInfo {
  /** The field's name. */
  readonly name: string;
  /** What it takes. */
  readonly type: FieldKind;
  /** True when the field is optional or has a default. */
  readonly optional: boolean;
}

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly entries?: Record<string, string | number>;
  readonly shape?: Record<string, z.ZodType>;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch"]);

function unwrap(s: z.ZodType): { inner: z.ZodType; optional: boolean } {
  let optional = false;
  let cur = s;
  for (let d = defOf(cur); WRAPPERS.has(d.type) && d.innerType !== undefined; d = defOf(cur)) {
    if (d.type !== "nullable" && d.type !== "readonly") optional = true;
    cur = d.innerType;
  }
  return { inner: cur, optional };
}

const INT_CANDIDATES = [0, 1, 2, 3, 8, 64, 512, 4096];

function probe(s: z.ZodType, value: unknown): { ok: true; out: unknown } | { ok: false } {
  const r = s.safeParse(value);
  return r.success ? { ok: true, out: r.data } : { ok: false };
}

/** The kind of one (unwrapped) field schema. */
export function fieldKind(schema: z.ZodType): FieldKind {
  const s = unwrap(schema).inner;
  const d = defOf(s);
  if (d.type === "enum" && d.entries !== undefined) return { kind: "enum", options: Object.values(d.entries).map(String) };
  if (d.type === "boolean") return { kind: "bool" };
  if (d.type === "array" && d.element !== undefined) {
    const el = fieldKind(d.element);
    return el.kind === "enum" ? { kind: "enumList", options: el.options } : { kind: "unknown" };
  }
  if (d.type === "number") {
    const candidates = INT_CANDIDATES.filter((n) => probe(s, n).ok);
    return candidates.length > 0 ? { kind: "int", candidates } : { kind: "unknown" };
  }
  const name = probe(s, "p1");
  if (name.ok && ActionRef.is(name.out)) return { kind: name.out.kind };
  if (name.ok && typeof name.out === "string") return probe(s, "a b!").ok ? { kind: "text" } : { kind: "name" };
  if (probe(s, "4KiB").ok) return { kind: "size" };
  if (probe(s, "50us").ok) return { kind: "time" };
  return { kind: "unknown" };
}

/** The fields of an object schema (a device action's `fields`, a plugin's `options`); empty for anything else. */
export function objectFields(schema: z.ZodType): FieldInfo[] {
  const d = defOf(unwrap(schema).inner);
  if (d.type !== "object" || d.shape === undefined) return [];
  return Object.entries(d.shape).map(([name, s]) => ({ name, type: fieldKind(s), optional: unwrap(s).optional }));
}
