/**
 * The virtual clock (discrete-event queue), the seeded PRNG, and size/time parsing.
 */
import { describe, expect, it } from "vitest";
import { VirtualClock } from "./clock.js";
import { Rng } from "./rng.js";
import { forEachPageChunk, formatSize, formatTime, parseSize, parseTime } from "./units.js";

describe("VirtualClock", () => {
  it("runs callbacks in time order, same-time ones in the order they were scheduled", () => {
    const c = new VirtualClock();
    const log: string[] = [];
    c.schedule(30, "c", () => log.push(`c@${c.now}`));
    c.schedule(10, "a", () => log.push(`a@${c.now}`));
    c.schedule(10, "b", () => log.push(`b@${c.now}`));
    c.schedule(0, "z", () => log.push(`z@${c.now}`));
    expect(c.pending).toBe(4);
    expect(c.nextAt).toBe(0);
    expect(c.advance(10)).toBe(3);
    expect(log).toEqual(["z@0", "a@10", "b@10"]);
    expect(c.now).toBe(10);
    expect(c.runUntil(25)).toBe(0);
    expect(c.now).toBe(25);
    expect(c.settle()).toBe(1);
    expect(log.at(-1)).toBe("c@30");
    expect(c.nextAt).toBeUndefined();
  });

  it("cancels a pending callback once, and lets callbacks schedule more (run in the same advance when due)", () => {
    const c = new VirtualClock();
    const log: number[] = [];
    const h = c.schedule(5, "x", () => log.push(-1));
    expect(h).toMatchObject({ at: 5, label: "x" });
    expect(h.cancel()).toBe(true);
    expect(h.cancel()).toBe(false);
    expect(c.pending).toBe(0);
    c.schedule(1, "chain", () => {
      log.push(c.now);
      c.schedule(1, "next", () => log.push(c.now));
    });
    c.advance(10);
    expect(log).toEqual([1, 2]);
    const done = c.schedule(0, "ran", () => undefined);
    c.advance(0);
    expect(done.cancel()).toBe(false);
  });

  it("rounds delays to whole nanoseconds and stops settle() on a callback that keeps rescheduling", () => {
    const c = new VirtualClock();
    expect(c.schedule(1.6, "r", () => undefined).at).toBe(2);
    const again = () => void c.schedule(1, "loop", again);
    c.schedule(0, "loop", again);
    expect(() => c.settle(50)).toThrow(/settle stopped after 50 callbacks; "loop" keeps rescheduling/);
  });
});

describe("Rng", () => {
  it("gives the same sequence for the same seed, a different one for another", () => {
    const seq = (seed: number) => Array.from({ length: 5 }, ((r) => () => r.nextU32())(new Rng(seed)));
    expect(seq(1)).toEqual(seq(1));
    expect(seq(1)).not.toEqual(seq(2));
  });

  it("draws floats in [0, 1) and integers in an inclusive range", () => {
    const r = new Rng(9);
    for (let i = 0; i < 200; i++) {
      const f = r.nextFloat();
      expect(f >= 0 && f < 1).toBe(true);
      const n = r.nextInt(3, 5);
      expect([3, 4, 5]).toContain(n);
    }
    expect(r.nextInt(7, 7)).toBe(7);
    expect(() => r.nextInt(2, 1)).toThrow(/empty range \[2, 1\]/);
  });
});

describe("units", () => {
  it.each([
    [4096, 4096], ["4KiB", 4096], ["2MiB", 2 * 1024 ** 2], [" 1GiB ", 1024 ** 3], ["1TiB", 1024 ** 4], ["1.5KiB", 1536], ["12", 12], ["7B", 7],
  ])("parses the size %j", (input, value) => {
    expect(parseSize(input)).toEqual({ ok: true, value });
  });

  it.each([
    [-1, /non-negative whole number of bytes, got -1/],
    [1.5, /non-negative whole number/],
    ["4KB", /unknown size unit "KB" in "4KB"/],
    ["lots", /expected a size such as/],
    ["0.3B", /not a whole number of bytes/],
    [null, /got null/],
    [[1], /got a list/],
    [{}, /got a map/],
    [true, /got boolean true/],
  ])("refuses the size %j", (input, message) => {
    const r = parseSize(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it.each([[50, 50], ["50us", 50_000], ["2ms", 2_000_000], ["1s", 1e9], ["1.5us", 1500], ["7ns", 7]])("parses the time %j", (input, value) => {
    expect(parseTime(input)).toEqual({ ok: true, value });
  });

  it.each([[-1, /non-negative/], ["5", /with a unit/], ["5m", /unknown time unit "m"/], ["1e400s", /.+/], [undefined, /got undefined/]])("refuses the time %j", (input, message) => {
    const r = parseTime(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it("formats sizes and times with the largest unit that divides them", () => {
    expect([formatSize(2 * 1024 ** 2), formatSize(4096), formatSize(1536), formatSize(1024 ** 4), formatSize(3)]).toEqual(["2MiB", "4KiB", "1536B", "1TiB", "3B"]);
    expect([formatTime(50_000), formatTime(2e9), formatTime(1500), formatTime(3_000_000)]).toEqual(["50us", "2s", "1500ns", "3ms"]);
  });
});

describe("forEachPageChunk", () => {
  it("splits a byte range at page boundaries and stops when asked", () => {
    const seen: number[][] = [];
    expect(forEachPageChunk(4096 - 10, 4096 + 20, (index, off, done, len) => void seen.push([index, off, done, len]))).toBe(4116);
    expect(seen).toEqual([[0, 4086, 0, 10], [1, 0, 10, 4096], [2, 0, 4106, 10]]);
    expect(forEachPageChunk(0, 3 * 4096, (index) => index < 1)).toBe(4096);
  });
});
