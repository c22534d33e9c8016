/**
 * Page markers: a short text at the start of each page, so a workload can tell afterwards whose
 * data a page or a disk block holds.
 * @module
 */
import { PAGE_SIZE } from "@pinlab/core";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The marker of page `index` of a buffer tagged `tag`. */
export function pageMarker(tag: string, index: number): string {
  return `${tag}:${index};`;
}

/** A buffer of `pages` pages, each starting with its marker. */
export function markedBuffer(tag: string, pages: number): Uint8Array {
  const buf = new Uint8Array(pages * PAGE_SIZE);
  for (let i = 0; i < pages; i++) buf.set(utf8(pageMarker(tag, i)), i * PAGE_SIZE);
  return buf;
}

/** True when `bytes` (a page, or a disk block) starts with the marker of page `index` of `tag`. */
export function hasMarker(bytes: Uint8Array | undefined, tag: string, index: number): boolean {
  if (bytes === undefined) return false;
  const m = pageMarker(tag, index);
  return decoder.decode(bytes.subarray(0, m.length)) === m;
}
