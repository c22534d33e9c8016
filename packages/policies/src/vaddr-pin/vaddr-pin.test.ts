import {
  EAGAIN, EBUSY, EINVAL, EPERM, FOLL_LONGTERM, FOLL_WRITE, PAGE_SIZE, PluginOptionsError, type KernelEvent,
} from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { lab, policyKernel } from "../test-support/lab.js";
import { vaddrPin } from "./descriptor.js";

function daxLab(opts: Record<string, unknown> = {}) {
  const l = lab("vaddr-pin", opts, { memory: "16MiB", pmem: "4MiB" });
  l.k.events.keepLog();
  const p = l.spawn("rdma");
  const file = l.k.createFile("pm", "fsdax", 8 * PAGE_SIZE);
  const a = l.map(p, 8, { shared: true, file });
  l.touch(p, a, 8, true);
  return { l, p, file, a };
}

function leaseEvents(l: ReturnType<typeof daxLab>["l"]): KernelEvent<"lease">[] {
  return l.k.events.events.filter((e): e is KernelEvent<"lease"> => e.type === "lease");
}

describe("vaddr-pin layout leases (F_LAYOUT, F_EXCLUSIVE, F_UNLCK; RFC 01-02/19)", () => {
  it("lets layout leases coexist but only one exclusive lease (EAGAIN), and emits one event per request", () => {
    const { l, p, file } = daxLab();
    const q = l.spawn("other");
    expect(l.policy.setLease(file, p.pid, "layout")).toBe(0);
    expect(l.policy.setLease(file, q.pid, "layout")).toBe(0);
    expect(l.policy.setLease(file, p.pid, "exclusive")).toBe(0);
    expect(l.policy.setLease(file, q.pid, "exclusive")).toBe(EAGAIN);
    expect(file.leases.all).toEqual([{ pid: q.pid, exclusive: false }, { pid: p.pid, exclusive: true }]);
    expect(leaseEvents(l).map((e) => [e.pid, e.op, e.errno])).toEqual([
      [p.pid, "layout", undefined], [q.pid, "layout", undefined], [p.pid, "exclusive", undefined], [q.pid, "exclusive", "EAGAIN"],
    ]);
  });

  it("answers F_UNLCK without a lease with EAGAIN (generic_delete_lease)", () => {
    const { l, p, file } = daxLab();
    expect(l.policy.setLease(file, p.pid, "unlock")).toBe(EAGAIN);
  });

  it("refuses leases on the internal file behind a shared anonymous mapping (no fd)", () => {
    const { l, p } = daxLab();
    const a = l.map(p, 1, { shared: true });
    // The VMA knows its file as the mm sees it; the inode (with its leases) is the kernel's.
    const inode = l.k.inodes.get(p.mm!.findVma(a)!.file!.id)!;
    expect(inode.internal).toBe(true);
    expect(l.policy.setLease(inode, p.pid, "layout")).toBe(EINVAL);
  });
});

describe("vaddr-pin file pins", () => {
  it("records one 64-byte object per (owner, file) and drops it on vaddr_unpin_pages", () => {
    const { l, p, file, a } = daxLab();
    expect(l.policy.setLease(file, p.pid, "exclusive")).toBe(0);
    const pages: number[] = [];
    expect(l.gup.vaddrPinPages(p, a, 8, FOLL_WRITE, pages, { file: "uverbs0" })).toBe(8);
    expect(l.policy.filePins(p.pid)).toEqual([{ owner: "file:uverbs0", file: "pm", refs: 8 }]);
    expect(l.policy.accountingBytes()).toBe(64);
    // Every pinned page still carries the FOLL_PIN bias (the RFC adds to FOLL_PIN, it does not replace it).
    expect(l.k.frames.refcount[pages[0]]).toBeGreaterThanOrEqual(1024);
    expect(l.policy.maybeDmaPinned(pages[0])).toBe(true);
    l.check();
    l.gup.vaddrUnpinPages(pages.slice(0, 3), 3, { file: "uverbs0" }, p.pid);
    expect(l.policy.filePins(p.pid)).toEqual([{ owner: "file:uverbs0", file: "pm", refs: 5 }]);
    l.gup.vaddrUnpinPages(pages.slice(3), 5, { file: "uverbs0" }, p.pid);
    expect(l.policy.filePins(p.pid)).toEqual([]);
    expect(l.policy.accountingBytes()).toBe(0);
    l.check();
  });

  it("refuses vaddr_pin_pages without an owner (EINVAL) and a plain long-term pin of DAX (EPERM)", () => {
    const { l, p, file, a } = daxLab();
    expect(l.policy.setLease(file, p.pid, "exclusive")).toBe(0);
    expect(l.gup.vaddrPinPages(p, a, 1, 0, [], {})).toBe(-EINVAL);
    expect(l.gup.pinUserPages(p, a, 1, FOLL_LONGTERM, [])).toBe(-EPERM);
    expect(l.gup.pinUserPagesFast(p, a, 1, FOLL_LONGTERM | FOLL_WRITE, [])).toBe(-EPERM);
    l.check();
  });

  it("leaseRelease: block refuses F_UNLCK while the holder has pins (EBUSY); allow lets the pins outlive the lease", () => {
    for (const [mode, expected] of [["block", EBUSY], ["allow", 0]] as const) {
      const { l, p, file, a } = daxLab({ leaseRelease: mode });
      expect(l.policy.setLease(file, p.pid, "exclusive")).toBe(0);
      const pages: number[] = [];
      expect(l.gup.vaddrPinPages(p, a, 2, FOLL_WRITE, pages, { pid: p.pid })).toBe(2);
      expect(l.policy.setLease(file, p.pid, "unlock")).toBe(expected);
      expect(l.policy.filePins(p.pid)).toEqual([{ owner: `mm:${p.pid}`, file: "pm", refs: 2 }]);
      l.gup.vaddrUnpinPages(pages, 2, { pid: p.pid }, p.pid);
      // Without pins the release goes through in both variants.
      if (mode === "block") expect(l.policy.setLease(file, p.pid, "unlock")).toBe(0);
      l.check();
    }
  });
});

describe("vaddr-pin options", () => {
  it("defaults to the RFC's choices", () => {
    expect(vaddrPin.meta.options.parse({})).toEqual({ bias: 1024, exclusiveLeaseWithoutPins: "refuse", leaseRelease: "allow", pageCacheLeases: false });
  });

  it.each([
    [{ leaseRelease: "wait" }, /policyOptions\.leaseRelease/],
    [{ exclusiveLeaseWithoutPins: true }, /policyOptions\.exclusiveLeaseWithoutPins/],
    [{ pageCacheLeases: "no" }, /policyOptions\.pageCacheLeases/],
    [{ bias: 0 }, /policyOptions\.bias/],
    [{ leases: true }, /leases/],
  ])("createKernel refuses %j with an error naming the field", (policyOptions, message) => {
    expect(() => policyKernel("vaddr-pin", policyOptions)).toThrow(PluginOptionsError);
    expect(() => policyKernel("vaddr-pin", policyOptions)).toThrow(message);
  });
});
