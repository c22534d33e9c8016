/**
 * `hmm_range_fault()` without fault flags (mm/hmm.c, v6.12): the flags and map order a snapshot
 * reads, and that nothing is faulted in.
 */
import { describe, expect, it } from "vitest";
import { doMadvise } from "../mm/madvise.js";
import { doMmap, doMunmap } from "../mm/mmap.js";
import { touchRange } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { HPAGE_PMD_ORDER, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/kernel.js";
import { HMM_PFN_ERROR, HMM_PFN_VALID, HMM_PFN_WRITE, hmmPfnToMapOrder, hmmRangeFault } from "./hmm.js";

describe("hmm_range_fault without faulting", () => {
  it("reports ERROR for a hole and a PROT_NONE VMA, 0 for nothing mapped, VALID (+WRITE) for a PTE, and the PMD order under a leaf", () => {
    const inst = testKernel();
    const k = inst.kernel;
    const p = k.spawn("p1");
    const a = doMmap(k, p, { length: 4 * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    expect(doMunmap(k, p, a + PAGE_SIZE, PAGE_SIZE)).toBe(0);
    expect(touchRange(k, p, a, PAGE_SIZE, true)).toBe(1);
    const none = doMmap(k, p, { length: PAGE_SIZE, prot: 0, shared: false, anonymous: true });
    const range = (start: number, n: number) => {
      const notifier = k.notifiers.insert(p.mm!, start, n * PAGE_SIZE, { invalidate: () => true }, "test");
      const r = { notifier, notifierSeq: k.notifiers.readBegin(notifier), start, end: start + n * PAGE_SIZE, defaultFlags: 0, hmmPfns: new Int32Array(n), hmmWrite: new Uint8Array(n), hmmFlags: new Uint8Array(n) };
      expect(hmmRangeFault(k, k.notifiers, r)).toBe(0);
      k.notifiers.remove(notifier);
      return r;
    };
    const r = range(a, 3);
    expect([...r.hmmFlags]).toEqual([HMM_PFN_VALID | HMM_PFN_WRITE, HMM_PFN_ERROR, 0]);
    expect(r.hmmPfns[0]).toBe(p.mm!.pageTable.pfn(a / PAGE_SIZE));
    expect(p.mm!.pageTable.pfn(a / PAGE_SIZE + 2)).toBe(-1);
    expect([...range(none, 1).hmmFlags]).toEqual([HMM_PFN_ERROR]);

    const thp = doMmap(k, p, { length: 4 << 20, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    const base = Math.ceil(thp / (2 << 20)) * (2 << 20);
    expect(doMadvise(k, p, base, 2 << 20, "hugepage")).toBeGreaterThanOrEqual(0);
    expect(touchRange(k, p, base, PAGE_SIZE, true)).toBe(1);
    const big = range(base, 512);
    expect(big.hmmFlags.every((f) => (f & HMM_PFN_VALID) !== 0 && hmmPfnToMapOrder(f) === HPAGE_PMD_ORDER)).toBe(true);
    expect(big.hmmPfns[5]).toBe(big.hmmPfns[0] + 5);
    expectConsistent(inst);
  });
});
