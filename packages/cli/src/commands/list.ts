/**
 * `pinlab list`: the registered policies and devices with their metadata.
 * @module
 */
import { z } from "zod";
import { listDevices, listPolicies, pluginSource } from "@pinlab/core";
import { EXIT, UsageError, type CliIo } from "../io.js";
import { style } from "../output/style.js";
import { setUp, type CommonOptions } from "./shared.js";

/** A plugin's options as a readable list: `name (type, default x): description`. */
export function describeOptions(schema: z.ZodType): { name: string; type: string; default?: unknown; description?: string }[] {
  const js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, { type?: unknown; enum?: unknown[]; default?: unknown; description?: string }> };
  return Object.entries(js.properties ?? {}).map(([name, p]) => ({
    name,
    type: p.enum !== undefined ? p.enum.map((x) => JSON.stringify(x)).join(" | ") : Array.isArray(p.type) ? p.type.join(" | ") : String(p.type ?? "any"),
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(p.description !== undefined ? { description: p.description } : {}),
  }));
}

/** Options of `pinlab list`. */
export interface ListOptions extends CommonOptions {
  /** text or json. */
  readonly format?: string;
}

/** List policies and devices. */
export async function listCommand(opts: ListOptions, io: CliIo): Promise<number> {
  const format = opts.format ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, got "${format}"`);
  const { container } = await setUp(opts, io);
  const policies = listPolicies(container).map((p) => ({
    id: p.meta.id, summary: p.meta.summary, kernel: p.meta.kernel, source: pluginSource(p), capabilities: p.meta.capabilities, options: describeOptions(p.meta.options),
  }));
  const devices = listDevices(container).map((d) => ({
    id: d.meta.id, summary: d.meta.summary, driver: d.meta.driver, source: pluginSource(d), options: describeOptions(d.meta.options),
    actions: Object.entries(d.meta.actions).map(([name, a]) => ({ name, summary: a.summary, fields: Object.keys(a.fields.shape), result: a.result })),
  }));
  if (format === "json") {
    io.out(`${JSON.stringify({ policies, devices }, null, 2)}\n`);
    return EXIT.OK;
  }
  const s = style(io.isTTY, io.env);
  const opt = (o: ReturnType<typeof describeOptions>[number]) =>
    `      ${o.name}: ${o.type}${o.default !== undefined ? ` = ${JSON.stringify(o.default)}` : ""}${o.description !== undefined ? s.dim(`  ${o.description}`) : ""}`;
  const out: string[] = [s.bold("Policies")];
  for (const p of policies) {
    const c = p.capabilities;
    out.push(`  ${s.bold(p.id)}  ${p.summary}`, s.dim(`      follows: ${p.kernel}`),
      s.dim(`      capabilities: file pins ${c.filePins ? "yes" : "no"}, extra atomics per pin ${c.extraAtomicsPerPin}, per unpin ${c.extraAtomicsPerUnpin}`));
    if (p.source !== "@pinlab/policies") out.push(s.dim(`      from: ${p.source}`));
    if (p.options.length > 0) out.push("    options:", ...p.options.map(opt));
  }
  out.push("", s.bold("Devices"));
  for (const d of devices) {
    out.push(`  ${s.bold(d.id)}  ${d.summary}`, s.dim(`      models: ${d.driver}`));
    if (d.source !== "@pinlab/devices") out.push(s.dim(`      from: ${d.source}`));
    out.push("    actions:", ...d.actions.map((a) => `      ${a.name}(${a.fields.join(", ")})${s.dim(`  ${a.summary}`)}`));
    if (d.options.length > 0) out.push("    options:", ...d.options.map(opt));
  }
  io.out(`${out.join("\n")}\n`);
  return EXIT.OK;
}
