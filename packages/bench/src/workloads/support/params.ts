/**
 * Parameter types workloads share.
 * @module
 */
import { PAGE_SIZE, parseSize } from "@pinlab/core";
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
