/**
 * The `dma` fault point in every built-in device: a transfer the DMA engine refuses (an IOMMU
 * fault) moves nothing, the device answers EIO (rdma-mr and odp-mirror `dma_write` / `dma_read`)
 * or completes the operation in error (a posted RDMA write on the clock; a direct IO, unpinning
 * everything as a bio ending with bi_status does), and no exception escapes a clock callback. Afterwards the model is consistent and every pin released.
 */
import { EIO, PAGE_SIZE, readBackingStore, readFileData, userRead, userWrite, type FaultSpec } from "@pinlab/core";
import { expectConsistent } from "@pinlab/core/testing";
import { describe, expect, it } from "vitest";
import { collect, Harness, outstanding } from "./test-support/harness.js";

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | number) => new TextDecoder().decode(b as Uint8Array).replace(/\0+$/, "");

function setup(dma: FaultSpec) {
  const h = new Harness({ kernel: { faults: { dma } } });
  const p = h.spawn("p1");
  h.mmapAnon(p, "buf", 4);
  const k = h.inst.kernel;
  const counters = (dev: string) => h.inst.devices.get(dev)!.view().counters;
  const dmaEvents = collect(h.inst, "dma");
  const injected = collect(h.inst, "fault_inject");
  return { h, p, k, counters, dmaEvents, injected };
}

describe("a failed DMA transfer", () => {
  it("rdma-mr: dma_write and dma_read answer EIO, move nothing, and are counted in dmaErrors", () => {
    const { h, p, k, counters, dmaEvents, injected } = setup({ at: [1, 3] });
    h.attach("hca0", "rdma-mr");
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: "8KiB", access: ["local_write"] }, "mr")).toMatchObject({ ok: true });
    expect(h.act("hca0", "dma_write", { region: "mr", offset: 0, data: "lost" })).toMatchObject({ ok: false, errno: EIO });
    expect(text(userRead(k, p, h.bindings.get("buf")!, 4))).toBe("");
    expect(h.act("hca0", "dma_write", { region: "mr", offset: 0, data: "kept" })).toEqual({ ok: true, value: 4 });
    expect(h.act("hca0", "dma_read", { region: "mr", offset: 0, length: 4 })).toMatchObject({ ok: false, errno: EIO });
    expect(h.act("hca0", "dma_read", { region: "mr", offset: 0, length: 4 })).toEqual({ ok: true, value: "kept" });
    expect(counters("hca0")).toMatchObject({ dmaErrors: 2, dmaWrites: 1, dmaReads: 1, bytesWritten: 4 });
    expect(dmaEvents.map((e) => e.op)).toEqual(["write", "read"]);
    expect(injected.map((e) => [e.point, e.call])).toEqual([["dma", 1], ["dma", 3]]);
    expect(h.act("hca0", "dereg_mr", { region: "mr" })).toMatchObject({ ok: true });
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expectConsistent(h.inst);
  });

  it("rdma-mr: a posted write that fails on the clock completes in error, without throwing", () => {
    const { h, p, k, counters } = setup({ every: 1 });
    h.attach("hca0", "rdma-mr", { dmaLatency: "10us" });
    const completions = collect(h.inst, "device");
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: "4KiB", access: ["local_write"] }, "mr")).toMatchObject({ ok: true });
    expect(h.act("hca0", "dma_write", { region: "mr", offset: 0, data: "late" })).toEqual({ ok: true, value: 4 });
    expect(() => k.clock.settle()).not.toThrow();
    expect(text(userRead(k, p, h.bindings.get("buf")!, 4))).toBe("");
    expect(completions.find((e) => e.action === "dma_complete")?.detail).toMatchObject({ errno: "EIO" });
    expect(counters("hca0")).toMatchObject({ dmaErrors: 1, dmaWrites: 0, postedWrites: 0 });
    h.act("hca0", "dereg_mr", { region: "mr" });
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expectConsistent(h.inst);
  });

  it("odp-mirror: dma_write and dma_read through valid mirror entries answer EIO", () => {
    const { h, p, k, counters } = setup({ every: 1 });
    h.attach("nic0", "odp-mirror");
    expect(h.act("nic0", "reg_mr", { proc: "p1", addr: "buf", length: "8KiB", access: ["local_write"] }, "odp")).toMatchObject({ ok: true });
    expect(h.act("nic0", "dma_write", { region: "odp", offset: 0, data: "odp" })).toMatchObject({ ok: false, errno: EIO });
    expect(h.act("nic0", "dma_read", { region: "odp", offset: 0, length: 3 })).toMatchObject({ ok: false, errno: EIO });
    expect(text(userRead(k, p, h.bindings.get("buf")!, 3))).toBe("");
    expect(counters("nic0")).toMatchObject({ dmaErrors: 2, pagesCopied: 0 });
    h.act("nic0", "dereg_mr", { region: "odp" });
    expectConsistent(h.inst);
  });

  it("direct-io: an asynchronous read completes with EIO on the clock, moves nothing and unpins everything", () => {
    const { h, p, k, counters } = setup({ every: 1 });
    h.attach("disk0", "direct-io");
    const data = k.createFile("data", "ext4", 4 * PAGE_SIZE);
    data.backing.set(0, enc("file contents"));
    const events = collect(h.inst, "device");
    expect(h.act("disk0", "read", { proc: "p1", addr: "buf", length: "8KiB", file: "data", offset: 0 }, "io")).toMatchObject({ ok: true, value: "io" });
    expect(outstanding(h.inst).pin).toBe(2);
    expect(() => k.clock.settle()).not.toThrow();
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expect(text(userRead(k, p, h.bindings.get("buf")!, 4))).toBe("");
    expect(counters("disk0")).toMatchObject({ failed: 1, completed: 0, inFlight: 0, pagesHeld: 0, bytesRead: 0 });
    expect(events.find((e) => e.action === "complete")?.detail).toMatchObject({ errno: "EIO", bytes: 0 });
    expect(k.vmstat.nr_foll_pin_acquired).toBe(k.vmstat.nr_foll_pin_released);
    expectConsistent(h.inst);
  });

  it("direct-io: a write within the step (latency 0) completes with EIO, leaves the file as it was, and unpins", () => {
    const { h, p, k, counters } = setup({ at: [1] });
    h.attach("disk0", "direct-io", { latency: 0 });
    const data = k.createFile("data", "ext4", 0);
    expect(userWrite(k, p, h.bindings.get("buf")!, enc("to disk"))).toBe(0);
    const events = collect(h.inst, "device");
    expect(h.act("disk0", "write", { proc: "p1", addr: "buf", length: "4KiB", file: "data", offset: 0 }, "w")).toMatchObject({ ok: true, value: "w" });
    expect(events.find((e) => e.action === "complete")?.detail).toMatchObject({ io: "w", errno: "EIO", bytes: 0 });
    expect(data.size).toBe(0);
    expect(text(readFileData(k, data, 0, 7))).toBe("");
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expect(counters("disk0")).toMatchObject({ failed: 1, bytesWritten: 0 });
    // The next write goes through (call 2: the device reads the user buffer; its bios write the disk, no second transfer).
    expect(h.act("disk0", "write", { proc: "p1", addr: "buf", length: "4KiB", file: "data", offset: 0 })).toMatchObject({ ok: true });
    expect(text(readFileData(k, data, 0, 7))).toBe("to disk");
    expect(text(readBackingStore(k, data, 0, 7))).toBe("to disk");
    expectConsistent(h.inst);
  });

  it("direct-io: a write is one DMA transfer, the device reading the user buffer: the disk gets the bytes, no page is dirtied", () => {
    const { h, p, k, counters } = setup({ at: [2] });
    h.attach("disk0", "direct-io", { latency: 0 });
    const data = k.createFile("data", "ext4", 0);
    expect(userWrite(k, p, h.bindings.get("buf")!, enc("to disk"))).toBe(0);
    expect(h.act("disk0", "write", { proc: "p1", addr: "buf", length: "4KiB", file: "data", offset: 0 })).toMatchObject({ ok: true });
    expect(counters("disk0")).toMatchObject({ failed: 0, completed: 1 });
    expect(h.inst.faults.stats().dma).toEqual({ calls: 1, injected: 0 });
    expect(data.size).toBe(4096);
    expect(text(readBackingStore(k, data, 0, 7))).toBe("to disk");
    expect(data.cache.size).toBe(0);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expectConsistent(h.inst);
  });
});
