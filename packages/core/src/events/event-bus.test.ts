/**
 * The event bus: stamping (seq, virtual time), listeners, the optional log, and the running
 * SHA-256 of the events' byte stream that proves determinism.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../sim/clock.js";
import { EventBus } from "./event-bus.js";
import { writeEvent } from "./event-layouts.js";
import type { KernelEvent } from "./event-types.js";
import { RecordWriter } from "./record-writer.js";
import { runningSha256 } from "./running-sha256.js";

describe("EventBus", () => {
  it("stamps each event with a sequence number and the virtual time", () => {
    const clock = new VirtualClock();
    const bus = new EventBus(clock);
    bus.keepLog();
    bus.emit("process", { pid: 1, name: "p" });
    clock.advance(250);
    bus.emit("exit", { pid: 1, pages: 0 });
    const [a, b] = bus.events;
    expect(a).toEqual({ type: "process", seq: 0, t: 0, pid: 1, name: "p" });
    expect(b).toMatchObject({ type: "exit", seq: 1, t: 250 });
    expect(bus.count).toBe(2);
  });

  it("hashes the byte stream of each stamped event, batched or not, with or without listeners", () => {
    const clock = new VirtualClock();
    const quiet = new EventBus(clock);
    const loud = new EventBus(clock);
    loud.keepLog();
    loud.onAny(() => undefined);
    const chunks: Uint8Array[] = [];
    const w = new RecordWriter((b) => void chunks.push(b.slice()));
    // 20000 events of ~20 bytes each: the stream crosses several 64 KiB chunks.
    for (let i = 0; i < 20_000; i++) {
      const payload = { pid: i, name: `p${i}` };
      quiet.emit("process", payload);
      loud.emit("process", payload);
      writeEvent(w, "process", 0, payload);
      if (i === 10) expect(quiet.hash()).toBe(loud.hash());
    }
    quiet.emit("settle" as never, {} as never);
    loud.emit("settle" as never, {} as never);
    writeEvent(w, "settle" as never, 0, {} as never);
    w.flush();
    expect(chunks.length).toBeGreaterThan(4);
    const h = sha256.create();
    for (const c of chunks) h.update(c);
    expect(quiet.hash()).toBe(bytesToHex(h.digest()));
    expect(loud.hash()).toBe(quiet.hash());
  });

  it("builds event objects only for a kept log or a listener of that type", () => {
    const bus = new EventBus(new VirtualClock());
    const heard: string[] = [];
    const off = bus.on("exit", (e) => heard.push(`${e.type} ${e.pid}`));
    bus.emit("process", { pid: 1, name: "p" });
    bus.emit("exit", { pid: 1, pages: 0 });
    off();
    off();
    bus.emit("exit", { pid: 2, pages: 0 });
    expect(heard).toEqual(["exit 1"]);
    expect(bus.count).toBe(3);
  });

  it("delivers to typed and catch-all listeners until they are removed", () => {
    const bus = new EventBus(new VirtualClock());
    const typed: number[] = [];
    const all: string[] = [];
    const off = bus.on("exit", (e) => typed.push(e.pid));
    const offAll = bus.onAny((e: KernelEvent) => all.push(e.type));
    bus.emit("exit", { pid: 3, pages: 0 });
    bus.emit("process", { pid: 4, name: "q" });
    off();
    offAll();
    bus.emit("exit", { pid: 5, pages: 0 });
    expect(typed).toEqual([3]);
    expect(all).toEqual(["exit", "process"]);
  });

  it("keeps a log only after keepLog(), idempotently", () => {
    const bus = new EventBus(new VirtualClock());
    bus.emit("process", { pid: 1, name: "early" });
    expect(bus.events).toEqual([]);
    bus.keepLog();
    bus.emit("process", { pid: 2, name: "a" });
    bus.keepLog();
    bus.emit("process", { pid: 3, name: "b" });
    expect(bus.events.map((e) => e.seq)).toEqual([1, 2]);
  });

  it("hashes the stream: equal streams equal hashes, any difference (payload, time, order) changes it, hash() does not disturb it", () => {
    const run = (f: (bus: EventBus, clock: VirtualClock) => void) => {
      const clock = new VirtualClock();
      const bus = new EventBus(clock);
      f(bus, clock);
      return bus;
    };
    const base = (bus: EventBus, clock: VirtualClock) => {
      bus.emit("process", { pid: 1, name: "p" });
      clock.advance(10);
      bus.emit("exit", { pid: 1, pages: 2 });
    };
    const h = run(base).hash();
    expect(run(base).hash()).toBe(h);
    expect(run((b, c) => (b.emit("process", { pid: 1, name: "p" }), c.advance(11), b.emit("exit", { pid: 1, pages: 2 }))).hash()).not.toBe(h);
    expect(run((b, c) => (b.emit("process", { pid: 1, name: "p" }), c.advance(10), b.emit("exit", { pid: 1, pages: 3 }))).hash()).not.toBe(h);
    const bus = run(base);
    expect(bus.hash()).toBe(bus.hash());
    bus.emit("exit", { pid: 2, pages: 0 });
    expect(bus.hash()).not.toBe(h);
    expect(new EventBus(new VirtualClock()).hash()).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("is the SHA-256 of the documented bytes, whichever SHA-256 the runtime provides", () => {
    const clock = new VirtualClock();
    const bus = new EventBus(clock);
    bus.emit("process", { pid: 1, name: "p ✓" });
    clock.advance(250);
    bus.emit("exit", { pid: 1, pages: 0 });
    bus.emit("release", { call: "unpin_user_pages", pages: 1, dirty: false, mode: "pin", holder: undefined });
    const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
    // The example of docs/reference/scenario-format.md ("The eventsHash byte stream").
    const bytes = new Uint8Array([
      0x87, 7, ...ascii("process"), 0x00, 0x8a, 2, 0x87, 3, ...ascii("pid"), 0x01, 0x87, 4, ...ascii("name"), 0x87, 5, 0x70, 0x20, 0xe2, 0x9c, 0x93,
      0x87, 4, ...ascii("exit"), 0x80, 0xfa, 0, 0, 0, 0x8a, 2, 0xc1, 0x01, 0x87, 5, ...ascii("pages"), 0x00,
      0x87, 7, ...ascii("release"), 0x80, 0xfa, 0, 0, 0, 0x87, 16, ...ascii("unpin_user_pages"), 0x01, 0x83, 0x87, 3, ...ascii("pin"), 0x86,
    ]);
    const expected = bytesToHex(sha256(bytes));
    expect(bus.hash()).toBe(expected);
    for (const native of [true, false]) {
      const h = runningSha256(native);
      h.update(bytes.subarray(0, 10));
      h.update(bytes.subarray(10));
      expect(h.hex()).toBe(expected);
    }
  });
});
