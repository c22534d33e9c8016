/**
 * Sizes and times as scenario and config files write them: `4KiB`, `2MiB`, `50us`.
 * @module
 */

/** Bytes in one base page (PAGE_SIZE on x86-64). */
export const PAGE_SIZE = 4096;
/** log2(PAGE_SIZE). */
export const PAGE_SHIFT = 12;
/** Order of a PMD-sized folio (2 MiB THP / hugetlb). */
export const HPAGE_PMD_ORDER = 9;
/** Base pages in a PMD-sized folio. */
export const HPAGE_PMD_NR = 1 << HPAGE_PMD_ORDER;
/** Bytes in a PMD-sized folio. */
export const HPAGE_PMD_SIZE = PAGE_SIZE * HPAGE_PMD_NR;
/** Order of a PUD-sized folio (a 1 GiB hugetlb page: PUD_SHIFT - PAGE_SHIFT on x86-64). */
export const HPAGE_PUD_ORDER = 18;
/** Base pages in a PUD-sized folio. */
export const HPAGE_PUD_NR = 2 ** HPAGE_PUD_ORDER;
/** Bytes in a PUD-sized folio (1 GiB). */
export const HPAGE_PUD_SIZE = PAGE_SIZE * HPAGE_PUD_NR;
/**
 * `ULONG_MAX` of a 64-bit kernel, as a bigint: a double cannot hold it, so the checks for a
 * range that wraps (`check_add_overflow()`, `addr + size < addr`) add in bigints.
 */
export const ULONG_MAX = (1n << 64n) - 1n;

/** True when `a + b`, both non-negative integers, is past {@link ULONG_MAX}: the sum wraps as an `unsigned long`. */
export function ulongAddOverflows(a: number, b: number | bigint): boolean {
  return BigInt(a) + BigInt(b) > ULONG_MAX;
}

const SIZE_UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };
const TIME_UNITS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };

/** The result of parsing a size or time: a value, or an explanation of what was expected. */
export type ParseResult = { ok: true; value: number } | { ok: false; message: string };

/** Parse a size: a non-negative integer number of bytes or a string like `"4KiB"`. */
export function parseSize(input: unknown): ParseResult {
  if (typeof input === "number") {
    if (Number.isSafeInteger(input) && input >= 0) return { ok: true, value: input };
    return { ok: false, message: `expected a non-negative whole number of bytes, got ${input}` };
  }
  if (typeof input !== "string") return { ok: false, message: `expected a size such as 4096 or "4KiB", got ${describe(input)}` };
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)?\s*$/.exec(input);
  if (!m) return { ok: false, message: `expected a size such as "4KiB", "2MiB" or "1GiB", got "${input}"` };
  const unit = m[2] ?? "B";
  const mult = SIZE_UNITS[unit];
  if (mult === undefined) return { ok: false, message: `unknown size unit "${unit}" in "${input}" (use B, KiB, MiB, GiB or TiB)` };
  const value = Number(m[1]) * mult;
  if (!Number.isSafeInteger(value)) return { ok: false, message: `size "${input}" is not a whole number of bytes` };
  return { ok: true, value };
}

/** Parse a time: a non-negative integer of nanoseconds or a string like `"50us"`. */
export function parseTime(input: unknown): ParseResult {
  if (typeof input === "number") {
    if (Number.isSafeInteger(input) && input >= 0) return { ok: true, value: input };
    return { ok: false, message: `expected a non-negative whole number of nanoseconds, got ${input}` };
  }
  if (typeof input !== "string") return { ok: false, message: `expected a time such as "50us" or "2ms", got ${describe(input)}` };
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$/.exec(input);
  if (!m) return { ok: false, message: `expected a time with a unit such as "50us", "2ms" or "1s", got "${input}"` };
  const mult = TIME_UNITS[m[2]];
  if (mult === undefined) return { ok: false, message: `unknown time unit "${m[2]}" in "${input}" (use ns, us, ms or s)` };
  const value = Math.round(Number(m[1]) * mult);
  if (!Number.isSafeInteger(value)) return { ok: false, message: `time "${input}" is too large` };
  return { ok: true, value };
}

/** Format a byte count with the largest binary unit that divides it, e.g. `formatSize(2097152) === "2MiB"`. */
export function formatSize(bytes: number): string {
  for (const unit of ["TiB", "GiB", "MiB", "KiB"]) {
    const m = SIZE_UNITS[unit];
    if (bytes >= m && bytes % m === 0) return `${bytes / m}${unit}`;
  }
  return `${bytes}B`;
}

/** Format nanoseconds with a readable unit, e.g. `formatTime(50000) === "50us"`. */
export function formatTime(ns: number): string {
  for (const unit of ["s", "ms", "us"]) {
    const m = TIME_UNITS[unit];
    if (ns >= m && ns % m === 0) return `${ns / m}${unit}`;
  }
  return `${ns}ns`;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "a map" : `${typeof v} ${String(v)}`;
}

/**
 * Walk the byte range [start, start + length) page by page: `fn(index, off, done, len)` gets the
 * page index, the offset in that page, the bytes walked so far and the bytes in this page. `fn`
 * returning false stops the walk. Returns the bytes walked.
 */
export function forEachPageChunk(start: number, length: number, fn: (index: number, off: number, done: number, len: number) => boolean | void): number {
  let done = 0;
  while (done < length) {
    const pos = start + done;
    const off = pos % PAGE_SIZE;
    const len = Math.min(PAGE_SIZE - off, length - done);
    if (fn(Math.floor(pos / PAGE_SIZE), off, done, len) === false) break;
    done += len;
  }
  return done;
}

/** `0x…`: an address as messages and reports write it (the oracle's sentences, `dump`, GUP stop reasons). */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
