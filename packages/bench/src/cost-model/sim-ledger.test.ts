import "reflect-metadata";
import { FOLL_LONGTERM, FOLL_WRITE, VM_READ, VM_WRITE, createKernel, definePinPolicy, doMadvise, doMmap, registerPinPolicy, touchRange } from "@pinlab/core";
import { testContainer, testKernel, testPolicy } from "@pinlab/core/testing";
import { describe, expect, it } from "vitest";
import * as C from "./constants.js";
import { SimLedger, emptySimCounts, grabNs, grabPageNsFor, priceSimCounts, releaseNs } from "./sim-ledger.js";

describe("cost model", () => {
  it("prices pins and unpins at the published anchors, gets and puts by the CKI ratios", () => {
    expect(grabPageNsFor("pin", false, false)).toBe(62);
    expect(grabPageNsFor("pin", true, false)).toBe(2.3);
    expect(grabPageNsFor("get", false, false)).toBeCloseTo(62 * 36_058 / 38_827, 10);
    expect(grabPageNsFor("pin", false, true)).toBeCloseTo(62 * 3.7 / 5.8, 10);
    const c = { ...emptySimCounts(), unpinSmall: 2, putSmall: 2, unpinHuge: 512 };
    expect(releaseNs(c)).toBeCloseTo(2 * 15 + 2 * 15 * (818 / 2_214) + 512 * 5, 10);
    expect(C.GET_OVER_PIN).toBeLessThan(1);
    expect(C.PUT_OVER_UNPIN).toBeLessThan(C.GET_OVER_PIN);
  });

  it("counts what a kernel's GUP did: fast/slow, small/huge, pin/get, and prices the counts exactly", () => {
    const inst = testKernel({ machine: { memory: "64MiB" } });
    const ledger = SimLedger.of(inst);
    expect(SimLedger.of(inst)).toBe(ledger);
    const k = inst.kernel;
    const p = k.spawn("p");
    const small = doMmap(k, p, { length: 64 * 4096, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    touchRange(k, p, small, 32 * 4096, true);
    const frames = new Uint32Array(64);
    // 32 present pages on the fast path, the other 32 faulted in by the slow path.
    expect(inst.gup.pinUserPagesFast(p, small, 64, FOLL_WRITE | FOLL_LONGTERM, frames)).toBe(64);
    expect(ledger.counts).toMatchObject({ pinSmallFast: 32, pinSmallSlow: 32, pinHugeFast: 0 });
    inst.gup.unpinUserPages(frames, 64);
    expect(ledger.counts.unpinSmall).toBe(64);
    const thp = doMmap(k, p, { length: 4 * 1024 * 1024, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, addr: 2 ** 40 });
    doMadvise(k, p, thp, 4 * 1024 * 1024, "hugepage");
    touchRange(k, p, thp, 4 * 1024 * 1024, true);
    const huge = new Uint32Array(1024);
    expect(inst.gup.getUserPagesFast(p, thp, 1024, FOLL_WRITE, huge)).toBe(1024);
    inst.gup.putPages(huge, 1024);
    expect(ledger.counts).toMatchObject({ getHugeFast: 1024, putHuge: 1024 });
    const priced = priceSimCounts(ledger.snapshot());
    expect(priced.grabbedPages).toBe(64 + 1024);
    expect(priced.grabNs).toBeCloseTo(grabNs(ledger.counts), 10);
    expect(priced.grabNs).toBeCloseTo(32 * 62 * C.FAST_OVER_SLOW + 32 * 62 + 1024 * 2.3 * C.GET_OVER_PIN * C.FAST_OVER_SLOW, 6);
  });

  it("charges the extra atomics a policy declares in meta.capabilities, whatever its id", () => {
    const c = testContainer();
    const counted = definePinPolicy({
      meta: { ...testPolicy.meta, id: "side-counter", capabilities: { filePins: false, extraAtomicsPerPin: 2, extraAtomicsPerUnpin: 3 } },
      create: testPolicy.create,
    });
    registerPinPolicy(c, counted, "test");
    const inst = createKernel({ machine: { memory: "16MiB" }, policy: "side-counter" }, { container: c });
    const ledger = SimLedger.of(inst);
    const k = inst.kernel;
    const p = k.spawn("p");
    const a = doMmap(k, p, { length: 8 * 4096, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    const frames = new Uint32Array(8);
    expect(inst.gup.pinUserPagesFast(p, a, 8, FOLL_WRITE, frames)).toBe(8);
    inst.gup.unpinUserPages(frames, 8);
    expect(ledger.counts).toMatchObject({ extraAtomicsGrab: 16, extraAtomicsRelease: 24 });
    expect(grabNs(ledger.counts) - grabNs({ ...ledger.counts, extraAtomicsGrab: 0 })).toBeCloseTo(16 * C.ATOMIC_RMW_NS, 10);
  });
});
