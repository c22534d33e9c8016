/**
 * Scenario data is written as strings (UTF-8) and read back as C strings: up to the first NUL,
 * as core's scenario engine shows every byte range (`cString`).
 * @module
 */
import { cString, utf8 } from "@pinlab/core";

/** The bytes of a scenario `data:` string. */
export function stringToBytes(data: string): Uint8Array {
  return utf8(data);
}

/** Bytes read by DMA, as the string a scenario compares (`result: "hello"`): a C string. */
export function bytesToString(bytes: Uint8Array): string {
  return cString(bytes);
}

/** `0x…` for traces and labels. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
