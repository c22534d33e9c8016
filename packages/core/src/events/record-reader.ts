/**
 * The inverse of the event byte stream (`record-writer.ts`, `event-layouts.ts`): bytes back to
 * events. Nothing on the hot path uses it; it exists so the format can be checked (every stream
 * decodes to the events that made it, so different events give different bytes) and read by
 * tools.
 * @module
 */
import { FIXED_LAYOUTS } from "./event-layouts.js";
import { TAG } from "./record-writer.js";

/** One decoded event: its type, virtual time and the hashed part of its payload (absent fields left out). */
export interface DecodedEvent {
  /** The event type. */
  readonly type: string;
  /** The virtual time (ns). */
  readonly t: number;
  /** The payload as hashed. */
  readonly payload: Record<string, unknown>;
}

/** Marks an absent value while decoding. */
const ABSENT: unique symbol = Symbol("absent");

const LAYOUT: ReadonlyMap<string, readonly string[]> = new Map(Object.entries(FIXED_LAYOUTS));
const utf8 = new TextDecoder("utf-8", { fatal: false });

/** Decode a whole event byte stream. Throws on a malformed one. */
export function decodeEventRecords(bytes: Uint8Array): DecodedEvent[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const strings: string[] = [];
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > bytes.length) throw new RangeError(`event stream truncated at byte ${pos}`);
  };
  const uleb = (): number => {
    let n = 0;
    for (let shift = 0; ; shift += 7) {
      need(1);
      const b = bytes[pos++]!;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
    }
  };
  const text = (): string => {
    const len = uleb();
    need(len);
    const s = utf8.decode(bytes.subarray(pos, pos + len));
    pos += len;
    return s;
  };
  const value = (): unknown => {
    need(1);
    const tag = bytes[pos++]!;
    if (tag < 0x80) return tag;
    if (tag >= TAG.STRING_SHORT) return stringAt(tag - TAG.STRING_SHORT);
    switch (tag) {
      case TAG.INT32: need(4); pos += 4; return view.getInt32(pos - 4, true);
      case TAG.FLOAT64: need(8); pos += 8; return view.getFloat64(pos - 8, true);
      case TAG.NAN: return Number.NaN;
      case TAG.FALSE: return false;
      case TAG.TRUE: return true;
      case TAG.NULL: return null;
      case TAG.ABSENT: return ABSENT;
      case TAG.STRING_NEW: { const s = text(); strings.push(s); return s; }
      case TAG.STRING_RAW: return text();
      case TAG.STRING_REF: return stringAt(uleb());
      case TAG.ARRAY: { const n = uleb(); const a: unknown[] = []; for (let i = 0; i < n; i++) { const v = value(); a.push(v === ABSENT ? undefined : v); } return a; }
      case TAG.RECORD: {
        const n = uleb();
        const r: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = value();
          if (typeof key !== "string") throw new RangeError(`record key is not a string at byte ${pos}`);
          Object.defineProperty(r, key, { value: value(), enumerable: true, writable: true, configurable: true });
        }
        return r;
      }
      default: throw new RangeError(`unknown tag 0x${tag.toString(16)} at byte ${pos - 1}`);
    }
  };
  const stringAt = (id: number): string => {
    const s = strings[id];
    if (s === undefined) throw new RangeError(`string id ${id} used before it was defined`);
    return s;
  };
  const events: DecodedEvent[] = [];
  while (pos < bytes.length) {
    const type = value();
    if (typeof type !== "string") throw new RangeError(`event type is not a string at byte ${pos}`);
    const t = value();
    if (typeof t !== "number") throw new RangeError(`event time is not a number at byte ${pos}`);
    const fields = LAYOUT.get(type);
    let payload: Record<string, unknown> = {};
    if (fields === undefined) payload = value() as Record<string, unknown>;
    else for (const f of fields) {
      const v = value();
      if (v !== ABSENT) payload[f] = v;
    }
    events.push({ type, t, payload });
  }
  return events;
}
