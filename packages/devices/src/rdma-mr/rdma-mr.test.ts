import {
  definePinPolicy, doExit, doFork, doTruncate, registerPinPolicy, EFAULT, EINVAL, ENOENT, ENOMEM, EOPNOTSUPP, EPERM, PAGE_SIZE, PG_DIRTY, touchRange, userRead, userWrite, writeback,
  type KernelConfigInput,
} from "@pinlab/core";
import { expectConsistent, testPolicy } from "@pinlab/core/testing";
import { describe, expect, it } from "vitest";
import { collect, frameAt, Harness, outstanding, type HarnessOptions } from "../test-support/harness.js";

const text = (b: Uint8Array | number) => new TextDecoder().decode(b as Uint8Array);

/** p1 with an anonymous buffer `buf` of `pages` pages and an rdma-mr device `hca0`. */
function setup(pages = 16, opts: { memlock?: number; device?: Record<string, unknown>; kernel?: Partial<KernelConfigInput>; plugins?: HarnessOptions["plugins"] } = {}) {
  const h = new Harness({ kernel: opts.kernel ?? {}, ...(opts.plugins !== undefined ? { plugins: opts.plugins } : {}) });
  h.attach("hca0", "rdma-mr", opts.device);
  const p = h.spawn("p1", opts.memlock);
  const buf = h.mmapAnon(p, "buf", pages);
  return { h, p, buf, k: h.inst.kernel };
}

describe("rdma-mr reg_mr", () => {
  it("pins the range long-term, charges pinned_vm and names the region", () => {
    const { h, p } = setup();
    const r = h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: "16KiB", access: ["local_write"] }, "mr");
    expect(r).toEqual({ ok: true, value: "mr", name: "mr" });
    expect(p.mm!.pinnedVm).toBe(4);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 4 });
    expect(h.inst.kernel.vmstat.nr_foll_pin_acquired).toBe(4);
    expectConsistent(h.inst);
  });

  it("generates mr1, mr2 without `as`, and refuses a name already in use", () => {
    const { h } = setup();
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096 })).toMatchObject({ ok: true, name: "mr1" });
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf+4KiB", length: 4096 })).toMatchObject({ ok: true, name: "mr2" });
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096 }, "mr1")).toMatchObject({ ok: false, errno: EINVAL });
    expect(outstanding(h.inst).pin).toBe(2);
  });

  it("refuses zero length, and remote write without local write (ib_check_mr_access), pinning nothing", () => {
    const { h, p } = setup();
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 0 })).toMatchObject({ ok: false, errno: EINVAL });
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096, access: ["remote_write"] })).toMatchObject({ ok: false, errno: EINVAL });
    expect(p.mm!.pinnedVm).toBe(0);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
  });

  it("refuses only a range that wraps with EINVAL (ib_umem_get); past TASK_SIZE pin_user_pages_fast answers EFAULT after the charge", () => {
    const { h, p } = setup();
    const gups = collect(h.inst, "gup");
    // The last page of the 64-bit space and one more byte: addr + size wraps.
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "0xffff_ffff_ffff_f000", length: "8KiB" })).toMatchObject({ ok: false, errno: EINVAL });
    // Ending inside the last page: PAGE_ALIGN(addr + size) wraps.
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "0xffff_ffff_ffff_e000", length: 4097 })).toMatchObject({ ok: false, errno: EINVAL });
    expect(gups).toHaveLength(0);
    // Ending exactly below the last page: no wrap; GUP-fast refuses it (end > TASK_SIZE_MAX).
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "0xffff_ffff_ffff_e000", length: 4096 })).toMatchObject({ ok: false, errno: EFAULT });
    expect(gups.map((e) => e.errno)).toEqual(["EFAULT"]);
    expect(p.mm!.pinnedVm).toBe(0);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expectConsistent(h.inst);
  });

  it("fails with ENOMEM past RLIMIT_MEMLOCK and leaves nothing pinned; CAP_IPC_LOCK bypasses the limit", () => {
    const { h, p } = setup(32, { memlock: 16 * PAGE_SIZE });
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: "40KiB", access: ["local_write"] })).toMatchObject({ ok: true });
    expect(p.mm!.pinnedVm).toBe(10);
    const gups = collect(h.inst, "gup");
    // 10 + 10 > 16: the charge is backed out before any pin is taken.
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf+40KiB", length: "40KiB", access: ["local_write"] })).toMatchObject({ ok: false, errno: ENOMEM });
    expect(gups).toHaveLength(0);
    expect(p.mm!.pinnedVm).toBe(10);
    expect(outstanding(h.inst).pin).toBe(10);
    expectConsistent(h.inst);

    const cap = setup(32, { memlock: 16 * PAGE_SIZE, device: { capIpcLock: true } });
    expect(cap.h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: "128KiB" })).toMatchObject({ ok: true });
    expect(cap.p.mm!.pinnedVm).toBe(32);
  });

  it("fails with EPERM when RLIMIT_MEMLOCK is 0 (can_do_mlock) unless CAP_IPC_LOCK", () => {
    const { h } = setup(4, { memlock: 0 });
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096 })).toMatchObject({ ok: false, errno: EPERM });
    const cap = setup(4, { memlock: 0, device: { capIpcLock: true } });
    expect(cap.h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096 })).toMatchObject({ ok: true });
  });

  it("passes the pin call's errno through: FOLL_LONGTERM on FS-DAX is EOPNOTSUPP, with pinned_vm restored", () => {
    const h = new Harness({ kernel: { machine: { memory: "64MiB", pmem: "16MiB" } } });
    h.attach("hca0", "rdma-mr");
    const p = h.spawn("p1");
    h.inst.kernel.createFile("pm", "fsdax", 4 * PAGE_SIZE);
    h.mmapFile(p, "dax", "pm", 4);
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "dax", length: "16KiB", access: ["local_write"] })).toMatchObject({ ok: false, errno: EOPNOTSUPP });
    expect(p.mm!.pinnedVm).toBe(0);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expectConsistent(h.inst);
  });

  it("pins in chunks of 512 pages (one page of struct page pointers), FOLL_WRITE only when writable", () => {
    const { h } = setup(1300);
    const gups = collect(h.inst, "gup");
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 1300 * PAGE_SIZE, access: ["local_write", "remote_write"] })).toMatchObject({ ok: true });
    expect(gups.map((e) => [e.call, e.nrPages, e.got, e.holder])).toEqual([
      ["pin_user_pages_fast", 512, 512, "hca0"],
      ["pin_user_pages_fast", 512, 512, "hca0"],
      ["pin_user_pages_fast", 276, 276, "hca0"],
    ]);
    expect(gups.every((e) => e.flags.includes("FOLL_LONGTERM") && e.flags.includes("FOLL_WRITE") && e.flags.includes("FOLL_PIN"))).toBe(true);
    gups.length = 0;
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096, access: ["remote_read"] })).toMatchObject({ ok: true });
    expect(gups[0].flags).toContain("FOLL_LONGTERM");
    expect(gups[0].flags).not.toContain("FOLL_WRITE");
    expect(h.inst.devices.get("hca0")!.view().counters.pagesPinned).toBe(1301);
    expectConsistent(h.inst);
  });

  it("unpins everything and restores pinned_vm when a later chunk fails", () => {
    const { h, p } = setup(600);
    const gups = collect(h.inst, "gup");
    // 700 pages asked, 600 mapped: chunk 1 pins 512, chunk 2 pins 88 and stops, chunk 3 faults.
    const r = h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 700 * PAGE_SIZE, access: ["local_write"] });
    expect(r).toMatchObject({ ok: false, errno: EFAULT });
    expect(gups.map((e) => e.got)).toEqual([512, 88, 0]);
    expect(p.mm!.pinnedVm).toBe(0);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expect(h.inst.kernel.vmstat.nr_foll_pin_acquired).toBe(h.inst.kernel.vmstat.nr_foll_pin_released);
    expect(h.inst.devices.get("hca0")!.view()).toMatchObject({ frames: [], counters: { regions: 0, failedRegistrations: 1 } });
    expectConsistent(h.inst);
  });
});

describe("rdma-mr dereg_mr", () => {
  it("unpins, gives pinned_vm back, and dirties the pages of a writable region only", () => {
    const h = new Harness();
    h.attach("hca0", "rdma-mr");
    const p = h.spawn("p1");
    h.inst.kernel.createFile("data", "ext4", 8 * PAGE_SIZE);
    const buf = h.mmapFile(p, "buf", "data", 8);
    expect(touchRange(h.inst.kernel, p, buf, 8 * PAGE_SIZE, true)).toBe(8);
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: "16KiB", access: ["local_write"] }, "rw")).toMatchObject({ ok: true });
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf+16KiB", length: "16KiB", access: ["remote_read"] }, "ro")).toMatchObject({ ok: true });
    writeback(h.inst.kernel, h.inst.kernel.file("data"));
    const dirty = (addr: number) => (h.inst.kernel.frames.flags[frameAt(p, addr)] & PG_DIRTY) !== 0;
    expect([dirty(buf), dirty(buf + 4 * PAGE_SIZE)]).toEqual([false, false]);
    const releases = collect(h.inst, "release");
    expect(h.act("hca0", "dereg_mr", { region: "rw" })).toEqual({ ok: true, value: undefined });
    expect(h.act("hca0", "dereg_mr", { region: "ro" })).toMatchObject({ ok: true });
    expect(releases.every((e) => e.call === "unpin_user_page_range_dirty_lock")).toBe(true);
    expect(releases.map((e) => e.dirty)).toContain(true);
    expect([dirty(buf), dirty(buf + 3 * PAGE_SIZE), dirty(buf + 4 * PAGE_SIZE)]).toEqual([true, true, false]);
    expect(p.mm!.pinnedVm).toBe(0);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
    expect(h.act("hca0", "dereg_mr", { region: "rw" })).toMatchObject({ ok: false, errno: ENOENT });
    expectConsistent(h.inst);
  });

  it("keeps the pages pinned across exit and gives pinned_vm back to the owning mm at deregistration", () => {
    const { h, p, k } = setup(4);
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: "16KiB", access: ["local_write"] }, "mr")).toMatchObject({ ok: true });
    const mm = p.mm!;
    doExit(k, p);
    expect(p.alive).toBe(false);
    expect(outstanding(h.inst).pin).toBe(4);
    expectConsistent(h.inst);
    expect(h.act("hca0", "dereg_mr", { region: "mr" })).toMatchObject({ ok: true });
    expect(mm.pinnedVm).toBe(0);
    expect(outstanding(h.inst).pin).toBe(0);
    expectConsistent(h.inst);
  });
});

describe("rdma-mr DMA", () => {
  it("reads and writes through the pinned frames, with offsets counted from the registered address", () => {
    const { h, p, buf, k } = setup(4);
    expect(userWrite(k, p, buf + 100, new TextEncoder().encode("hello"))).toBe(0);
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf+100", length: 8000, access: ["local_write"] }, "mr")).toMatchObject({ ok: true });
    expect(h.act("hca0", "dma_read", { region: "mr", offset: 0, length: 5 })).toEqual({ ok: true, value: "hello" });
    expect(h.act("hca0", "dma_write", { region: "mr", offset: 4096, data: "world" })).toEqual({ ok: true, value: 5 });
    expect(text(userRead(k, p, buf + 100 + 4096, 5))).toBe("world");
    expect(h.inst.devices.get("hca0")!.view().counters).toMatchObject({ dmaWrites: 1, dmaReads: 1, bytesWritten: 5, bytesRead: 5 });
  });

  it("checks bounds against the registered length (EINVAL) and write access (EPERM)", () => {
    const { h } = setup(4);
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096, access: ["local_write"] }, "mr")).toMatchObject({ ok: true });
    expect(h.act("hca0", "dma_write", { region: "mr", offset: 4091, data: "12345" })).toMatchObject({ ok: true });
    expect(h.act("hca0", "dma_write", { region: "mr", offset: 4092, data: "12345" })).toMatchObject({ ok: false, errno: EINVAL });
    expect(h.act("hca0", "dma_read", { region: "mr", offset: "4KiB", length: 1 })).toMatchObject({ ok: false, errno: EINVAL });
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096, access: ["remote_read"] }, "ro")).toMatchObject({ ok: true });
    expect(h.act("hca0", "dma_write", { region: "ro", offset: 0, data: "x" })).toMatchObject({ ok: false, errno: EPERM });
    expect(h.act("hca0", "dma_read", { region: "nope", offset: 0, length: 1 })).toMatchObject({ ok: false, errno: ENOENT });
  });

  it("lands a posted write only when the clock reaches dmaLatency, and flushes it at deregistration", () => {
    const { h, p, buf, k } = setup(4, { device: { dmaLatency: "10us" } });
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096, access: ["local_write"] }, "mr")).toMatchObject({ ok: true });
    expect(h.act("hca0", "dma_write", { region: "mr", offset: 0, data: "late" })).toMatchObject({ ok: true });
    expect(text(userRead(k, p, buf, 4))).toBe("\0\0\0\0");
    expect(h.inst.devices.get("hca0")!.view().counters.postedWrites).toBe(1);
    k.clock.advance(10_000);
    expect(text(userRead(k, p, buf, 4))).toBe("late");
    expect(h.act("hca0", "dma_write", { region: "mr", offset: 0, data: "lost" })).toMatchObject({ ok: true });
    expect(h.act("hca0", "dereg_mr", { region: "mr" })).toMatchObject({ ok: true });
    k.clock.settle();
    expect(text(userRead(k, p, buf, 4))).toBe("late");
    expect(h.inst.devices.get("hca0")!.view().counters.postedWritesFlushed).toBe(1);
  });
});

describe("rdma-mr and the hazard oracle", () => {
  it("records cow_divergence, detected, when fork shares a pinned page and the parent writes (policy double with forkCopy: false: the page looks pinned, fork does not act)", () => {
    const { h, p, buf, k } = setup(4, { kernel: { policyOptions: { forkCopy: false } } });
    expect(userWrite(k, p, buf, new TextEncoder().encode("v1"))).toBe(0);
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096, access: ["local_write"] }, "mr")).toMatchObject({ ok: true });
    const pinned = frameAt(p, buf);
    expect(typeof doFork(k, p, "child")).toBe("object");
    expect(userWrite(k, p, buf, new TextEncoder().encode("v2"))).toBe(0);
    expect(frameAt(p, buf)).not.toBe(pinned);
    expect(h.act("hca0", "dma_write", { region: "mr", offset: 0, data: "dev" })).toMatchObject({ ok: true });
    expect(text(userRead(k, p, buf, 3))).toBe("v2\0");
    expect(h.inst.oracle.hazards.filter((z) => z.class === "cow_divergence").map((z) => [z.outcome, z.device, z.pfn])).toEqual([["detected", "hca0", pinned]]);
    expectConsistent(h.inst);
  });

  it("records the fork copy as a prevented cow_divergence when the policy copies pinned pages at fork", () => {
    const { h, p, buf, k } = setup(4);
    expect(userWrite(k, p, buf, new TextEncoder().encode("v1"))).toBe(0);
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096, access: ["local_write"] }, "mr")).toMatchObject({ ok: true });
    doFork(k, p, "child");
    expect(userWrite(k, p, buf, new TextEncoder().encode("v2"))).toBe(0);
    expect(h.act("hca0", "dma_write", { region: "mr", offset: 0, data: "dev" })).toMatchObject({ ok: true });
    expect(text(userRead(k, p, buf, 3))).toBe("dev");
    expect(h.inst.oracle.hazards.map((z) => [z.class, z.outcome])).toEqual([["cow_divergence", "prevented"]]);
  });

  it("records dma_to_truncated, detected under a pinning policy, for a write into a shmem page the file no longer has", () => {
    const h = new Harness();
    h.attach("hca0", "rdma-mr");
    const p = h.spawn("p1");
    const shm = h.inst.kernel.createFile("shm", "shmem", 4 * PAGE_SIZE);
    h.mmapFile(p, "buf", "shm", 4);
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: "16KiB", access: ["local_write"] }, "mr")).toMatchObject({ ok: true });
    expect(doTruncate(h.inst.kernel, shm, 0)).toBe(0);
    expect(h.act("hca0", "dma_write", { region: "mr", offset: 0, data: "lost" })).toMatchObject({ ok: true });
    expect(h.inst.oracle.count("dma_to_truncated", "detected")).toBe(1);
    expect(h.inst.oracle.count("dma_to_truncated", "undetected")).toBe(0);
    expect(h.act("hca0", "dereg_mr", { region: "mr" })).toMatchObject({ ok: true });
    expectConsistent(h.inst);
  });

  it("records dma_after_clean (detected: the policy flags the pin) for a write after writeback cleaned the page", () => {
    const h = new Harness();
    h.attach("hca0", "rdma-mr");
    const p = h.spawn("p1");
    const data = h.inst.kernel.createFile("data", "ext4", 4 * PAGE_SIZE);
    const buf = h.mmapFile(p, "buf", "data", 4);
    expect(userWrite(h.inst.kernel, p, buf, new TextEncoder().encode("disk"))).toBe(0);
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096, access: ["local_write"] }, "mr")).toMatchObject({ ok: true });
    expect(writeback(h.inst.kernel, data)).toBe(1);
    expect(h.act("hca0", "dma_write", { region: "mr", offset: 0, data: "late" })).toMatchObject({ ok: true });
    expect(h.inst.oracle.hazards.map((z) => [z.class, z.outcome])).toEqual([["dma_after_clean", "detected"]]);
    expectConsistent(h.inst);
  });
});

describe("rdma-mr pin call", () => {
  it("pins through vaddr_pin_pages with the uverbs file as owner when asked, and releases through vaddr_unpin_pages_dirty_lock", () => {
    const { h } = setup(4, { device: { pinCall: "vaddr_pin_pages" } });
    const gups = collect(h.inst, "gup");
    const releases = collect(h.inst, "release");
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: "16KiB", access: ["local_write"] }, "mr")).toMatchObject({ ok: true });
    expect(gups.map((e) => [e.call, e.got])).toEqual([["vaddr_pin_pages", 4]]);
    expect(h.act("hca0", "dereg_mr", { region: "mr" })).toMatchObject({ ok: true });
    expect(releases.map((e) => [e.call, e.pages, e.dirty])).toEqual([["vaddr_unpin_pages_dirty_lock", 4, true]]);
    expect(outstanding(h.inst)).toEqual({ get: 0, pin: 0 });
  });

  it("uses pin_user_pages_fast under `auto` with a policy that declares no file pins", () => {
    const { h } = setup(4);
    const gups = collect(h.inst, "gup");
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096 })).toMatchObject({ ok: true });
    expect(gups[0].call).toBe("pin_user_pages_fast");
  });

  it("uses vaddr_pin_pages under `auto` with any policy that declares file pins, whatever its id", () => {
    const filePinner = definePinPolicy({
      meta: { ...testPolicy.meta, id: "some-file-pinner", capabilities: { ...testPolicy.meta.capabilities, filePins: true } },
      create: testPolicy.create,
    });
    const { h } = setup(4, { plugins: [(c) => registerPinPolicy(c, filePinner, "test")], kernel: { policy: "some-file-pinner" } });
    const gups = collect(h.inst, "gup");
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: 4096 })).toMatchObject({ ok: true });
    expect(gups.map((e) => e.call)).toEqual(["vaddr_pin_pages"]);
  });
});

describe("rdma-mr view", () => {
  it("shows the pinned frames with region labels", () => {
    const { h, p, buf } = setup(4);
    expect(h.act("hca0", "reg_mr", { proc: "p1", addr: "buf", length: "8KiB", access: ["local_write"] }, "mr")).toMatchObject({ ok: true });
    const v = h.inst.devices.get("hca0")!.view();
    expect(v.frames).toEqual([{ pfn: frameAt(p, buf), label: "mr:0" }, { pfn: frameAt(p, buf + PAGE_SIZE), label: "mr:1" }]);
    expect(v.counters).toMatchObject({ regions: 1, pagesPinned: 2, registrations: 1 });
  });
});
