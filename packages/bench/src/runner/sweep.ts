/**
 * Sweeps: `--sweep TARGET.KEY=v1,v2,...` varies one workload parameter or one policy option over
 * a list of values, adding one axis to the matrix. This module holds the types and the parsing of
 * the flag's text; `sweep-resolve.ts` checks sweeps against the registries and `sweep-expand.ts`
 * multiplies the cells.
 * @module
 */
import { BenchInputError } from "./bench-input-error.js";

/** What a sweep varies: a workload's parameter or a policy's option. */
export type SweepKind = "workload" | "policy";

/** A sweep as the command line gives it: `TARGET.KEY=v1,v2,...`, not yet checked against anything registered. */
export interface SweepRequest {
  /** Workload id or policy id. */
  readonly target: string;
  /** Parameter or option name. */
  readonly key: string;
  /** The values, parsed like `--param` values (JSON when it parses, else a string). */
  readonly values: readonly unknown[];
}

/** A checked sweep, as the results' context records it. */
export interface Sweep extends SweepRequest {
  /** Whether `target` is a workload or a policy. */
  readonly kind: SweepKind;
}

/** `TARGET.KEY`, the name of a sweep in messages and the key of a cell's coordinate. */
export function sweepName(s: { readonly target: string; readonly key: string }): string {
  return `${s.target}.${s.key}`;
}

/** A value parsed like a `--param` value: JSON when it parses (`1024`, `true`, `[1,2]`), else the text (`64MiB`). */
export function parseSweepValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A value as it would be typed: a string that is not JSON as itself (`64MiB`), anything else as JSON (`1024`, `"1024"`, `[1,2]`). */
export function sweepValueText(v: unknown): string {
  if (typeof v === "string" && parseSweepValue(v) === v) return v;
  return JSON.stringify(v);
}

/** Split `a,[1,2],"x,y"` at the commas outside brackets, braces and double quotes. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "[" || ch === "{") depth++;
    else if ((ch === "]" || ch === "}") && depth > 0) depth--;
    else if (ch === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/**
 * Parse `TARGET.KEY=v1,v2,...` (the target is everything before the last dot of the part before
 * `=`); throws {@link BenchInputError} naming `--sweep` when the text does not have that shape, a
 * value is empty or a value is given twice.
 */
export function parseSweepFlag(text: string): SweepRequest {
  const eq = text.indexOf("=");
  const name = eq < 0 ? text : text.slice(0, eq);
  const dot = name.lastIndexOf(".");
  const target = name.slice(0, dot);
  const key = name.slice(dot + 1);
  if (eq < 0 || dot < 1 || !/^[A-Za-z][A-Za-z0-9_]*$/.test(key) || /\s/.test(target)) {
    throw new BenchInputError(`--sweep must look like WORKLOAD.KEY=v1,v2,... or POLICY.OPTION=v1,v2,... (e.g. pin-bias.bias=256,1024,4096), got "${text}"`, "--sweep");
  }
  const texts = splitTopLevel(text.slice(eq + 1));
  if (texts.some((t) => t === "")) throw new BenchInputError(`--sweep ${name}: empty value in "${text.slice(eq + 1)}"; give comma-separated values, e.g. ${name}=1,2,3`, "--sweep");
  const values = texts.map(parseSweepValue);
  const seen = new Set<string>();
  for (const v of values) {
    const k = JSON.stringify(v);
    if (seen.has(k)) throw new BenchInputError(`--sweep ${name}: the value ${sweepValueText(v)} is given twice`, "--sweep");
    seen.add(k);
  }
  return { target, key, values };
}
