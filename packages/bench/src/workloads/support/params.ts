/**
 * Parameter types workloads share.
 * @module
 */
import { MAX_MACHINE_BYTES, PAGE_SIZE, parseSize } from "@pinlab/core";
import { z } from "zod";

/** A size in bytes: an integer or a string such as `"64MiB"`, a positive multiple of 4 KiB. */
export const sizeParam = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const r = parseSize(v);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: r.message });
    return z.NEVER;
  }
  if (r.value <= 0 || r.value % PAGE_SIZE !== 0) {
    ctx.addIssue({ code: "custom", message: `expected a positive multiple of 4KiB, got ${r.value} bytes` });
    return z.NEVER;
  }
  return r.value;
});

/** A count of pages, processes or rounds. */
export const countParam = (max: number) => z.number().int().min(1).max(max);

/** Bytes as `256GiB`, `1.5TiB` (for messages). */
function gib(bytes: number): string {
  const g = bytes / 1024 ** 3;
  return g >= 1024 ? `${+(g / 1024).toFixed(2)}TiB` : `${+g.toFixed(2)}GiB`;
}

/**
 * A check of a workload's parameters against the size of the machine a cell builds from them
 * (`machineBytes`): it must not exceed what pinlab models ({@link MAX_MACHINE_BYTES}), so a
 * `--param` that is too large is refused before any cell runs, with the parameter named. The
 * issue goes on `field` (the one to lower); `inputs` are every parameter the size depends on (in
 * the issue's `params.inputs`, so a message can name the ones the user set).
 */
export function fitsMachine<P extends Record<string, unknown>>(field: keyof P & string, inputs: readonly (keyof P & string)[], machineBytes: (p: P) => number) {
  return (p: P, ctx: z.RefinementCtx<P>): void => {
    const bytes = machineBytes(p);
    if (bytes <= MAX_MACHINE_BYTES) return;
    const from = inputs.map((k) => `${k} ${JSON.stringify(p[k])}`).join(", ");
    ctx.addIssue({ code: "custom", path: [field], params: { inputs }, message: `a cell would build a ${gib(bytes)} machine (from ${from}); pinlab models at most ${gib(MAX_MACHINE_BYTES)}` });
  };
}
