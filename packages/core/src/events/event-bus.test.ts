import "reflect-metadata";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../sim/clock.js";
import { EventBus } from "./event-bus.js";

describe("EventBus hash", () => {
  it("is the SHA-256 of every event's JSON, as UTF-8, in order (whichever SHA-256 the runtime provides)", () => {
    const bus = new EventBus(new VirtualClock());
    bus.keepLog();
    bus.emit("process", { pid: 1, name: "p ünïcode ✓" });
    bus.emit("munmap", { pid: 1, start: 4096, end: 8192, pages: 1 });
    const before = bus.hash();
    expect(bus.hash()).toBe(before);
    bus.emit("exit", { pid: 1, pages: 0 });
    const h = sha256.create();
    for (const e of bus.events) h.update(utf8ToBytes(JSON.stringify(e)));
    expect(bus.hash()).toBe(bytesToHex(h.digest()));
    expect(bus.hash()).not.toBe(before);
  });
});
