/**
 * Do the guides cover every registered policy and device, and do they say what the plugin's
 * metadata says? A plugin is covered by a heading that names its id (`### pin-bias`; backticks
 * allowed, but typedoc drops code spans from its page outline).
 * Under such headings:
 *
 * - an **options table** (a pipe table whose first header cell is `option`) must list exactly the
 *   options of `meta.options`, each with the type and default `pinlab list` shows; a plugin with
 *   options needs at least one such table;
 * - for a device, an **actions table** (first header cell `action`) must list exactly the actions
 *   of `meta.actions`, each with its fields; every device needs at least one.
 * @module
 */
import { z } from "zod";
import type { DeviceDescriptor, PinPolicyDescriptor } from "@pinlab/core";
import { codeSpans, sections, tables, type MarkdownDoc, type Section, type Table } from "./markdown.js";

/** One coverage problem. */
export interface CoverageProblem {
  /** The plugin id. */
  readonly id: string;
  /** `file:line`, when about a place in a guide. */
  readonly where?: string;
  /** What is wrong. */
  readonly message: string;
}

/** An option as `pinlab list` describes it. */
export interface OptionInfo {
  /** Name. */
  readonly name: string;
  /** Type, as `pinlab list` prints it (`boolean`, `"a" | "b"`, `number | string`). */
  readonly type: string;
  /** Default, as JSON, or undefined. */
  readonly default?: string;
}

/** The options of a zod schema, described the way `pinlab list` does (JSON Schema of the input). */
export function optionsOf(schema: z.ZodType): OptionInfo[] {
  const js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, { type?: unknown; enum?: unknown[]; default?: unknown }>;
  };
  return Object.entries(js.properties ?? {}).map(([name, p]) => ({
    name,
    type: p.enum !== undefined ? p.enum.map((x) => JSON.stringify(x)).join(" | ") : Array.isArray(p.type) ? p.type.join(" | ") : String(p.type ?? "any"),
    ...(p.default !== undefined ? { default: JSON.stringify(p.default) } : {}),
  }));
}

/** True when heading text names `id` as a whole word (ids are kebab-case: `-` is part of a word). */
export function headingNames(text: string, id: string): boolean {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^\\w-])${escaped}($|[^\\w-])`).test(text.replace(/`/g, ""));
}

/** Sections whose heading names `id`. */
export function sectionsFor(docs: readonly MarkdownDoc[], id: string): Section[] {
  return docs.flatMap((d) => sections(d)).filter((s) => headingNames(s.heading.text, id));
}

function tablesIn(s: Section, first: string): { table: Table; where: string }[] {
  return tables(s.body)
    .filter((t) => t.header[0] === first)
    .map((table) => ({ table, where: `${s.file}:${s.heading.line + table.offset}` }));
}

const unquote = (cell: string) => cell.replace(/`/g, "").trim();

function checkOptionsTable(id: string, options: readonly OptionInfo[], table: Table, where: string): CoverageProblem[] {
  const out: CoverageProblem[] = [];
  const col = (name: string) => table.header.indexOf(name);
  const [typeCol, defCol] = [col("type"), col("default")];
  if (typeCol < 0 || defCol < 0) return [{ id, where, message: "an options table needs `type` and `default` columns" }];
  const rows = new Map(table.rows.map((r) => [codeSpans(r[0])[0] ?? unquote(r[0]), r]));
  for (const o of options) {
    const r = rows.get(o.name);
    if (r === undefined) {
      out.push({ id, where, message: `option \`${o.name}\` is missing from the options table` });
      continue;
    }
    if (unquote(r[typeCol]) !== o.type) out.push({ id, where, message: `option \`${o.name}\`: the table says type ${r[typeCol]}, the schema says ${o.type}` });
    const def = r[defCol] === "-" || r[defCol] === "" ? undefined : unquote(r[defCol]);
    if (def !== o.default) out.push({ id, where, message: `option \`${o.name}\`: the table says default ${r[defCol] || "-"}, the schema says ${o.default ?? "none (-)"}` });
  }
  for (const name of rows.keys()) {
    if (!options.some((o) => o.name === name)) out.push({ id, where, message: `the options table lists \`${name}\`, which is not an option of ${id}` });
  }
  return out;
}

function checkActionsTable(d: DeviceDescriptor, table: Table, where: string): CoverageProblem[] {
  const id = d.meta.id;
  const out: CoverageProblem[] = [];
  const fieldsCol = table.header.indexOf("fields");
  if (fieldsCol < 0) return [{ id, where, message: "an actions table needs a `fields` column" }];
  const rows = new Map(table.rows.map((r) => [codeSpans(r[0])[0] ?? unquote(r[0]), r]));
  for (const [name, spec] of Object.entries(d.meta.actions)) {
    const r = rows.get(name);
    if (r === undefined) {
      out.push({ id, where, message: `action \`${name}\` is missing from the actions table` });
      continue;
    }
    const want = Object.keys(spec.fields.shape).sort();
    const got = codeSpans(r[fieldsCol]).sort();
    if (want.join(",") !== got.join(",")) out.push({ id, where, message: `action \`${name}\`: the table lists fields ${got.join(", ") || "(none)"}, the schema has ${want.join(", ") || "(none)"}` });
  }
  for (const name of rows.keys()) {
    if (d.meta.actions[name] === undefined) out.push({ id, where, message: `the actions table lists \`${name}\`, which is not an action of ${id}` });
  }
  return out;
}

/** Check that `docs` cover every policy and device, and agree with their metadata. */
export function checkCoverage(docs: readonly MarkdownDoc[], policies: readonly PinPolicyDescriptor[], devices: readonly DeviceDescriptor[]): CoverageProblem[] {
  const out: CoverageProblem[] = [];
  const plugins: { id: string; kind: string; options: OptionInfo[]; device?: DeviceDescriptor }[] = [
    ...policies.map((p) => ({ id: p.meta.id, kind: "policy", options: optionsOf(p.meta.options) })),
    ...devices.map((d) => ({ id: d.meta.id, kind: "device", options: optionsOf(d.meta.options), device: d })),
  ];
  for (const p of plugins) {
    const secs = sectionsFor(docs, p.id);
    if (secs.length === 0) {
      out.push({ id: p.id, message: `${p.kind} \`${p.id}\` has no section in the guides (a heading naming ${p.id})` });
      continue;
    }
    const optionTables = secs.flatMap((s) => tablesIn(s, "option"));
    if (p.options.length > 0 && optionTables.length === 0) out.push({ id: p.id, message: `${p.kind} \`${p.id}\` has options but no options table under its sections` });
    for (const { table, where } of optionTables) out.push(...checkOptionsTable(p.id, p.options, table, where));
    if (p.device !== undefined) {
      const actionTables = secs.flatMap((s) => tablesIn(s, "action"));
      if (actionTables.length === 0) out.push({ id: p.id, message: `device \`${p.id}\` has no actions table under its sections` });
      for (const { table, where } of actionTables) out.push(...checkActionsTable(p.device, table, where));
    }
  }
  return out;
}
