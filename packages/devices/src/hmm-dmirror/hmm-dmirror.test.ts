import { doMmap, doMprotect, doMunmap, EINVAL, PAGE_SIZE, userRead, userWrite, VM_READ, VM_WRITE } from "@pinlab/core";
import { expectConsistent } from "@pinlab/core/testing";
import { describe, expect, it } from "vitest";
import { collect, Harness } from "../test-support/harness.js";
import { dmirrorMkentry, dmirrorProtName, HMM_DMIRROR_PROT } from "./dmirror-prot.js";

const enc = (s: string) => new TextEncoder().encode(s);

function setup() {
  const h = new Harness({ kernel: { machine: { memory: "64MiB" } } });
  h.attach("dmirror0", "hmm-dmirror");
  const p = h.spawn("p1");
  return { h, p, k: h.inst.kernel };
}

describe("hmm-dmirror snapshot", () => {
  it("reports each entry as hmm-tests.c's hmm2 snapshot case expects (pages 0-4), faulting nothing", () => {
    const { h, p, k } = setup();
    const buf = doMmap(k, p, { length: 7 * PAGE_SIZE, prot: 0, shared: false, anonymous: true });
    h.bindings.set("buf", buf);
    expect(doMunmap(k, p, buf + PAGE_SIZE, PAGE_SIZE)).toBe(0);
    expect(doMprotect(k, p, buf + 2 * PAGE_SIZE, PAGE_SIZE, VM_READ)).toBe(0);
    expect(userRead(k, p, buf + 2 * PAGE_SIZE, 4)).toEqual(new Uint8Array(4));
    expect(doMprotect(k, p, buf + 3 * PAGE_SIZE, PAGE_SIZE, VM_READ | VM_WRITE)).toBe(0);
    expect(userWrite(k, p, buf + 3 * PAGE_SIZE, enc("3"))).toBe(0);
    expect(doMprotect(k, p, buf + 3 * PAGE_SIZE, PAGE_SIZE, VM_READ)).toBe(0);
    expect(doMprotect(k, p, buf + 4 * PAGE_SIZE, 3 * PAGE_SIZE, VM_READ | VM_WRITE)).toBe(0);
    expect(userWrite(k, p, buf + 4 * PAGE_SIZE, enc("3"))).toBe(0);
    const faults = collect(h.inst, "fault");
    const r = h.act("dmirror0", "snapshot", { proc: "p1", addr: "buf", npages: 7 });
    expect(r).toEqual({
      ok: true,
      value: { cpages: 7, perm: ["ERROR", "ERROR", "ZERO|READ", "READ", "WRITE", "NONE", "NONE"], counts: { ERROR: 2, "ZERO|READ": 1, READ: 1, WRITE: 1, NONE: 2 } },
    });
    expect(faults).toHaveLength(0);
    // The temporary interval notifiers are gone.
    expect(k.notifiers.intervals(p.mm!)).toHaveLength(0);
    expect(h.inst.devices.get("dmirror0")!.view().counters).toEqual({ snapshots: 1, pagesSnapshotted: 7 });
    expectConsistent(h.inst);
  });

  it("reports a hugetlb page at PMD level, writable and then read-only (hmm-tests.c compound)", () => {
    const { h, p, k } = setup();
    const buf = doMmap(k, p, { length: 512 * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, hugetlb: true });
    h.bindings.set("buf", buf);
    expect(userWrite(k, p, buf, enc("x"))).toBe(0);
    const r1 = h.act("dmirror0", "snapshot", { proc: "p1", addr: "buf", npages: 512 });
    expect(r1).toMatchObject({ ok: true, value: { cpages: 512, counts: { "WRITE|PMD": 512 } } });
    expect(doMprotect(k, p, buf, 512 * PAGE_SIZE, VM_READ)).toBe(0);
    const r2 = h.act("dmirror0", "snapshot", { proc: "p1", addr: "buf", npages: 512 });
    expect(r2).toMatchObject({ ok: true, value: { counts: { "READ|PMD": 512 } } });
    expectConsistent(h.inst);
  });

  it("refuses an unaligned address and zero pages with EINVAL", () => {
    const { h } = setup();
    expect(h.act("dmirror0", "snapshot", { proc: "p1", addr: 4097, npages: 1 })).toMatchObject({ ok: false, errno: EINVAL });
    expect(h.act("dmirror0", "snapshot", { proc: "p1", addr: 4096, npages: 0 })).toMatchObject({ ok: false, errno: EINVAL });
  });

  it("names every HMM_DMIRROR_PROT_* combination dmirror_mkentry makes", () => {
    expect(dmirrorProtName(HMM_DMIRROR_PROT.DEV_PRIVATE_LOCAL | HMM_DMIRROR_PROT.WRITE)).toBe("DEV_PRIVATE_LOCAL|WRITE");
    expect(dmirrorProtName(HMM_DMIRROR_PROT.DEV_COHERENT_REMOTE | HMM_DMIRROR_PROT.WRITE)).toBe("DEV_COHERENT_REMOTE|WRITE");
    expect(dmirrorProtName(HMM_DMIRROR_PROT.READ | HMM_DMIRROR_PROT.PUD)).toBe("READ|PUD");
    expect(dmirrorMkentry(1 | (18 << 3), false)).toBe(HMM_DMIRROR_PROT.READ | HMM_DMIRROR_PROT.PUD);
  });
});
