/**
 * Bytes as scenarios see them. Data written by a step is UTF-8; bytes read back are shown as a C
 * string: decoded up to the first NUL (untouched memory reads as zeros, so "hello" written into
 * a fresh page reads back as "hello").
 * @module
 */

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: false });

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return enc.encode(s);
}

/** Bytes up to the first NUL, decoded as UTF-8. */
export function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return dec.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}
