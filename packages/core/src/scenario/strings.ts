/**
 * Bytes as scenarios see them (docs/reference/scenario-format.md, "Bytes and strings").
 *
 * A string written by a step (`write`, `poke`, `dma_write`) is stored as its UTF-8 bytes. Bytes
 * read back (`read`, `peek`, `dma_read`, the `data` and `file_data` expectations) are *exactly*
 * the bytes asked, decoded as UTF-8: a NUL is "\u0000", untouched memory reads as NULs. A byte
 * that is not part of a well-formed UTF-8 sequence (a read that starts or ends inside a
 * multi-byte character, a write over part of one) becomes the lone surrogate U+DC00 + byte
 * (U+DC80..U+DCFF, as Python's `surrogateescape`), and writing such a surrogate stores that byte
 * back: both directions are exact, `textToBytes(bytesToText(b))` is `b`. Until the exact-bytes
 * change a read was cut at the first NUL (a C string).
 * @module
 */

const enc = new TextEncoder();
/** `ignoreBOM`: a leading EF BB BF is three bytes of data, kept as U+FEFF. */
const dec = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Lone low surrogates U+DC80..U+DCFF: stray bytes 0x80..0xFF. */
const STRAY = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;

/** The bytes of a scenario string: UTF-8, except that a lone U+DC80..U+DCFF stands for one byte 0x80..0xFF. */
export function textToBytes(s: string): Uint8Array {
  if (!/[\uDC80-\uDCFF]/.test(s)) return enc.encode(s);
  const parts: Uint8Array[] = [];
  let last = 0;
  for (const m of s.matchAll(STRAY)) {
    parts.push(enc.encode(s.slice(last, m.index)), Uint8Array.of(m[0].charCodeAt(0) - 0xdc00));
    last = m.index + 1;
  }
  parts.push(enc.encode(s.slice(last)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Length of the well-formed UTF-8 sequence starting at `i` (Unicode 15, table 3-7), or 0. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  const cont = (j: number, lo = 0x80, hi = 0xbf): boolean => i + j < b.length && b[i + j] >= lo && b[i + j] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const ok1 = c === 0xe0 ? cont(1, 0xa0) : c === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    return ok1 && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const ok1 = c === 0xf0 ? cont(1, 0x90) : c === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
    return ok1 && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** Exactly `bytes` as a string: UTF-8, NULs kept, each stray byte as U+DC00 + byte. */
export function bytesToText(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    let out = "";
    let i = 0;
    while (i < bytes.length) {
      const c = bytes[i];
      const n = c < 0x80 ? 1 : sequenceLength(bytes, i);
      out += n === 0 ? String.fromCharCode(0xdc00 + c) : dec.decode(bytes.subarray(i, i + n));
      i += Math.max(n, 1);
    }
    return out;
  }
}

/** Two byte strings are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const NAMED: Record<string, string> = { "\0": "\\0", "\t": "\\t", "\n": "\\n", "\r": "\\r", '"': '\\"', "\\": "\\\\" };

/**
 * A string quoted for a person to read and to paste back into a scenario: a YAML double-quoted
 * string (`"\0\0ab"`). NUL, tab, newline and carriage return use their short escapes, other
 * control characters (C0, DEL, C1) `\xNN`, lone surrogates (stray bytes) `\uDCNN`.
 */
export function quoteText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${s.replace(/[\0-\x1f\x7f-\x9f"\\]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, (ch) => {
    const named = NAMED[ch];
    if (named !== undefined) return named;
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).toUpperCase()}`;
  })}"`;
}
