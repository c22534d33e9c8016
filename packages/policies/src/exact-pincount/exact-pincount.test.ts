import { FOLL_WRITE, PluginOptionsError } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { lab, policyKernel } from "../test-support/lab.js";
import { exactPincount } from "./descriptor.js";

function smallPage() {
  const l = lab("exact-pincount");
  const p = l.spawn("p");
  const a = l.map(p, 1);
  l.touch(p, a, 1, true);
  return { l, p, a, pfn: l.pfnAt(p, a) };
}

describe("exact-pincount counting", () => {
  it("adds one reference and one exact pin per pin, so maybeDmaPinned is exact", () => {
    const { l, p, a, pfn } = smallPage();
    const pages: number[] = [];
    expect(l.gup.pinUserPagesFast(p, a, 1, FOLL_WRITE, pages)).toBe(1);
    expect(l.k.frames.refcount[pfn]).toBe(2);
    expect(l.policy.pinCount(pfn)).toBe(1);
    expect(l.policy.maybeDmaPinned(pfn)).toBe(true);
    expect(l.policy.refsForPins(pfn, 1)).toBe(1);
    l.check();
    l.gup.unpinUserPages(pages, 1);
    expect(l.policy.pinCount(pfn)).toBe(0);
    expect(l.policy.maybeDmaPinned(pfn)).toBe(false);
    l.check();
  });

  it("keeps plain references out of the pin count: 5000 gets look unpinned", () => {
    const { l, pfn } = smallPage();
    expect(l.policy.grab(pfn, 5000, "get")).toBe(true);
    expect(l.policy.maybeDmaPinned(pfn)).toBe(false);
    l.policy.release(pfn, 5000, "get");
  });

  it("has no bias overflow: 2^21 + 1 pins of one page go through; only the int32 refcount overflows", () => {
    const { l, pfn } = smallPage();
    const f = l.k.frames;
    let n = 0;
    while (n <= 2 ** 21 && l.policy.grab(pfn, 1, "pin")) n++;
    expect(n).toBe(2 ** 21 + 1);
    expect(f.refcount[pfn]).toBe(1 + n);
    // Reach the int32 boundary cheaply: two grabs of 2^30 references each.
    expect(l.policy.grab(pfn, 2 ** 30, "pin")).toBe(true);
    expect(l.policy.grab(pfn, 2 ** 30, "pin")).toBe(true);
    expect(f.refcount[pfn]).toBeLessThan(0);
    expect(l.policy.grab(pfn, 1, "pin")).toBe(false);
    l.policy.release(pfn, 2 ** 30, "pin");
    l.policy.release(pfn, 2 ** 30, "pin");
    l.policy.release(pfn, n, "pin");
    expect(f.refcount[pfn]).toBe(1);
    expect(l.policy.pinCount(pfn)).toBe(0);
    l.check();
  });

  it("never pins the zero page", () => {
    const l = lab("exact-pincount");
    const zero = l.k.memory.zeroPfn;
    const before = l.k.frames.refcount[zero];
    expect(l.policy.grab(zero, 3, "pin")).toBe(true);
    expect(l.k.frames.refcount[zero]).toBe(before);
    expect(l.policy.pinCount(zero)).toBe(0);
    l.policy.release(zero, 3, "pin");
    expect(l.policy.refsForPins(zero, 3)).toBe(0);
  });

  it("costs 4 bytes per frame, whatever is pinned", () => {
    const l = lab("exact-pincount", {}, { memory: "16MiB", pmem: "4MiB" });
    expect(l.policy.accountingBytes()).toBe(4 * l.k.memory.nrFrames);
    expect(l.policy.accountingBytes()).toBe(4 * ((16 + 4) * 256));
  });
});

describe("exact-pincount options", () => {
  it("has none and refuses unknown ones", () => {
    expect(exactPincount.meta.options.parse({})).toEqual({});
    expect(() => policyKernel("exact-pincount", { bias: 1024 })).toThrow(PluginOptionsError);
    expect(() => policyKernel("exact-pincount", { bias: 1024 })).toThrow(/policyOptions: Unrecognized key: "bias"/);
  });
});
