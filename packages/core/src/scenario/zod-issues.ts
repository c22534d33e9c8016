/**
 * Turning zod issues into scenario problems that say, in plain words, what was wrong and what
 * was expected, at the right line and column.
 * @module
 */
import type { z } from "zod";
import type { ScenarioProblem } from "./scenario-error.js";
import { fieldPath } from "./scenario-error.js";
import type { SourceMap } from "./source-map.js";

/** Where the value being validated sits in the document, and how to label problems. */
export interface IssueContext {
  /** File name. */
  readonly file: string;
  /** Source positions. */
  readonly map: SourceMap;
  /** Path of the validated value in the document (e.g. `["steps", 3]`). */
  readonly base: readonly PropertyKey[];
  /** Step index and op, when validating a step. */
  readonly step?: number;
  /** The op. */
  readonly op?: string;
  /** The schema validated against (to list the allowed fields of unknown-field errors). */
  readonly schema: z.ZodType;
  /** The value validated. */
  readonly value: unknown;
}

/** Keys allowed at `path` inside `schema` (best effort: unwraps optional, default, pipe and unions). */
export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: unknown = schema;
  const unwrap = (x: unknown): unknown => {
    for (let i = 0; i < 10; i++) {
      const def = (x as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
      if (def === undefined) return x;
      if (def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "readonly" || def.type === "prefault") x = def.innerType;
      else if (def.type === "pipe") x = def.in;
      else if (def.type === "union") x = (def.options as unknown[]).find((o) => (o as { _zod?: { def?: { type?: string } } })._zod?.def?.type === "object") ?? (def.options as unknown[])[0];
      else if (def.type === "array") x = def.element;
      else return x;
    }
    return x;
  };
  s = unwrap(s);
  for (const key of path) {
    const def = (s as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (def?.type === "object") s = unwrap((def.shape as Record<string, unknown>)[String(key)]);
    else if (def?.type === "record") s = unwrap(def.valueType);
    else if (typeof key === "number") s = unwrap(s);
    else return [];
  }
  const def = (s as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
  return def?.type === "object" ? Object.keys(def.shape as Record<string, unknown>) : [];
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k as string];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  if (typeof v === "object") return "a map";
  return String(v);
}

/** Convert zod issues to problems. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], ctx: IssueContext): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  for (const issue of issues) {
    const path = issue.path as PropertyKey[];
    const label = { file: ctx.file, step: ctx.step, op: ctx.op };
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeys(ctx.schema, path);
      for (const key of issue.keys) {
        out.push({
          ...label, pos: ctx.map.keyPos([...ctx.base, ...path], key), field: fieldPath([...path, key]),
          message: `unknown field "${key}"${allowed.length > 0 ? `; expected one of: ${allowed.join(", ")}` : ""}`,
        });
      }
      continue;
    }
    const got = valueAt(ctx.value, path);
    // A union whose one branch matched the value's shape: report that branch's own problems.
    if (issue.code === "invalid_union" && Array.isArray((issue as { errors?: unknown }).errors) && got !== undefined) {
      const branches = (issue as unknown as { errors: z.core.$ZodIssue[][] }).errors;
      const shaped = branches.filter((b) => b.length > 0 && !b.some((x) => x.path.length === 0 && x.code === "invalid_type"));
      if (shaped.length === 1) {
        out.push(...issuesToProblems(shaped[0].map((x) => ({ ...x, path: [...path, ...x.path] })), ctx));
        continue;
      }
    }
    let message: string;
    switch (issue.code) {
      case "invalid_type":
        message = got === undefined ? `missing field; expected ${issue.expected}` : `expected ${issue.expected}, got ${show(got)}`;
        break;
      case "invalid_value":
        message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}; got ${show(got)}`;
        break;
      case "invalid_union":
        message = got === undefined ? `missing field; ${issue.message}` : `${issue.message}; got ${show(got)}`;
        break;
      case "invalid_format":
        message = got === undefined ? `missing field; ${issue.message}` : `${issue.message}; got ${show(got)}`;
        break;
      default:
        message = issue.message;
    }
    out.push({ ...label, pos: ctx.map.pos([...ctx.base, ...path]), field: fieldPath(path), message });
  }
  return out;
}
