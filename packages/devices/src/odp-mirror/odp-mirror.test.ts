import {
  doExit, doFork, doMprotect, doMunmap, doTruncate, EFAULT, EINVAL, ENOENT, EPERM, migrateRange, PAGE_SIZE, PG_DIRTY, readFileData,
  touchRange, userRead, userWrite, VM_EXEC, VM_READ, VM_WRITE, writeback, type KernelConfigInput, type Process,
} from "@pinlab/core";
import { expectConsistent } from "@pinlab/core/testing";
import { describe, expect, it } from "vitest";
import { collect, frameAt, Harness, outstanding } from "../test-support/harness.js";

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | number) => new TextDecoder().decode(b as Uint8Array);

/** p1 with an anonymous buffer `buf` and an odp-mirror device `nic0` with region `mr` over it. */
function setup(pages = 4, device: Record<string, unknown> = {}, kernel: Partial<KernelConfigInput> = {}) {
  const h = new Harness({ kernel });
  h.attach("nic0", "odp-mirror", device);
  const p = h.spawn("p1");
  const buf = h.mmapAnon(p, "buf", pages);
  expect(h.act("nic0", "reg_mr", { proc: "p1", addr: "buf", length: pages * PAGE_SIZE }, "mr")).toEqual({ ok: true, value: "mr", name: "mr" });
  const counters = () => h.inst.devices.get("nic0")!.view().counters;
  return { h, p, buf, k: h.inst.kernel, counters };
}

function refcountAt(h: Harness, p: Process, addr: number): number {
  return h.inst.kernel.frames.refcount[frameAt(p, addr)];
}

describe("odp-mirror registration", () => {
  it("inserts an interval notifier and pins nothing, charging no pinned_vm", () => {
    const { h, p, counters } = setup();
    expect(h.inst.kernel.notifiers.intervals(p.mm!).map((n) => [n.start, n.end - n.start])).toEqual([[h.bindings.get("buf"), 4 * PAGE_SIZE]]);
    expect(p.mm!.pinnedVm).toBe(0);
    expect(counters()).toMatchObject({ regions: 1, mirrored: 0 });
    expect(h.act("nic0", "reg_mr", { proc: "p1", addr: "buf", length: 0 })).toMatchObject({ ok: false, errno: EINVAL });
    expect(h.act("nic0", "reg_mr", { proc: "p1", addr: "buf", length: 4096 })).toMatchObject({ ok: true, name: "mr1" });
  });

  it("dereg_mr zaps the mirror and removes the notifier", () => {
    const { h, p, counters } = setup();
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "x" })).toMatchObject({ ok: true });
    expect(h.act("nic0", "dereg_mr", { region: "mr" })).toMatchObject({ ok: true });
    expect(h.inst.kernel.notifiers.intervals(p.mm!)).toHaveLength(0);
    expect(counters()).toMatchObject({ regions: 0, mirrored: 0, pagesZapped: 1 });
    expect(h.act("nic0", "dma_read", { region: "mr", offset: 0, length: 1 })).toMatchObject({ ok: false, errno: ENOENT });
  });
});

describe("odp-mirror device faults", () => {
  it("faults on a DMA miss and holds no reference on the frames it mirrors", () => {
    const { h, p, buf, k, counters } = setup();
    const gups = collect(h.inst, "gup");
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 4096, data: "dev" })).toEqual({ ok: true, value: 3 });
    expect(text(userRead(k, p, buf + 4096, 3))).toBe("dev");
    expect(gups).toHaveLength(0);
    expect(refcountAt(h, p, buf + 4096)).toBe(1);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expect(counters()).toMatchObject({ faults: 1, faultPasses: 1, retries: 0, pagesMapped: 1, pagesCopied: 1, mirrored: 1 });
    // A second access hits the mirror: no fault.
    expect(h.act("nic0", "dma_read", { region: "mr", offset: 4096, length: 3 })).toEqual({ ok: true, value: "dev" });
    expect(counters()).toMatchObject({ faults: 1, pagesCopied: 2 });
    expectConsistent(h.inst);
  });

  it("retries a write fault whose COW invalidated the range (zero page -> new page), counting the passes", () => {
    const { h, p, buf, k, counters } = setup();
    // Untouched anonymous memory is the zero page; a DMA read returns exactly its bytes: NULs.
    expect(h.act("nic0", "dma_read", { region: "mr", offset: 0, length: 2 })).toEqual({ ok: true, value: "\0\0" });
    expect(frameAt(p, buf)).toBe(k.memory.zeroPfn);
    expect(counters()).toMatchObject({ faults: 1, faultPasses: 1 });
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "ok" })).toMatchObject({ ok: true });
    expect(frameAt(p, buf)).not.toBe(k.memory.zeroPfn);
    expect(text(userRead(k, p, buf, 2))).toBe("ok");
    // The write fault copied the zero page: that invalidated the entry mid-walk (-EBUSY), so a second pass ran.
    expect(counters()).toMatchObject({ faults: 2, faultPasses: 3, retries: 1, invalidations: 1 });
    expectConsistent(h.inst);
  });

  it("checks bounds (EINVAL), write access (EPERM) and region names (ENOENT)", () => {
    const { h } = setup(1);
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 4095, data: "ab" })).toMatchObject({ ok: false, errno: EINVAL });
    expect(h.act("nic0", "prefetch", { region: "mr", offset: 0, length: "8KiB" })).toMatchObject({ ok: false, errno: EINVAL });
    expect(h.act("nic0", "dma_read", { region: "none", offset: 0, length: 1 })).toMatchObject({ ok: false, errno: ENOENT });
    expect(h.act("nic0", "reg_mr", { proc: "p1", addr: "buf", length: 4096, access: ["remote_read"] }, "ro")).toMatchObject({ ok: true });
    expect(h.act("nic0", "dma_write", { region: "ro", offset: 0, data: "x" })).toMatchObject({ ok: false, errno: EPERM });
    expect(h.act("nic0", "dma_read", { region: "ro", offset: 0, length: 1 })).toMatchObject({ ok: true });
  });

  it("fails with EFAULT where the range has no mapping", () => {
    const { h, counters } = setup(2);
    expect(h.act("nic0", "reg_mr", { proc: "p1", addr: "buf", length: "12KiB" }, "big")).toMatchObject({ ok: true });
    expect(h.act("nic0", "dma_read", { region: "big", offset: 0, length: "12KiB" })).toMatchObject({ ok: false, errno: EFAULT });
    expect(counters().faultErrors).toBe(1);
  });
});

describe("odp-mirror invalidation", () => {
  it("munmap zaps the entries; a later DMA faults and fails with EFAULT", () => {
    const { h, p, buf, k, counters } = setup();
    const invalidates = collect(h.inst, "device");
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "abc" })).toMatchObject({ ok: true });
    expect(doMunmap(k, p, buf, 4 * PAGE_SIZE)).toBe(1);
    expect(invalidates.filter((e) => e.action === "invalidate").map((e) => [e.detail.event, e.detail.zapped])).toEqual([["unmap", 1]]);
    expect(counters()).toMatchObject({ mirrored: 0, invalidations: 1, pagesZapped: 1 });
    expect(h.act("nic0", "dma_read", { region: "mr", offset: 0, length: 3 })).toMatchObject({ ok: false, errno: EFAULT });
    expect(h.inst.oracle.hazards).toEqual([]);
    expectConsistent(h.inst);
  });

  it("mprotect to read-only zaps; reads refault, writes fail with EPERM (hmm_vma_fault needs VM_WRITE)", () => {
    const { h, p, buf, k, counters } = setup();
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "abc" })).toMatchObject({ ok: true });
    expect(doMprotect(k, p, buf, 4 * PAGE_SIZE, VM_READ)).toBe(0);
    expect(counters().mirrored).toBe(0);
    expect(h.act("nic0", "dma_read", { region: "mr", offset: 0, length: 3 })).toEqual({ ok: true, value: "abc" });
    expect(h.inst.devices.get("nic0")!.view().frames).toEqual([{ pfn: frameAt(p, buf), label: "mr:0 ro" }]);
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "x" })).toMatchObject({ ok: false, errno: EPERM });
  });

  it("writeback's clean zaps the entry; the next device write refaults through page_mkwrite and dirties the page (no hazard)", () => {
    const h = new Harness();
    h.attach("nic0", "odp-mirror");
    const p = h.spawn("p1");
    const data = h.inst.kernel.createFile("data", "ext4", 4 * PAGE_SIZE);
    const buf = h.mmapFile(p, "buf", "data", 4);
    const k = h.inst.kernel;
    expect(h.act("nic0", "reg_mr", { proc: "p1", addr: "buf", length: "16KiB" }, "mr")).toMatchObject({ ok: true });
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "one" })).toMatchObject({ ok: true });
    const dirty = () => (k.frames.flags[frameAt(p, buf)] & PG_DIRTY) !== 0;
    expect(dirty()).toBe(true);
    expect(writeback(k, data)).toBe(1);
    expect(dirty()).toBe(false);
    expect(h.inst.devices.get("nic0")!.view().counters.mirrored).toBe(0);
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "two" })).toMatchObject({ ok: true });
    expect(dirty()).toBe(true);
    expect(writeback(k, data)).toBe(1);
    expect(text(readFileData(k, data, 0, 3))).toBe("two");
    expect(h.inst.oracle.hazards).toEqual([]);
    expectConsistent(h.inst);
  });

  it("marks pages dirty when it zaps entries that were mapped writable (ib_umem_odp_unmap_dma_pages)", () => {
    const h = new Harness();
    h.attach("nic0", "odp-mirror");
    const p = h.spawn("p1");
    h.inst.kernel.createFile("shm", "shmem", 2 * PAGE_SIZE);
    const buf = h.mmapFile(p, "buf", "shm", 2);
    const k = h.inst.kernel;
    expect(touchRange(k, p, buf, 2 * PAGE_SIZE, false)).toBe(2);
    const pfn = frameAt(p, buf);
    expect(h.act("nic0", "reg_mr", { proc: "p1", addr: "buf", length: "8KiB" }, "mr")).toMatchObject({ ok: true });
    // shmem needs no write-notify: the read fault mapped the PTE writable, so the entry is writable.
    expect(h.act("nic0", "dma_read", { region: "mr", offset: 0, length: 1 })).toMatchObject({ ok: true });
    expect(h.inst.devices.get("nic0")!.view().frames[0].label).toBe("mr:0 rw");
    expect(k.frames.flags[pfn] & PG_DIRTY).toBe(0);
    expect(doMunmap(k, p, buf, 2 * PAGE_SIZE)).toBe(2);
    expect(k.frames.flags[pfn] & PG_DIRTY).toBe(PG_DIRTY);
    expect(h.inst.devices.get("nic0")!.view().counters.pagesDirtied).toBe(1);
  });

  it("migration moves the page under the mirror: the entry is zapped and the next DMA maps the new frame", () => {
    const { h, p, buf, k, counters } = setup();
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "moved" })).toMatchObject({ ok: true });
    const before = frameAt(p, buf);
    expect(migrateRange(k, p.pid, buf, PAGE_SIZE)).toEqual({ migrated: 1, failed: 0 });
    const after = frameAt(p, buf);
    expect(after).not.toBe(before);
    expect(counters().mirrored).toBe(0);
    expect(h.act("nic0", "dma_read", { region: "mr", offset: 0, length: 5 })).toEqual({ ok: true, value: "moved" });
    expect(h.inst.devices.get("nic0")!.view().frames.map((f) => f.pfn)).toEqual([after]);
    expectConsistent(h.inst);
  });

  it("truncate zaps the entries of the removed pages, so no DMA reaches a truncated page", () => {
    const h = new Harness();
    h.attach("nic0", "odp-mirror");
    const p = h.spawn("p1");
    const shm = h.inst.kernel.createFile("shm", "shmem", 2 * PAGE_SIZE);
    h.mmapFile(p, "buf", "shm", 2);
    expect(h.act("nic0", "reg_mr", { proc: "p1", addr: "buf", length: "8KiB" }, "mr")).toMatchObject({ ok: true });
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "gone" })).toMatchObject({ ok: true });
    expect(doTruncate(h.inst.kernel, shm, 0)).toBe(0);
    expect(h.inst.devices.get("nic0")!.view().counters.mirrored).toBe(0);
    // Beyond EOF the fault is SIGBUS: the device gets EFAULT instead of writing a page the file lost.
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "late" })).toMatchObject({ ok: false, errno: EFAULT });
    expect(h.inst.oracle.count("dma_to_truncated")).toBe(0);
    expectConsistent(h.inst);
  });

  it("fork write-protects and zaps; after the parent's COW the device follows the parent's new page", () => {
    const { h, p, buf, k } = setup(1, {}, { policyOptions: { forkCopy: false } });
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "v1" })).toMatchObject({ ok: true });
    const child = doFork(k, p, "child") as Process;
    expect(h.inst.devices.get("nic0")!.view().counters.mirrored).toBe(0);
    expect(userWrite(k, p, buf, enc("v2"))).toBe(0);
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "d" })).toMatchObject({ ok: true });
    expect(text(userRead(k, p, buf, 2))).toBe("d2");
    expect(text(userRead(k, child, buf, 2))).toBe("v1");
    expect(h.inst.oracle.hazards).toEqual([]);
    expectConsistent(h.inst);
  });

  it("exit zaps everything (MMU_NOTIFY_RELEASE, then MMU_NOTIFY_UNMAP: exit_mmap); later faults fail with EINVAL (mmget_not_zero)", () => {
    const { h, p, k, counters } = setup();
    expect(h.act("nic0", "dma_write", { region: "mr", offset: 0, data: "x" })).toMatchObject({ ok: true });
    doExit(k, p);
    expect(counters()).toMatchObject({ mirrored: 0, invalidations: 2 });
    expect(h.act("nic0", "dma_read", { region: "mr", offset: 0, length: 1 })).toMatchObject({ ok: false, errno: EINVAL });
    expectConsistent(h.inst);
  });
});

describe("odp-mirror fault latency and read_retry", () => {
  it("does nothing until the clock advances, then maps", () => {
    const { h, k, counters } = setup(4, { faultLatency: "10us" });
    expect(h.act("nic0", "prefetch", { region: "mr", offset: 0, length: "8KiB", write: true })).toEqual({ ok: true, value: 2 });
    expect(counters()).toMatchObject({ mirrored: 0, pendingFaults: 1, faultPasses: 1 });
    k.clock.advance(9_999);
    expect(counters().mirrored).toBe(0);
    k.clock.advance(1);
    expect(counters()).toMatchObject({ mirrored: 2, pendingFaults: 0, retries: 0 });
  });

  it("retries a fault that an invalidation raced with (migration between walk and mirror update: row 19)", () => {
    const { h, p, buf, k, counters } = setup(4, { faultLatency: "10us" });
    expect(userWrite(k, p, buf, enc("data"))).toBe(0);
    const faults = collect(h.inst, "device");
    expect(h.act("nic0", "prefetch", { region: "mr", offset: 0, length: 4096 })).toMatchObject({ ok: true });
    const old = frameAt(p, buf);
    k.clock.advance(5_000);
    // No pin is held, so the page migrates freely in the middle of the fault.
    expect(migrateRange(k, p.pid, buf, PAGE_SIZE)).toEqual({ migrated: 1, failed: 0 });
    const moved = frameAt(p, buf);
    k.clock.advance(5_000);
    // read_retry saw the invalidation: nothing was published, a second pass started.
    expect(counters()).toMatchObject({ mirrored: 0, faultPasses: 2, retries: 1, pendingFaults: 1 });
    k.clock.advance(10_000);
    expect(counters()).toMatchObject({ mirrored: 1, faultPasses: 2, retries: 1, pendingFaults: 0 });
    expect(h.inst.devices.get("nic0")!.view().frames.map((f) => f.pfn)).toEqual([moved]);
    expect(moved).not.toBe(old);
    expect(faults.filter((e) => e.action === "fault").map((e) => [e.detail.passes, e.detail.mapped])).toEqual([[2, 1]]);
    expect(h.act("nic0", "dma_read", { region: "mr", offset: 0, length: 4 })).toEqual({ ok: true, value: "data" });
    expectConsistent(h.inst);
  });

  it("gives up with EBUSY after maxFaultPasses collisions", () => {
    const { h, p, buf, k, counters } = setup(1, { faultLatency: "10us", maxFaultPasses: 2 });
    const events = collect(h.inst, "device");
    expect(h.act("nic0", "prefetch", { region: "mr", offset: 0, length: 4096 })).toMatchObject({ ok: true });
    for (let i = 0; i < 2; i++) {
      k.clock.advance(5_000);
      // Alternate the protection: an mprotect that changes nothing tells no notifier (v6.12 mprotect_fixup).
      expect(doMprotect(k, p, buf, PAGE_SIZE, i % 2 === 0 ? VM_READ : VM_READ | VM_WRITE)).toBe(0);
      k.clock.advance(5_000);
    }
    expect(counters()).toMatchObject({ mirrored: 0, faultPasses: 2, retries: 2, faultErrors: 1, pendingFaults: 0 });
    expect(events.filter((e) => e.action === "fault").map((e) => e.detail.errno)).toEqual(["EBUSY"]);
  });

  it("gives up with EBUSY once faultTimeout (HMM_RANGE_DEFAULT_TIMEOUT) has passed", () => {
    const { h, p, buf, k, counters } = setup(1, { faultLatency: "10us", faultTimeout: "15us" });
    expect(h.act("nic0", "prefetch", { region: "mr", offset: 0, length: 4096 })).toMatchObject({ ok: true });
    k.clock.advance(5_000);
    doMprotect(k, p, buf, PAGE_SIZE, VM_READ);
    k.clock.advance(10_000); // t=15us: first pass collided at t=10us (elapsed 10us < 15us): second pass
    doMprotect(k, p, buf, PAGE_SIZE, VM_READ | VM_WRITE);
    k.clock.advance(10_000); // t=25us: second pass collides, elapsed 20us >= 15us
    expect(counters()).toMatchObject({ faultPasses: 2, retries: 2, faultErrors: 1, mirrored: 0 });
  });

  it("reports a synchronous prefetch failure (no latency) as the step's errno", () => {
    const { h, p, buf, k } = setup(1);
    doMunmap(k, p, buf, PAGE_SIZE);
    expect(h.act("nic0", "prefetch", { region: "mr", offset: 0, length: 1 })).toMatchObject({ ok: false, errno: EFAULT });
  });
});

describe("odp-mirror fill modes (the 2019 get_user_pages_remote + put_page question)", () => {
  for (const fill of ["get", "pin"] as const) {
    it(`fill: ${fill} takes a reference while filling and drops it right after mapping`, () => {
      const { h, p, buf, k, counters } = setup(2, { fill, faultLatency: "10us" });
      expect(userWrite(k, p, buf, enc("page"))).toBe(0);
      const gups = collect(h.inst, "gup");
      const releases = collect(h.inst, "release");
      expect(refcountAt(h, p, buf)).toBe(1);
      expect(h.act("nic0", "prefetch", { region: "mr", offset: 0, length: 4096 })).toMatchObject({ ok: true });
      expect(gups.map((e) => [e.call, e.got, e.holder])).toEqual([[fill === "get" ? "get_user_pages_remote" : "pin_user_pages_remote", 1, "nic0"]]);
      expect(outstanding(h.inst)).toEqual(fill === "get" ? { get: 1, pin: 0 } : { get: 0, pin: 1 });
      expect(h.inst.kernel.policy.maybeDmaPinned(frameAt(p, buf))).toBe(fill === "pin");
      // While the reference is held, migration of the page fails.
      expect(migrateRange(k, p.pid, buf, PAGE_SIZE)).toEqual({ migrated: 0, failed: 1 });
      expectConsistent(h.inst);
      k.clock.advance(10_000);
      expect(releases.map((e) => [e.call, e.pages])).toEqual([[fill === "get" ? "put_page" : "unpin_user_pages", 1]]);
      expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
      expect(refcountAt(h, p, buf)).toBe(1);
      expect(counters()).toMatchObject({ mirrored: 1, transientRefs: 1, retries: 0 });
      // Now nothing holds it: migration succeeds and invalidates the mirror.
      expect(migrateRange(k, p.pid, buf, PAGE_SIZE)).toEqual({ migrated: 1, failed: 0 });
      expect(counters().mirrored).toBe(0);
      expectConsistent(h.inst);
    });
  }

  it("drops the fill references of a pass that collided", () => {
    const { h, p, buf, k, counters } = setup(1, { fill: "pin", faultLatency: "10us" });
    expect(h.act("nic0", "prefetch", { region: "mr", offset: 0, length: 4096, write: true })).toMatchObject({ ok: true });
    k.clock.advance(5_000);
    doMprotect(k, p, buf, PAGE_SIZE, VM_READ | VM_WRITE | VM_EXEC);
    k.clock.advance(5_000);
    expect(counters()).toMatchObject({ retries: 1, transientRefs: 2, pendingFaults: 1 });
    expect(outstanding(h.inst).pin).toBe(1);
    k.clock.advance(10_000);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expect(counters().mirrored).toBe(1);
    expectConsistent(h.inst);
  });

  it("dereg_mr cancels a fault in flight and drops its references", () => {
    const { h, k, counters } = setup(1, { fill: "pin", faultLatency: "10us" });
    expect(h.act("nic0", "prefetch", { region: "mr", offset: 0, length: 4096, write: true })).toMatchObject({ ok: true });
    expect(outstanding(h.inst).pin).toBe(1);
    expect(h.act("nic0", "dereg_mr", { region: "mr" })).toMatchObject({ ok: true });
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    k.clock.settle();
    expect(counters()).toMatchObject({ mirrored: 0, pendingFaults: 0, faultErrors: 0 });
    expectConsistent(h.inst);
  });

  it("with fill: none the same race migrates the page and the fault retries", () => {
    const { h, p, buf, k, counters } = setup(1, { faultLatency: "10us" });
    expect(userWrite(k, p, buf, enc("x"))).toBe(0);
    expect(h.act("nic0", "prefetch", { region: "mr", offset: 0, length: 4096 })).toMatchObject({ ok: true });
    expect(migrateRange(k, p.pid, buf, PAGE_SIZE)).toEqual({ migrated: 1, failed: 0 });
    k.clock.settle();
    expect(counters()).toMatchObject({ mirrored: 1, retries: 1, transientRefs: 0 });
    expect(h.inst.devices.get("nic0")!.view().frames.map((f) => f.pfn)).toEqual([frameAt(p, buf)]);
  });
});
