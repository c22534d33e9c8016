/**
 * The event bus: stamping (seq, virtual time), listeners, the optional log, and the running
 * SHA-256 that proves determinism.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../sim/clock.js";
import { EventBus } from "./event-bus.js";
import type { KernelEvent } from "./event-types.js";

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

  it("hashes JSON.stringify of each stamped event, batched or not, with or without listeners", async () => {
    const { sha256 } = await import("@noble/hashes/sha2.js");
    const { bytesToHex, utf8ToBytes } = await import("@noble/hashes/utils.js");
    const clock = new VirtualClock();
    const quiet = new EventBus(clock);
    const loud = new EventBus(clock);
    loud.keepLog();
    loud.onAny(() => undefined);
    let text = "";
    for (let i = 0; i < 5000; i++) {
      const payload = { pid: i, name: `p${i}` };
      quiet.emit("process", payload);
      loud.emit("process", payload);
      text += JSON.stringify({ type: "process", seq: i, t: 0, ...payload });
      if (i === 10) expect(quiet.hash()).toBe(loud.hash());
    }
    quiet.emit("settle" as never, {} as never);
    loud.emit("settle" as never, {} as never);
    text += JSON.stringify({ type: "settle", seq: 5000, t: 0 });
    expect(quiet.hash()).toBe(bytesToHex(sha256(utf8ToBytes(text))));
    expect(loud.hash()).toBe(quiet.hash());
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

  it("is the SHA-256 of every event's JSON as UTF-8, in order, whichever SHA-256 the runtime provides", () => {
    const bus = new EventBus(new VirtualClock());
    bus.keepLog();
    bus.emit("process", { pid: 1, name: "p ünïcode ✓" });
    bus.emit("munmap", { pid: 1, start: 4096, end: 8192, pages: 1 });
    bus.emit("exit", { pid: 1, pages: 0 });
    const h = sha256.create();
    for (const e of bus.events) h.update(utf8ToBytes(JSON.stringify(e)));
    expect(bus.hash()).toBe(bytesToHex(h.digest()));
  });
});
