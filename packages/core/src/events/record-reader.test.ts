/**
 * The event byte stream decodes back to the events that made it (so different events give
 * different bytes, and so different hashes), for the fixed layouts and the generic record alike.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../sim/clock.js";
import { EventBus } from "./event-bus.js";
import { writeEvent } from "./event-layouts.js";
import type { KernelEventPayloads, KernelEventType } from "./event-types.js";
import { decodeEventRecords } from "./record-reader.js";
import { RecordWriter } from "./record-writer.js";

const num = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, 127, 128, -1, 2 ** 31, -(2 ** 31), 2 ** 53, Number.NaN, Infinity, -Infinity));
const text = fc.oneof(fc.string({ unit: "binary", maxLength: 12 }), fc.constantFrom("pin", "get", "FOLL_WRITE", "FOLL_LONGTERM"));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, num, text, fc.boolean(), fc.constant(null), fc.array(tie("value"), { maxLength: 3 }), fc.dictionary(fc.oneof(text, fc.constant("__proto__")), tie("value"), { maxKeys: 3 })),
})).value;
const gup = fc.record({
  call: text, pid: num, start: num, nrPages: num, flags: fc.array(text, { maxLength: 10 }), mode: fc.constantFrom("get" as const, "pin" as const),
  got: num, errno: fc.option(text, { nil: undefined }), fastPages: num, slowPages: num, migrated: num, holder: fc.option(text, { nil: undefined }),
  reason: fc.option(text, { nil: undefined }),
});
const release = fc.record({ call: text, pages: num, dirty: fc.boolean(), mode: fc.constantFrom("get" as const, "pin" as const), holder: fc.option(text, { nil: undefined }) });
const fault = fc.record({ pid: num, start: num, pages: num, write: fc.boolean(), source: text, counts: fc.dictionary(text, num, { maxKeys: 4 }) }, { requiredKeys: [] });
const generic = fc.tuple(fc.constantFrom("mmap", "process", "device", "boot", "settle"), fc.dictionary(text, json, { maxKeys: 4 }));
const event = fc.tuple(
  fc.oneof(gup.map((p) => ["gup", p] as const), release.map((p) => ["release", p] as const), fault.map((p) => ["fault", p] as const), generic),
  fc.oneof(fc.nat(), fc.double({ min: 0, noNaN: true })),
);

/** What a payload should decode to: absent members gone, a gup's reason not hashed, -0 as 0, nested undefined as absent. */
function hashed(type: string, payload: Record<string, unknown>): Record<string, unknown> {
  const { reason: _reason, ...rest } = payload;
  const p = type === "gup" ? rest : payload;
  const clean = JSON.parse(JSON.stringify(p, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? `#${v}` : Object.is(v, -0) ? 0 : v))) as Record<string, unknown>;
  const revive = (v: unknown): unknown => (typeof v === "string" && v.startsWith("#") && ["#NaN", "#Infinity", "#-Infinity"].includes(v) ? Number(v.slice(1)) : Array.isArray(v) ? v.map(revive) : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)])) : v);
  return revive(clean) as Record<string, unknown>;
}

describe("decodeEventRecords", () => {
  it("gives back every event written: type, time, hashed payload", () => {
    fc.assert(fc.property(fc.array(event, { maxLength: 30 }), (events) => {
      const parts: Uint8Array[] = [];
      const w = new RecordWriter((b) => void parts.push(b.slice()));
      for (const [[type, payload], t] of events) writeEvent(w, type as KernelEventType, t, payload as never);
      w.flush();
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
      const decoded = decodeEventRecords(all);
      expect(decoded.map((e) => [e.type, e.t])).toEqual(events.map(([[type], t]) => [type, Object.is(t, -0) ? 0 : t]));
      decoded.forEach((e, i) => {
        const [[type, payload]] = events[i]!;
        const want = hashed(type, payload as Record<string, unknown>);
        expect(e.payload).toEqual(want);
      });
    }), { numRuns: 300 });
  });

  it("so a different payload, time or order gives a different eventsHash; the same stream the same one", () => {
    const hashOf = (events: readonly (readonly [KernelEventType, unknown, number])[]) => {
      const clock = new VirtualClock();
      const bus = new EventBus(clock);
      for (const [type, payload, t] of events) {
        clock.advance(t - clock.now);
        bus.emit(type, payload as never);
      }
      return bus.hash();
    };
    const g: KernelEventPayloads["gup"] = { call: "pin_user_pages_fast", pid: 1, start: 4096, nrPages: 1, flags: ["FOLL_WRITE"], mode: "pin", got: 1, errno: undefined, fastPages: 1, slowPages: 0, migrated: 0, holder: undefined };
    const r: KernelEventPayloads["release"] = { call: "unpin_user_pages", pages: 1, dirty: false, mode: "pin", holder: undefined };
    const base = [["gup", g, 0], ["release", r, 10]] as const;
    expect(hashOf(base)).toBe(hashOf(base));
    for (const other of [
      [["gup", { ...g, start: 8192 }, 0], ["release", r, 10]],
      [["gup", { ...g, flags: ["FOLL_WRITE", "FOLL_LONGTERM"] }, 0], ["release", r, 10]],
      [["gup", { ...g, holder: "mr0" }, 0], ["release", r, 10]],
      [["gup", g, 0], ["release", { ...r, dirty: true }, 10]],
      [["gup", g, 0], ["release", r, 11]],
      [["release", r, 0], ["gup", g, 10]],
    ] as const) expect(hashOf(other)).not.toBe(hashOf(base));
    // The diagnostic reason of a refusal is not hashed.
    expect(hashOf([["gup", { ...g, reason: "why" }, 0], ["release", r, 10]])).toBe(hashOf(base));
  });

  it("refuses a malformed stream", () => {
    expect(() => decodeEventRecords(new Uint8Array([0x87, 3, 0x61]))).toThrow(/truncated/);
    expect(() => decodeEventRecords(new Uint8Array([0xc5]))).toThrow(/before it was defined/);
    expect(() => decodeEventRecords(new Uint8Array([0x87, 1, 0x61, 0x8f]))).toThrow(/unknown tag 0x8f/);
    expect(() => decodeEventRecords(new Uint8Array([0x01]))).toThrow(/type is not a string/);
  });
});
