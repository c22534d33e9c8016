import {
  doFork, doMunmap, doTruncate, EFAULT, EINVAL, PAGE_SIZE, PG_DIRTY, readFileData, userRead, userWrite, writeback,
  type KernelConfigInput, type Process,
} from "@pinlab/core";
import { expectConsistent } from "@pinlab/core/testing";
import { describe, expect, it } from "vitest";
import { collect, frameAt, Harness, outstanding } from "../test-support/harness.js";

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | number) => new TextDecoder().decode(b as Uint8Array);

/** p1 with an anonymous buffer `buf`, an ext4 file `data` holding "file contents" and a direct-io device `disk0`. */
function setup(device: Record<string, unknown> = {}, kernel: Partial<KernelConfigInput> = {}) {
  const h = new Harness({ kernel });
  h.attach("disk0", "direct-io", device);
  const p = h.spawn("p1");
  const buf = h.mmapAnon(p, "buf", 4);
  const k = h.inst.kernel;
  const data = k.createFile("data", "ext4", 4 * PAGE_SIZE);
  data.backing.set(0, enc("file contents"));
  data.backing.set(1, enc("second page"));
  const counters = () => h.inst.devices.get("disk0")!.view().counters;
  return { h, p, buf, k, data, counters };
}

describe("direct-io read", () => {
  it("pins the buffer with FOLL_WRITE, lands the data only when the clock reaches the latency, then unpins", () => {
    const { h, p, buf, k, counters } = setup();
    const gups = collect(h.inst, "gup");
    const r = h.act("disk0", "read", { proc: "p1", addr: "buf", length: "8KiB", file: "data", offset: 0 }, "io");
    expect(r).toEqual({ ok: true, value: "io", name: "io" });
    expect(gups.map((e) => [e.call, e.got, e.flags.includes("FOLL_WRITE"), e.flags.includes("FOLL_LONGTERM")])).toEqual([["pin_user_pages_fast", 2, true, false]]);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 2 });
    expect(counters()).toMatchObject({ inFlight: 1, pagesHeld: 2, submitted: 1 });
    expect(h.inst.devices.get("disk0")!.view().frames.map((f) => f.label)).toEqual(["io:0 read", "io:1 read"]);
    k.clock.advance(49_999);
    expect(text(userRead(k, p, buf, 4))).toBe("\0\0\0\0");
    expect(outstanding(h.inst).pin).toBe(2);
    k.clock.advance(1);
    expect(text(userRead(k, p, buf, 13))).toBe("file contents");
    expect(text(userRead(k, p, buf + PAGE_SIZE, 11))).toBe("second page");
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expect(counters()).toMatchObject({ inFlight: 0, completed: 1, bytesRead: 8192 });
    expectConsistent(h.inst);
  });

  it("completes within the step with latency 0, and names IOs io1, io2 without `as`", () => {
    const { h, p, buf, k } = setup({ latency: 0 });
    expect(h.act("disk0", "read", { proc: "p1", addr: "buf", length: 512, file: "data", offset: 0 })).toEqual({ ok: true, value: "io1", name: "io1" });
    expect(text(userRead(k, p, buf, 4))).toBe("file");
    expect(h.act("disk0", "read", { proc: "p1", addr: "buf", length: 512, file: "data", offset: 0 })).toMatchObject({ name: "io2" });
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
  });

  it("re-dirties a MAP_SHARED file page that writeback cleaned during the IO (bio_check_pages_dirty), and the oracle sees the late DMA", () => {
    const { h, p, k, counters } = setup();
    const dst = k.createFile("dst", "ext4", 4 * PAGE_SIZE);
    const map = h.mmapFile(p, "map", "dst", 4);
    expect(userWrite(k, p, map, enc("old"))).toBe(0);
    expect(h.act("disk0", "read", { proc: "p1", addr: "map", length: 4096, file: "data", offset: 0 })).toMatchObject({ ok: true });
    const pfn = frameAt(p, map);
    expect(k.frames.flags[pfn] & PG_DIRTY).toBe(PG_DIRTY);
    expect(writeback(k, dst)).toBe(1);
    expect(k.frames.flags[pfn] & PG_DIRTY).toBe(0);
    k.clock.advance(50_000);
    expect(k.frames.flags[pfn] & PG_DIRTY).toBe(PG_DIRTY);
    expect(counters().pagesRedirtied).toBe(1);
    expect(h.inst.oracle.hazards.map((z) => [z.class, z.outcome, z.device])).toEqual([["dma_after_clean", "detected", "disk0"]]);
    expect(writeback(k, dst)).toBe(1);
    expect(text(readFileData(k, dst, 0, 13))).toBe("file contents");
    expectConsistent(h.inst);
  });

  it("makes a short IO when only part of the buffer can be pinned, and fails with EFAULT when none can", () => {
    const { h, p, buf, k, counters } = setup();
    doMunmap(k, p, buf + 2 * PAGE_SIZE, 2 * PAGE_SIZE);
    const submits = collect(h.inst, "device");
    expect(h.act("disk0", "read", { proc: "p1", addr: "buf+4KiB", length: "12KiB", file: "data", offset: "4KiB" })).toMatchObject({ ok: true });
    expect(submits[0].detail).toMatchObject({ bytes: 4096, pages: 1, short: true });
    k.clock.settle();
    expect(text(userRead(k, p, buf + PAGE_SIZE, 11))).toBe("second page");
    expect(counters()).toMatchObject({ shortIos: 1, bytesRead: 4096, completed: 1 });
    expect(h.act("disk0", "read", { proc: "p1", addr: "buf+8KiB", length: 4096, file: "data", offset: 0 })).toMatchObject({ ok: false, errno: EFAULT });
    expect(counters().failed).toBe(1);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expectConsistent(h.inst);
  });

  it("refuses unaligned buffers, lengths and offsets (EINVAL), and reads nothing at EOF", () => {
    const { h } = setup();
    expect(h.act("disk0", "read", { proc: "p1", addr: "buf+100", length: 512, file: "data", offset: 0 })).toMatchObject({ ok: false, errno: EINVAL });
    expect(h.act("disk0", "read", { proc: "p1", addr: "buf", length: 100, file: "data", offset: 0 })).toMatchObject({ ok: false, errno: EINVAL });
    expect(h.act("disk0", "read", { proc: "p1", addr: "buf", length: 512, file: "data", offset: 10 })).toMatchObject({ ok: false, errno: EINVAL });
    expect(h.act("disk0", "read", { proc: "p1", addr: "buf", length: 512, file: "data", offset: "16KiB" })).toEqual({ ok: true, value: 0 });
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
  });

  it("in legacy `get` mode takes FOLL_GET references and puts them at completion", () => {
    const { h, k } = setup({ pinCall: "get" });
    const gups = collect(h.inst, "gup");
    const releases = collect(h.inst, "release");
    expect(h.act("disk0", "read", { proc: "p1", addr: "buf", length: 4096, file: "data", offset: 0 })).toMatchObject({ ok: true });
    expect(gups.map((e) => [e.call, e.mode])).toEqual([["get_user_pages_fast", "get"]]);
    expect(outstanding(h.inst)).toEqual({ get: 1, pin: 0 });
    k.clock.settle();
    expect(releases.map((e) => [e.call, e.mode])).toEqual([["put_page", "get"]]);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expectConsistent(h.inst);
  });
});

describe("direct-io write", () => {
  it("pins without FOLL_WRITE and, at completion, stores the user bytes on the disk, past the page cache", () => {
    const { h, p, buf, k, data } = setup();
    expect(userWrite(k, p, buf, enc("from user"))).toBe(0);
    const gups = collect(h.inst, "gup");
    expect(h.act("disk0", "write", { proc: "p1", addr: "buf", length: 4096, file: "data", offset: "4KiB" }, "w")).toMatchObject({ ok: true, name: "w" });
    expect(gups[0].flags).not.toContain("FOLL_WRITE");
    expect(text(readFileData(k, data, PAGE_SIZE, 9))).toBe("second pa");
    k.clock.advance(50_000);
    expect(text(readFileData(k, data, PAGE_SIZE, 9))).toBe("from user");
    // iomap_dio_bio_iter() -> submit_bio(): the disk has the bytes at completion; writeback has nothing of this IO to write.
    expect(text(data.backing.get(1)!.subarray(0, 9))).toBe("from user");
    // The file's pages were never in the cache (the setup wrote the disk): none is cached or dirty now.
    expect(data.cache.get(1)).toBeUndefined();
    expect(writeback(k, data)).toBe(0);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expect(h.inst.devices.get("disk0")!.view().counters).toMatchObject({ completed: 1, bytesWritten: 4096 });
    expectConsistent(h.inst);
  });

  it("extends the file when writing past its end", () => {
    const { h, p, buf, k, data } = setup({ latency: 0 });
    expect(userWrite(k, p, buf, enc("tail"))).toBe(0);
    expect(h.act("disk0", "write", { proc: "p1", addr: "buf", length: 512, file: "data", offset: "16KiB" })).toMatchObject({ ok: true });
    expect(data.size).toBe(16 * 1024 + 512);
    expect(text(readFileData(k, data, 16 * 1024, 4))).toBe("tail");
  });
});

describe("direct-io and the hazard oracle", () => {
  function forkDuringRead(device: Record<string, unknown>, kernel: Partial<KernelConfigInput>) {
    const { h, p, buf, k } = setup(device, kernel);
    expect(userWrite(k, p, buf, enc("parent"))).toBe(0);
    expect(h.act("disk0", "read", { proc: "p1", addr: "buf", length: 4096, file: "data", offset: 0 })).toMatchObject({ ok: true });
    const child = doFork(k, p, "child") as Process;
    expect(userWrite(k, p, buf + 100, enc("!"))).toBe(0);
    k.clock.settle();
    expectConsistent(h.inst);
    return { h, parent: text(userRead(k, p, buf, 4)), child: text(userRead(k, child, buf, 4)) };
  }

  it("fork during a FOLL_PIN read: the policy copies the pinned page for the child, the parent gets the data (prevented)", () => {
    const r = forkDuringRead({}, {});
    expect([r.parent, r.child]).toEqual(["file", "pare"]);
    expect(r.h.inst.oracle.hazards.map((z) => [z.class, z.outcome])).toEqual([["cow_divergence", "prevented"]]);
  });

  it("fork during a read whose page the policy does not copy: the parent's COW leaves the DMA in the old page (detected: the page looked pinned, nothing acted)", () => {
    const r = forkDuringRead({}, { policyOptions: { forkCopy: false } });
    // The parent copied away on write; the device wrote the page the child still maps.
    expect([r.parent, r.child]).toEqual(["pare", "file"]);
    expect(r.h.inst.oracle.hazards.map((z) => [z.class, z.outcome])).toEqual([["cow_divergence", "detected"]]);
  });

  it("fork during a legacy FOLL_GET read: nothing marks the page as pinned, the data is lost to the parent", () => {
    const r = forkDuringRead({ pinCall: "get" }, {});
    expect([r.parent, r.child]).toEqual(["pare", "file"]);
    expect(r.h.inst.oracle.count("cow_divergence", "undetected")).toBe(1);
  });

  it("records dma_to_truncated (detected: the truncated page still looks pinned) when the buffer's shmem page is truncated while the read is in flight", () => {
    const { h, p, k } = setup();
    const shm = k.createFile("shm", "shmem", 4 * PAGE_SIZE);
    h.mmapFile(p, "map", "shm", 4);
    expect(h.act("disk0", "read", { proc: "p1", addr: "map", length: 4096, file: "data", offset: 0 })).toMatchObject({ ok: true });
    expect(doTruncate(k, shm, 0)).toBe(0);
    k.clock.settle();
    expect(h.inst.oracle.count("dma_to_truncated", "detected")).toBe(1);
    expect(h.inst.oracle.count("dma_to_truncated", "undetected")).toBe(0);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expectConsistent(h.inst);
  });
});
