import { FOLL_LONGTERM, FOLL_PIN, HPAGE_PMD_NR, PAGE_SIZE, PluginOptionsError, VM_HUGEPAGE } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { lab, policyKernel } from "../test-support/lab.js";
import { GUP_PIN_COUNTING_BIAS } from "./bias-counting.js";
import { pinBias } from "./descriptor.js";
import { PinBiasOptionsSchema } from "./options.js";

/** A lab with one private anonymous page written (refcount 1: its mapping). */
function smallPage(opts: Record<string, unknown> = {}) {
  const l = lab("pin-bias", opts);
  const p = l.spawn("p");
  const a = l.map(p, 1);
  l.touch(p, a, 1, true);
  return { l, p, a, pfn: l.pfnAt(p, a) };
}

describe("pin-bias counting (try_grab_folio / gup_put_folio, v6.12)", () => {
  it("adds GUP_PIN_COUNTING_BIAS per pin of a small folio and takes it back on release", () => {
    const { l, pfn } = smallPage();
    const f = l.k.frames;
    expect(f.refcount[pfn]).toBe(1);
    expect(l.policy.maybeDmaPinned(pfn)).toBe(false);
    expect(l.policy.grab(pfn, 3, "pin")).toBe(true);
    expect(f.refcount[pfn]).toBe(1 + 3 * 1024);
    expect(f.pincount[pfn]).toBe(0);
    expect(l.policy.maybeDmaPinned(pfn)).toBe(true);
    expect(l.policy.pinCount(pfn)).toBe(3);
    expect(l.policy.refsForPins(pfn, 3)).toBe(3 * 1024);
    l.policy.release(pfn, 3, "pin");
    expect(f.refcount[pfn]).toBe(1);
    expect(l.policy.maybeDmaPinned(pfn)).toBe(false);
    l.check();
  });

  it("counts FOLL_GET as plain references", () => {
    const { l, pfn } = smallPage();
    expect(l.policy.grab(pfn, 2, "get")).toBe(true);
    expect(l.k.frames.refcount[pfn]).toBe(3);
    expect(l.policy.maybeDmaPinned(pfn)).toBe(false);
    l.policy.release(pfn, 2, "get");
    expect(l.k.frames.refcount[pfn]).toBe(1);
  });

  it("pins a large folio with +1 refcount and +1 _pincount per page, answered on any subpage", () => {
    const l = lab("pin-bias");
    const p = l.spawn("p");
    const a = l.map(p, 2 * HPAGE_PMD_NR);
    const vma = p.mm!.findVma(a)!;
    vma.flags |= VM_HUGEPAGE;
    const base = Math.ceil(a / (HPAGE_PMD_NR * PAGE_SIZE)) * HPAGE_PMD_NR * PAGE_SIZE;
    l.touch(p, base, 1, true);
    const head = l.k.frames.head(l.pfnAt(p, base));
    expect(l.k.frames.nrPages(head)).toBe(HPAGE_PMD_NR);
    const before = l.k.frames.refcount[head];
    const pages: number[] = [];
    expect(l.gup.pinUserPages(p, base + 10 * PAGE_SIZE, 5, 0, pages)).toBe(5);
    expect(l.k.frames.refcount[head]).toBe(before + 5);
    expect(l.k.frames.pincount[head]).toBe(5);
    expect(l.policy.maybeDmaPinned(head + 300)).toBe(true);
    expect(l.policy.pinCount(head)).toBe(5);
    expect(l.policy.refsForPins(head, 5)).toBe(5);
    l.check();
    l.gup.unpinUserPages(pages, 5);
    expect(l.k.frames.pincount[head]).toBe(0);
    expect(l.policy.maybeDmaPinned(head)).toBe(false);
    l.check();
  });

  it("never pins the zero page (PG_ZERO): no count moves", () => {
    const l = lab("pin-bias");
    const zero = l.k.memory.zeroPfn;
    const before = l.k.frames.refcount[zero];
    expect(l.policy.grab(zero, 7, "pin")).toBe(true);
    expect(l.k.frames.refcount[zero]).toBe(before);
    l.policy.release(zero, 7, "pin");
    expect(l.k.frames.refcount[zero]).toBe(before);
    expect(l.policy.pinCount(zero)).toBe(0);
    expect(l.policy.refsForPins(zero, 7)).toBe(0);
  });

  it("refuses the grab after the refcount overflowed, like try_grab_folio's refcount <= 0 check (grab loop)", () => {
    const { l, pfn } = smallPage();
    const f = l.k.frames;
    const t0 = performance.now();
    let n = 0;
    while (l.policy.grab(pfn, 1, "pin")) n++;
    const ms = performance.now() - t0;
    // The pin that crosses 2^31 goes through (the check is before the add); the next is refused.
    expect(n).toBe(Math.ceil((2 ** 31 - 1) / GUP_PIN_COUNTING_BIAS));
    expect(n).toBe(2 ** 21);
    expect(f.refcount[pfn]).toBeLessThan(0);
    // folio_maybe_dma_pinned() reads the refcount unsigned, so it still says pinned.
    expect(l.policy.maybeDmaPinned(pfn)).toBe(true);
    expect(l.policy.grab(pfn, 1, "get")).toBe(false);
    for (let i = 0; i < n; i++) l.policy.release(pfn, 1, "pin");
    expect(f.refcount[pfn]).toBe(1);
    expect(ms).toBeLessThan(2000);
    l.check();
  });

  it("the bias option moves both the step and the false-positive threshold", () => {
    const { l, pfn } = smallPage({ bias: 16 });
    expect(l.policy.grab(pfn, 1, "pin")).toBe(true);
    expect(l.k.frames.refcount[pfn]).toBe(17);
    l.policy.release(pfn, 1, "pin");
    // 16 plain references are enough to look pinned.
    l.k.memory.get(pfn, 15);
    expect(l.policy.maybeDmaPinned(pfn)).toBe(true);
    l.k.memory.put(pfn, 15);
    expect(l.policy.maybeDmaPinned(pfn)).toBe(false);
  });

  it("accounts no memory beyond the frame table", () => {
    const { l, pfn } = smallPage();
    l.policy.grab(pfn, 1, "pin");
    expect(l.policy.accountingBytes()).toBe(0);
    l.policy.release(pfn, 1, "pin");
  });

  it("refuses FOLL_LONGTERM without FOLL_PIN (is_valid_gup_args)", () => {
    const l = lab("pin-bias");
    expect(l.policy.checkFlags(FOLL_LONGTERM)).toBe(22);
    expect(l.policy.checkFlags(FOLL_LONGTERM | FOLL_PIN)).toBe(0);
  });
});

describe("pin-bias options", () => {
  it("defaults the bias to GUP_PIN_COUNTING_BIAS", () => {
    expect(PinBiasOptionsSchema.parse({})).toEqual({ bias: 1024 });
    expect(pinBias.meta.options.parse({ bias: 4096 })).toEqual({ bias: 4096 });
  });

  it.each([
    [{ bias: "x" }, /policyOptions\.bias/],
    [{ bias: 1 }, /policyOptions\.bias/],
    [{ bias: 1.5 }, /policyOptions\.bias/],
    [{ biass: 1024 }, /biass/],
  ])("createKernel refuses %j with an error naming the field", (policyOptions, message) => {
    expect(() => policyKernel("pin-bias", policyOptions)).toThrow(PluginOptionsError);
    expect(() => policyKernel("pin-bias", policyOptions)).toThrow(message);
  });

  it("describes itself for the docs, the CLI and the playground", () => {
    expect(pinBias.meta.id).toBe("pin-bias");
    expect(pinBias.meta.kernel).toMatch(/v6\.12/);
    expect(pinBias.meta.description?.split(". ").length).toBeGreaterThan(3);
  });
});
