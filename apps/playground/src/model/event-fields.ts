/**
 * The fields of an event as the events tab shows them: address-like fields (virtual addresses
 * and file byte offsets, `start`, `end`, `addr`, `newStart`... of packages/core's event-types.ts,
 * and the same names inside a device event's `detail`) in hex, as the CLI's `--trace` prints
 * addresses; frame numbers, counts and sizes in decimal.
 */
import type { KernelEvent } from "@pinlab/core";

/** Names of event fields (and device `detail` keys) that hold addresses or byte offsets. */
export const ADDRESS_FIELDS: ReadonlySet<string> = new Set(["start", "end", "addr", "newStart", "vaddr", "new_addr", "iova", "offset"]);

/** Fields of events that name frames (linked to the frame details, shown in decimal). */
export const PFN_FIELDS: ReadonlySet<string> = new Set(["pfn", "oldPfn", "newPfn"]);

/** One field of an event, ready to show. */
export interface EventField {
  /** The field's name. */
  readonly key: string;
  /** Its value as text. */
  readonly text: string;
  /** The frame it names, when it names one. */
  readonly pfn?: number;
}

/** Format `v`, the value of field `key`: addresses in hex (`0x...`), maps inline with the same rule per key. */
export function formatField(key: string, v: unknown): string {
  if (typeof v === "number") return ADDRESS_FIELDS.has(key) && Number.isInteger(v) && v >= 0 ? `0x${v.toString(16)}` : String(v);
  if (Array.isArray(v)) return `[${v.map((x) => formatField(key, x)).join(",")}]`;
  if (v !== null && typeof v === "object") return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}:${formatField(k, x)}`).join(",")}}`;
  return typeof v === "string" ? v : JSON.stringify(v) ?? String(v);
}

/** The fields of `e` to show (not its type, sequence number or time), in payload order. */
export function eventFields(e: KernelEvent): EventField[] {
  const out: EventField[] = [];
  for (const [key, v] of Object.entries(e)) {
    if (key === "type" || key === "seq" || key === "t" || v === undefined) continue;
    const text = formatField(key, v);
    out.push(PFN_FIELDS.has(key) && typeof v === "number" && v >= 0 ? { key, text, pfn: v } : { key, text });
  }
  return out;
}
