import {
  EBUSY, EINVAL, EOPNOTSUPP, FOLL_LONGTERM, FOLL_PIN, FOLL_REMOTE, FOLL_WRITE, PAGE_SIZE, PluginOptionsError, doTruncate,
} from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { lab, policyKernel } from "../test-support/lab.js";
import { legacyGet } from "./descriptor.js";

describe("legacy-get counting (get_page / try_get_page / put_page, ~v5.3)", () => {
  it("turns every pin into one plain reference and cannot tell it from any other", () => {
    const l = lab("legacy-get");
    const p = l.spawn("p");
    const a = l.map(p, 4);
    l.touch(p, a, 4, true);
    const pages: number[] = [];
    expect(l.gup.pinUserPagesFast(p, a, 4, FOLL_WRITE, pages)).toBe(4);
    for (const pfn of pages) {
      expect(l.k.frames.refcount[pfn]).toBe(2);
      expect(l.policy.maybeDmaPinned(pfn)).toBe(false);
      expect(l.policy.pinCount(pfn)).toBe(0);
      expect(l.policy.refsForPins(pfn, 1)).toBe(1);
    }
    // FOLL_PIN does not exist: the pin counters stay still and MMF_HAS_PINNED is never set.
    expect(l.k.vmstat.nr_foll_pin_acquired).toBe(0);
    expect(l.k.vmstat.nr_gup_get_acquired).toBe(4);
    expect(p.mm!.hasPinned).toBe(false);
    l.check();
    l.gup.unpinUserPages(pages, 4);
    expect(l.k.vmstat.nr_gup_get_released).toBe(4);
    for (const pfn of pages) expect(l.k.frames.refcount[pfn]).toBe(1);
    l.check();
  });

  it("references the zero page too, as 2019 GUP get_page'd it", () => {
    const l = lab("legacy-get");
    const p = l.spawn("p");
    const a = l.map(p, 1);
    l.touch(p, a, 1, false);
    const zero = l.k.memory.zeroPfn;
    expect(l.pfnAt(p, a)).toBe(zero);
    const before = l.k.frames.refcount[zero];
    const pages: number[] = [];
    expect(l.gup.pinUserPages(p, a, 1, 0, pages)).toBe(1);
    expect(pages[0]).toBe(zero);
    expect(l.k.frames.refcount[zero]).toBe(before + 1);
    l.gup.unpinUserPage(zero);
    expect(l.k.frames.refcount[zero]).toBe(before);
    l.check();
  });

  it("refuses a grab after the refcount overflowed (try_get_page, v5.1+)", () => {
    const l = lab("legacy-get");
    const p = l.spawn("p");
    const a = l.map(p, 1);
    l.touch(p, a, 1, true);
    const pfn = l.pfnAt(p, a);
    expect(l.policy.grab(pfn, 2 ** 31 - 1, "pin")).toBe(true);
    expect(l.k.frames.refcount[pfn]).toBeLessThan(0);
    expect(l.policy.grab(pfn, 1, "pin")).toBe(false);
    l.policy.release(pfn, 2 ** 31 - 1, "pin");
    expect(l.k.frames.refcount[pfn]).toBe(1);
  });

  it("accepts FOLL_LONGTERM without FOLL_PIN but not on get_user_pages_remote", () => {
    const l = lab("legacy-get");
    expect(l.policy.checkFlags(FOLL_LONGTERM)).toBe(0);
    expect(l.policy.checkFlags(FOLL_LONGTERM | FOLL_PIN)).toBe(0);
    expect(l.policy.checkFlags(FOLL_LONGTERM | FOLL_REMOTE)).toBe(EINVAL);
    const p = l.spawn("p");
    const a = l.map(p, 2);
    const pages: number[] = [];
    expect(l.gup.getUserPages(p, a, 2, FOLL_LONGTERM | FOLL_WRITE, pages)).toBe(2);
    expect(l.gup.getUserPagesRemote(p, a, 2, FOLL_LONGTERM, [])).toBe(-EINVAL);
    l.gup.putPages(pages, 2);
    l.check();
  });

  it("never copies at fork, never unshares, migrates long-term pins out of CMA only", () => {
    const l = lab("legacy-get", {}, { memory: "16MiB", movable: "4MiB", cma: "4MiB" });
    const z = l.k.memory.zones;
    expect(l.policy.forkMustCopy(l.spawn("p").mm!, 1)).toBe(false);
    expect(l.policy.mustUnshare(undefined, FOLL_PIN | FOLL_LONGTERM, 1)).toBe(false);
    expect(l.policy.longtermPinnable(z[1].start)).toBe(true);
    expect(l.policy.longtermPinnable(z[2].start)).toBe(false);
    expect(l.policy.longtermPinnable(z[0].start + 5)).toBe(true);
  });

  it("has no leases and no file pins", () => {
    const l = lab("legacy-get");
    const file = l.k.createFile("f", "fsdax", PAGE_SIZE);
    expect(l.policy.setLease(file, 1, "exclusive")).toBe(EINVAL);
    expect(l.policy.filePins(1)).toEqual([]);
    expect(l.policy.accountingBytes()).toBe(0);
  });
});

describe("legacy-get options", () => {
  function daxPinned(opts: Record<string, unknown>) {
    const l = lab("legacy-get", opts, { memory: "16MiB", pmem: "4MiB" });
    const p = l.spawn("p");
    const file = l.k.createFile("pm", "fsdax", 2 * PAGE_SIZE);
    const a = l.map(p, 2, { shared: true, file });
    l.touch(p, a, 2, true);
    return { l, p, file, a };
  }

  it("fsdaxLongterm: false refuses long-term pins of FS-DAX (v5.3), true allows them (pre-v4.15)", () => {
    const refused = daxPinned({});
    expect(refused.l.gup.pinUserPages(refused.p, refused.a, 2, FOLL_LONGTERM | FOLL_WRITE, [])).toBe(-EOPNOTSUPP);
    const allowed = daxPinned({ fsdaxLongterm: true });
    const pages: number[] = [];
    expect(allowed.l.gup.pinUserPages(allowed.p, allowed.a, 2, FOLL_LONGTERM | FOLL_WRITE, pages)).toBe(2);
    allowed.l.check();
    allowed.l.gup.unpinUserPages(pages, 2);
  });

  it("daxBusyWait: true makes truncate of busy FS-DAX pages wait (EBUSY); false frees them under the holder", () => {
    const wait = daxPinned({});
    const pages: number[] = [];
    expect(wait.l.gup.getUserPages(wait.p, wait.a, 2, FOLL_WRITE, pages)).toBe(2);
    expect(doTruncate(wait.l.k, wait.file, 0, wait.p.pid)).toBe(-EBUSY);
    wait.l.check();
    const free = daxPinned({ daxBusyWait: false });
    const held: number[] = [];
    expect(free.l.gup.getUserPages(free.p, free.a, 2, FOLL_WRITE, held)).toBe(2);
    expect(doTruncate(free.l.k, free.file, 0, free.p.pid)).toBe(0);
    // The blocks went back to the filesystem while the GUP references remain: the next file reuses them.
    expect(free.l.k.memory.isAllocated(held[0])).toBe(false);
    free.l.check();
  });

  it.each([
    [{ fsdaxLongterm: "yes" }, /policyOptions\.fsdaxLongterm/],
    [{ daxBusyWait: 1 }, /policyOptions\.daxBusyWait/],
    [{ bias: 1024 }, /bias/],
  ])("createKernel refuses %j with an error naming the field", (policyOptions, message) => {
    expect(() => policyKernel("legacy-get", policyOptions)).toThrow(PluginOptionsError);
    expect(() => policyKernel("legacy-get", policyOptions)).toThrow(message);
  });

  it("describes itself", () => {
    expect(legacyGet.meta.options.parse({})).toEqual({ fsdaxLongterm: false });
    expect(legacyGet.meta.kernel).toMatch(/v5\.3/);
    expect(legacyGet.meta.defaultKernel).toBe("v5.3");
  });
});
