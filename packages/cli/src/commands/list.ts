/**
 * `pinlab list [kernels]`: the registered policies (with their default kernel era) and devices
 * with their metadata, and the kernel eras; `pinlab list kernels` prints only the eras.
 * @module
 */
import { z } from "zod";
import { DEFAULT_KERNEL, KERNEL_ERAS, listDevices, listPolicies, pluginSource, policyDefaultKernel } from "@pinlab/core";
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

/** The kernel eras as `pinlab list` shows them: id, release, date, summary and each change with its commit. */
export function listKernels(): { id: string; release: string; date: string; summary: string; default: boolean; changes: { rule: string; value: unknown; commit: string; title: string; release?: string }[] }[] {
  return KERNEL_ERAS.map((e) => ({
    id: e.id, release: e.release, date: e.date, summary: e.summary, default: e.id === DEFAULT_KERNEL,
    changes: e.changes.map((c) => ({ rule: c.rule, value: c.value, commit: c.commit, title: c.title, ...(c.release !== undefined ? { release: c.release } : {}) })),
  }));
}

function kernelLines(s: ReturnType<typeof style>): string[] {
  const out = [s.bold("Kernels") + s.dim(`  (--kernel, PINLAB_KERNEL, machine.kernel, config kernel:; default ${DEFAULT_KERNEL})`)];
  for (const k of listKernels()) {
    out.push(`  ${s.bold(k.id.padEnd(9))} ${k.release} (${k.date})${k.default ? " [default]" : ""}`, s.dim(`      ${k.summary}`));
    for (const c of k.changes) out.push(s.dim(`      ${c.commit} "${c.title}"${c.release !== undefined ? ` (${c.release})` : ""}: ${c.rule} = ${String(c.value)}`));
  }
  return out;
}

/** List policies, devices and kernel eras (`what` = `kernels`: only the eras). */
export async function listCommand(opts: ListOptions, io: CliIo, what?: string): Promise<number> {
  const format = opts.format ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, got "${format}"`);
  if (what !== undefined && what !== "kernels") throw new UsageError(`pinlab list takes nothing or kernels, got "${what}"`);
  if (what === "kernels") {
    io.out(format === "json" ? `${JSON.stringify({ kernels: listKernels() }, null, 2)}\n` : `${kernelLines(style(io.isTTY, io.env)).join("\n")}\n`);
    return EXIT.OK;
  }
  const { container } = await setUp(opts, io);
  const policies = listPolicies(container).map((p) => ({
    id: p.meta.id, summary: p.meta.summary, kernel: p.meta.kernel, defaultKernel: policyDefaultKernel(p.meta), source: pluginSource(p), capabilities: p.meta.capabilities, options: describeOptions(p.meta.options),
  }));
  const devices = listDevices(container).map((d) => ({
    id: d.meta.id, summary: d.meta.summary, driver: d.meta.driver, source: pluginSource(d), options: describeOptions(d.meta.options),
    actions: Object.entries(d.meta.actions).map(([name, a]) => ({ name, summary: a.summary, fields: Object.keys(a.fields.shape), result: a.result })),
  }));
  if (format === "json") {
    io.out(`${JSON.stringify({ policies, devices, kernels: listKernels() }, null, 2)}\n`);
    return EXIT.OK;
  }
  const s = style(io.isTTY, io.env);
  const opt = (o: ReturnType<typeof describeOptions>[number]) =>
    `      ${o.name}: ${o.type}${o.default !== undefined ? ` = ${JSON.stringify(o.default)}` : ""}${o.description !== undefined ? s.dim(`  ${o.description}`) : ""}`;
  const out: string[] = [s.bold("Policies")];
  for (const p of policies) {
    const c = p.capabilities;
    out.push(`  ${s.bold(p.id)}  ${p.summary}`, s.dim(`      follows: ${p.kernel}`),
      s.dim(`      capabilities: file pins ${c.filePins ? "yes" : "no"}, extra atomics per pin ${c.extraAtomicsPerPin}, per unpin ${c.extraAtomicsPerUnpin}`),
      s.dim(`      default kernel era: ${p.defaultKernel}`));
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
  out.push("", ...kernelLines(s));
  io.out(`${out.join("\n")}\n`);
  return EXIT.OK;
}
