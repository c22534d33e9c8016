/**
 * Zod schemas for device action fields and device options as a scenario writes them: raw YAML
 * values (names, addresses such as `buf+8KiB`, sizes such as `16KiB`, times such as `50us`).
 * Action fields stay raw (the `DeviceActionArgs` accessors resolve them at run time);
 * options are parsed to numbers once, when the device is attached.
 * @module
 */
import { parseSize, parseTime } from "@pinlab/core";
import { z } from "zod";

/** A scenario name: a process, a file, a region, an mmap result (`[A-Za-z_][A-Za-z0-9_.-]*`). */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** An address as written: an integer, a name bound by an earlier step, or `NAME+OFFSET`. */
const ADDRESS_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*(\s*\+\s*\S+)?$/;

/** A name field (`proc: p1`, `region: mr`, `file: data`). */
export const nameField = z.string().regex(NAME_PATTERN, "expected a name such as p1 or buf");

/** An address field (`addr: buf`, `addr: buf+8KiB`, `addr: 65536`). */
export const addrField = z.union([
  z.number().int().nonnegative(),
  z.string().regex(ADDRESS_PATTERN, "expected an address: an integer, NAME or NAME+OFFSET"),
]);

/** A size field in bytes (`length: 16KiB`, `offset: 0`). */
export const sizeField = z.union([z.number(), z.string()]).superRefine((v, ctx) => {
  const r = parseSize(v);
  if (!r.ok) ctx.addIssue({ code: "custom", message: r.message });
});

/**
 * A time option, parsed to nanoseconds (`latency: 50us`). The default is written as a scenario
 * would write it (`"50us"`), so `pinlab list` and the JSON Schema show it that way.
 */
export function timeOption(defaultTime: string) {
  return z
    .union([z.number(), z.string()])
    .transform((v, ctx) => {
      const r = parseTime(v);
      if (!r.ok) {
        ctx.addIssue({ code: "custom", message: r.message });
        return z.NEVER;
      }
      return r.value;
    })
    .prefault(defaultTime);
}
