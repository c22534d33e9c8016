/**
 * How one event enters the eventsHash byte stream: its type (a string value), its virtual time
 * `t` (a number value), then its payload. The sequence number is not written: it is the event's
 * position in the stream. Values are tagged as `record-writer.ts` says.
 *
 * - The types a benchmark emits once per call (`FIXED_LAYOUTS`: `gup`, `release`, `fault`,
 *   `access`, `dma`, `cow`, `step`) have a fixed layout: the values of their fields in the order
 *   listed there, with no keys; a field the payload lacks is written as absent (`0x86`). Only the
 *   listed fields are hashed: a refused `gup` event's diagnostic `reason` (text for traces) is
 *   left out, so rewording it changes no behaviour proof.
 * - Every other type's payload is one record value (`0x8a`): its keys and values in the
 *   payload's own key order, which is the order its emitter builds it in.
 *
 * Same events, same bytes, same digest, in Node and in the browser.
 * @module
 */
import type { KernelEventPayloads, KernelEventType } from "./event-types.js";
import { TAG, type RecordWriter } from "./record-writer.js";

/** The fields, in stream order, of the event types with a fixed layout. */
export const FIXED_LAYOUTS = {
  gup: ["call", "pid", "start", "nrPages", "flags", "mode", "got", "errno", "fastPages", "slowPages", "migrated", "holder"],
  release: ["call", "pages", "dirty", "mode", "holder"],
  fault: ["pid", "start", "pages", "write", "source", "counts", "errno"],
  access: ["pid", "addr", "length", "write"],
  dma: ["device", "op", "pfns", "length"],
  cow: ["pid", "addr", "oldPfn", "newPfn", "reason"],
  step: ["index", "op"],
} as const satisfies { readonly [K in KernelEventType]?: readonly (keyof KernelEventPayloads[K])[] };

/** The event types with a fixed layout. */
export type FixedLayoutType = keyof typeof FIXED_LAYOUTS;

const LAYOUT: ReadonlyMap<string, readonly string[]> = new Map(Object.entries(FIXED_LAYOUTS));

/** The writer's call-site slots (`RecordWriter.strAt`) of the hot layouts' strings. */
const SLOT = { gupType: 0, gupCall: 1, gupMode: 2, gupErrno: 3, gupHolder: 4, gupFlags: 5, releaseType: 13, releaseCall: 14, releaseMode: 15, releaseHolder: 16 } as const;

/**
 * A `gup` event (type, time, payload in its fixed layout), through the writer's fast lane: the
 * hot path of every GUP call. Writes the bytes `value` would write field by field.
 */
function writeGup(w: RecordWriter, t: number, p: KernelEventPayloads["gup"]): void {
  const flags = p.flags;
  // 8 numbers of at most 9 bytes, 5 strings and the flags' count and strings of at most 6.
  const n = 108 + 6 * flags.length;
  let q = w.begin(n);
  q = w.putStrAt(q, "gup", SLOT.gupType, n);
  q = w.putNum(q, t);
  q = w.putStrAt(q, p.call, SLOT.gupCall, n);
  q = w.putNum(q, p.pid);
  q = w.putNum(q, p.start);
  q = w.putNum(q, p.nrPages);
  q = w.putCount(q, TAG.ARRAY, flags.length);
  for (let i = 0; i < flags.length; i++) q = i < 8 ? w.putStrAt(q, flags[i]!, SLOT.gupFlags + i, n) : strSlow(w, q, flags[i]!, n);
  q = w.putStrAt(q, p.mode, SLOT.gupMode, n);
  q = w.putNum(q, p.got);
  q = p.errno === undefined ? w.putTag(q, TAG.ABSENT) : w.putStrAt(q, p.errno, SLOT.gupErrno, n);
  q = w.putNum(q, p.fastPages);
  q = w.putNum(q, p.slowPages);
  q = w.putNum(q, p.migrated);
  q = p.holder === undefined ? w.putTag(q, TAG.ABSENT) : w.putStrAt(q, p.holder, SLOT.gupHolder, n);
  w.end(q);
}

/** A string outside the fast lane's slots, then the lane begun again for `n` bytes. */
function strSlow(w: RecordWriter, q: number, s: string, n: number): number {
  w.end(q);
  w.str(s);
  return w.begin(n);
}

/** A `release` event through the writer's fast lane (the hot path of every release call). */
function writeRelease(w: RecordWriter, t: number, p: KernelEventPayloads["release"]): void {
  // 2 numbers of at most 9 bytes, a boolean, 4 strings of at most 6.
  const n = 43;
  let q = w.begin(n);
  q = w.putStrAt(q, "release", SLOT.releaseType, n);
  q = w.putNum(q, t);
  q = w.putStrAt(q, p.call, SLOT.releaseCall, n);
  q = w.putNum(q, p.pages);
  q = w.putTag(q, p.dirty ? TAG.TRUE : TAG.FALSE);
  q = w.putStrAt(q, p.mode, SLOT.releaseMode, n);
  q = p.holder === undefined ? w.putTag(q, TAG.ABSENT) : w.putStrAt(q, p.holder, SLOT.releaseHolder, n);
  w.end(q);
}

/** Write one event (type, virtual time, payload) to the stream. */
export function writeEvent<K extends KernelEventType>(w: RecordWriter, type: K, t: number, payload: KernelEventPayloads[K]): void {
  if (type === "gup") return writeGup(w, t, payload as KernelEventPayloads["gup"]);
  if (type === "release") return writeRelease(w, t, payload as KernelEventPayloads["release"]);
  w.str(type);
  w.num(t);
  const fields = LAYOUT.get(type);
  if (fields === undefined) return w.record(payload as Readonly<Record<string, unknown>>);
  const p = payload as Readonly<Record<string, unknown>>;
  for (let i = 0; i < fields.length; i++) w.value(p[fields[i]!]);
}
