/**
 * Scenario data is written as strings and read back as strings: UTF-8 bytes both ways.
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

/** The bytes of a scenario `data:` string. */
export function stringToBytes(data: string): Uint8Array {
  return encoder.encode(data);
}

/** Bytes read by DMA, as the string a scenario compares (`result: "hello"`). */
export function bytesToString(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** `0x…` for traces and labels. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
