/**
 * Schemas of values as a scenario (or a device action) writes them: names, sizes, times,
 * addresses. Sizes and times accept integers or unit strings and come out as numbers (bytes,
 * ns); an address stays as written (an integer, `NAME` or `NAME+OFFSET`) until a run resolves
 * its name ({@link splitAddress}).
 * @module
 */
import { z } from "zod";
import { PAGE_SIZE, ULONG_MAX, parseSize, parseTime, type ParseResult } from "./units.js";

/** A name: `[A-Za-z_][A-Za-z0-9_.-]*`. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** An address expression: `NAME`, optionally followed by `+OFFSET` terms (each a size): `buf+2MiB+12KiB`. */
export const ADDR_PATTERN = /^([A-Za-z_][A-Za-z0-9_.-]*)((?:\s*\+\s*\d+(?:\.\d+)?\s*[A-Za-z]*)*)$/;

/** An address expression taken apart: the name it starts from and the bytes its `+OFFSET` terms add. */
export interface AddressTerms {
  /** The name, bound by an earlier step (`buf`). */
  readonly name: string;
  /** The sum of the offsets, in bytes (0 without any). */
  readonly offset: number;
}

/**
 * Take `NAME`, `NAME+OFFSET` or `NAME+OFFSET+OFFSET...` apart (each OFFSET a size, `8KiB`); a
 * sentence saying what is wrong when `value` is no such expression or its offsets are not a
 * whole number of bytes pinlab can hold.
 */
export function splitAddress(value: string): AddressTerms | string {
  const m = ADDR_PATTERN.exec(value);
  if (m === null) return `"${value}" is not an address (NAME, NAME+OFFSET or an integer)`;
  let offset = 0;
  for (const term of m[2].split("+").map((t) => t.trim()).filter((t) => t !== "")) {
    const r = parseSize(term);
    if (!r.ok) return `bad offset in "${value}": ${r.message}`;
    offset += r.value;
  }
  if (!Number.isSafeInteger(offset)) return `the offsets in "${value}" add up to more than 2^53 bytes`;
  return { name: m[1], offset };
}

/** An address literal in hexadecimal: `0x7f0000000000`, `0xffff_ffff_ffff_f000`. */
export const HEX_ADDR_PATTERN = /^0x[0-9a-fA-F_]+$/;

/** What an address string may look like: {@link ADDR_PATTERN} or {@link HEX_ADDR_PATTERN}. */
const ADDR_OR_HEX_PATTERN = new RegExp(`${ADDR_PATTERN.source}|${HEX_ADDR_PATTERN.source}`);

/**
 * The value of a hexadecimal address literal, up to `ULONG_MAX`: a way to name an address a
 * user pointer can hold but a JSON or YAML integer cannot (past 2^53). Past 2^53 it must be a
 * multiple of 4 KiB, which a double holds exactly (doubles below 2^64 are 2 KiB apart at most).
 * A sentence saying what is wrong otherwise.
 */
export function parseHexAddress(value: string): number | string {
  if (!HEX_ADDR_PATTERN.test(value) || value.replaceAll("_", "") === "0x") return `"${value}" is not a hexadecimal address (0x...)`;
  const big = BigInt(value.replaceAll("_", ""));
  if (big > ULONG_MAX) return `${value} is past ULONG_MAX (2^64 - 1)`;
  const n = Number(big);
  if (BigInt(n) !== big || (!Number.isSafeInteger(n) && n % PAGE_SIZE !== 0)) return `${value} is past 2^53 and not a multiple of 4 KiB: pinlab cannot hold it exactly`;
  return n;
}

/** Schema of a name. */
export const nameField = z.string().regex(NAME_PATTERN, { message: "expected a name ([A-Za-z_][A-Za-z0-9_.-]*)" });

/**
 * A number, or a string with a unit, turned into a number by `parse` (`parseSize`, `parseTime`),
 * whose message becomes the issue when it refuses; `message` is the issue for any other type.
 */
export function unitField(parse: (input: unknown) => ParseResult, message?: string) {
  return z.union([z.number(), z.string()], message === undefined ? undefined : { message }).transform((v, ctx) => {
    const r = parse(v);
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.message });
      return z.NEVER;
    }
    return r.value;
  });
}

/** Schema of a size: bytes as an integer, or a string with a unit (`4KiB`, `2MiB`). */
export const sizeField = unitField(parseSize, 'expected a size: a whole number of bytes or a string like "4KiB", "2MiB", "1GiB"')
  .meta({ description: 'a size: bytes, or a string with a unit B, KiB, MiB, GiB ("4KiB")' });

/** Schema of a time: nanoseconds as an integer, or a string with a unit (`50us`, `2ms`). */
export const timeField = unitField(parseTime, 'expected a time: a whole number of nanoseconds or a string like "50us", "2ms"')
  .meta({ description: 'a time with a unit ns, us, ms or s ("50us")' });

/** Schema of an address: an integer, `NAME` or `NAME+OFFSET`. */
export const addrField = z
  .union(
    [
      z.number().int().nonnegative(),
      // One string branch for both forms, so a union error keeps the branch's own message.
      z.string().regex(ADDR_OR_HEX_PATTERN, { message: 'expected an address: NAME, NAME+OFFSET ("buf+8KiB") or 0x...' }).superRefine((v, ctx) => {
        if (HEX_ADDR_PATTERN.test(v)) {
          const r = parseHexAddress(v);
          if (typeof r === "string") ctx.addIssue({ code: "custom", message: r });
          return;
        }
        // Each +OFFSET is a size; the whole offset must stay a whole number of bytes.
        const split = splitAddress(v);
        if (typeof split === "string" && ADDR_PATTERN.test(v)) ctx.addIssue({ code: "custom", message: split });
      }),
    ],
    { message: 'expected an address: an integer, a hexadecimal literal ("0x7f0000000000"), a name bound by an earlier step, or NAME+OFFSET ("buf+8KiB")' },
  )
  .meta({ description: 'an address: an integer, a hexadecimal literal up to 2^64 - 1 ("0xffff_ffff_ffff_f000"), a name bound by an earlier mmap (`as`), or NAME+OFFSET like "buf+8KiB"' });

/** Schema of a page count. */
export const pagesField = z.number({ message: "expected a whole number of 4 KiB pages" }).int({ message: "expected a whole number of 4 KiB pages" }).nonnegative();

/** Schema of a data string (written as bytes, UTF-8). */
export const dataField = z.string({ message: "expected a string" });
