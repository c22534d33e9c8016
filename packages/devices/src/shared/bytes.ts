/**
 * Scenario data is written as strings and read back as exactly the bytes asked, as core's
 * scenario engine shows every byte range (`textToBytes`, `bytesToText`: UTF-8, NULs kept).
 * @module
 */
import { bytesToText, textToBytes } from "@pinlab/core";

/** The bytes of a scenario `data:` string. */
export function stringToBytes(data: string): Uint8Array {
  return textToBytes(data);
}

/** Bytes read by DMA, as the string a scenario compares (`result: "hello"`): every byte, NULs included. */
export function bytesToString(bytes: Uint8Array): string {
  return bytesToText(bytes);
}

/** `0x…` for traces and labels. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
