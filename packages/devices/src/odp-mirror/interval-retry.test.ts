import { attachDevice, doMadvise, PAGE_SIZE, PG_ALLOC, PluginOptionsError, userRead, userWrite } from "@pinlab/core";
import { expectConsistent } from "@pinlab/core/testing";
import { describe, expect, it } from "vitest";
import { frameAt, Harness } from "../test-support/harness.js";
import { odpMirrorOptions } from "./odp-mirror-meta.js";

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | number) => new TextDecoder().decode(b as Uint8Array);

/**
 * p1 with a 4-page buffer holding "old" in page 0, region `mr` over it on `nic0` (faultLatency
 * 10 us), and a prefetch of page 0 in flight: the walk found `old`, the frame of page 0.
 */
function prefetching(device: Record<string, unknown>) {
  const h = new Harness();
  h.attach("nic0", "odp-mirror", { faultLatency: "10us", ...device });
  const p = h.spawn("p1");
  const buf = h.mmapAnon(p, "buf", 4);
  const k = h.inst.kernel;
  expect(userWrite(k, p, buf, enc("old"))).toBe(0);
  const old = frameAt(p, buf);
  expect(h.act("nic0", "reg_mr", { proc: "p1", addr: "buf", length: 4 * PAGE_SIZE }, "mr")).toMatchObject({ ok: true });
  expect(h.act("nic0", "prefetch", { region: "mr", offset: 0, length: PAGE_SIZE })).toEqual({ ok: true, value: 1 });
  const view = () => h.inst.devices.get("nic0")!.view();
  return { h, p, buf, k, old, counters: () => view().counters, mirrored: () => view().frames.map((f) => f.pfn) };
}

/** The same, with MADV_DONTNEED of page 0 half way through the pass (its frame is freed: nothing else holds it). */
function raced(device: Record<string, unknown>) {
  const t = prefetching(device);
  t.k.clock.advance(5_000);
  expect(doMadvise(t.k, t.p, t.buf, PAGE_SIZE, "dontneed")).toBe(1);
  expect(t.k.frames.flags[t.old] & PG_ALLOC).toBe(0);
  return t;
}

describe("odp-mirror intervalRetry (mmu_interval_read_retry before publishing a fault pass)", () => {
  it("is on by default, and rejects a value that is not a boolean", () => {
    expect(odpMirrorOptions.parse({}).intervalRetry).toBe(true);
    expect(odpMirrorOptions.parse({ intervalRetry: false }).intervalRetry).toBe(false);
    const h = new Harness();
    expect(() => attachDevice(h.inst, { name: "x", kind: "odp-mirror", options: { intervalRetry: "no" } })).toThrow(PluginOptionsError);
    expect(() => attachDevice(h.inst, { name: "x", kind: "odp-mirror", options: { intervalRetry: "no" } })).toThrow(/intervalRetry/);
  });

  it("with the check, a pass an invalidation raced starts over and maps the page the process maps now", () => {
    const { h, p, buf, k, old, counters, mirrored } = raced({});
    k.clock.advance(5_000);
    expect(counters()).toMatchObject({ retries: 1, mirrored: 0, pendingFaults: 1 });
    k.clock.advance(10_000);
    expect(counters()).toMatchObject({ retries: 1, faultPasses: 2, mirrored: 1, pendingFaults: 0 });
    // The second walk faulted the empty page for read: the zero page, which the process maps too.
    expect(mirrored()).toEqual([frameAt(p, buf)]);
    expect(mirrored()).not.toContain(old);
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "dev" })).toEqual({ ok: true, value: 3 });
    expect(text(userRead(k, p, buf, 3))).toBe("dev");
    expect(h.inst.oracle.hazards).toEqual([]);
    expectConsistent(h.inst);
  });

  it("without it, the raced pass publishes the freed frame; the device's DMA goes there: dma_to_freed, undetected", () => {
    const { h, p, buf, k, old, counters, mirrored } = raced({ intervalRetry: false });
    k.clock.advance(5_000);
    expect(counters()).toMatchObject({ retries: 0, faultPasses: 1, mirrored: 1, pendingFaults: 0 });
    expect(mirrored()).toEqual([old]);
    expect(frameAt(p, buf)).toBe(-1);
    // The device cannot tell: its entry is valid, so it uses it.
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "dev" })).toEqual({ ok: true, value: 3 });
    expect(h.inst.oracle.hazards.map((x) => [x.class, x.outcome, x.device, x.pfn])).toEqual([["dma_to_freed", "undetected", "nic0", old]]);
    expect(text(userRead(k, p, buf, 3))).toBe("\0\0\0");
    expectConsistent(h.inst);
  });

  it("without it, once the freed frame is reused for another page, the device writes into that page", () => {
    const { h, p, buf, k, old, mirrored } = raced({ intervalRetry: false });
    expect(userWrite(k, p, buf + PAGE_SIZE, enc("new"))).toBe(0);
    expect(frameAt(p, buf + PAGE_SIZE)).toBe(old);
    k.clock.advance(5_000);
    expect(mirrored()).toEqual([old]);
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "dev" })).toMatchObject({ ok: true });
    expect(text(userRead(k, p, buf + PAGE_SIZE, 3))).toBe("dev");
    expect(h.inst.oracle.hazards.map((x) => [x.class, x.outcome, x.pfn])).toEqual([["dma_to_freed", "undetected", old]]);
    expect(h.inst.oracle.hazards[0].detail).toMatch(/through a stale mirror entry/);
    expectConsistent(h.inst);
  });

  it("without it, the 2019 fill's transient pin does not help: it only delays the free until right after publishing", () => {
    const { h, k, old, counters, mirrored } = prefetching({ intervalRetry: false, fill: "pin" });
    k.clock.advance(5_000);
    expect(doMadvise(k, h.inst.kernel.process("p1"), h.bindings.get("buf")!, PAGE_SIZE, "dontneed")).toBe(1);
    // The fill's pin keeps the frame allocated through the rest of the pass.
    expect(k.frames.flags[old] & PG_ALLOC).not.toBe(0);
    k.clock.advance(5_000);
    expect(counters()).toMatchObject({ retries: 0, transientRefs: 1, mirrored: 1 });
    expect(mirrored()).toEqual([old]);
    // unpin_user_pages() right after publishing dropped the last reference.
    expect(k.frames.flags[old] & PG_ALLOC).toBe(0);
    expect(h.act("nic0", "dma_read", { region: "mr", offset: 0, length: 3 })).toMatchObject({ ok: true });
    expect(h.inst.oracle.hazards.map((x) => [x.class, x.outcome, x.pfn])).toEqual([["dma_to_freed", "undetected", old]]);
    expectConsistent(h.inst);
  });

  it("without it and without a race, the pass maps the process's page as before", () => {
    const { h, p, buf, k, old, counters, mirrored } = prefetching({ intervalRetry: false });
    k.clock.advance(10_000);
    expect(counters()).toMatchObject({ retries: 0, faultPasses: 1, mirrored: 1 });
    expect(mirrored()).toEqual([old]);
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "dev" })).toMatchObject({ ok: true });
    expect(text(userRead(k, p, buf, 3))).toBe("dev");
    expect(h.inst.oracle.hazards).toEqual([]);
  });
});
