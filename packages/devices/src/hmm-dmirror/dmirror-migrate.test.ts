import { doFork, doMmap, doMunmap, EINVAL, ENOENT, PAGE_SIZE, userRead, userWrite, VM_READ, VM_WRITE } from "@pinlab/core";
import { expectConsistent } from "@pinlab/core/testing";
import { describe, expect, it } from "vitest";
import { Harness } from "../test-support/harness.js";

const enc = (s: string) => new TextEncoder().encode(s);
const RW = VM_READ | VM_WRITE;

function setup(devices = ["dmirror0"]) {
  const h = new Harness({ kernel: { machine: { memory: "64MiB", deviceMemory: "2MiB" }, checkInvariants: true } });
  for (const d of devices) h.attach(d, "hmm-dmirror");
  const p = h.spawn("p1");
  return { h, p, k: h.inst.kernel };
}

describe("hmm-dmirror migrate (hmm-tests.c migrate, migrate_fault, migrate_shared, hmm_cow_in_device)", () => {
  it("migrates written anonymous pages to device-private memory and faults them back on a CPU read", () => {
    const { h, p, k } = setup();
    const buf = doMmap(k, p, { length: 4 * PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    h.bindings.set("buf", buf);
    for (let i = 0; i < 4; i++) expect(userWrite(k, p, buf + i * PAGE_SIZE, enc(`page${i}`))).toBe(0);
    expect(h.act("dmirror0", "migrate_to_dev", { proc: "p1", addr: "buf", npages: 4 })).toEqual({ ok: true, value: { cpages: 4 } });
    expect(h.act("dmirror0", "snapshot", { proc: "p1", addr: "buf", npages: 4 })).toMatchObject({ ok: true, value: { counts: { "DEV_PRIVATE_LOCAL|WRITE": 4 } } });
    expectConsistent(h.inst);
    // The CPU reads page 0 back: migrate_to_ram.
    expect(new TextDecoder().decode(userRead(k, p, buf, 5) as Uint8Array)).toBe("page0");
    const snap = h.act("dmirror0", "snapshot", { proc: "p1", addr: "buf", npages: 4 });
    expect(snap).toMatchObject({ ok: true, value: { perm: ["WRITE", "DEV_PRIVATE_LOCAL|WRITE", "DEV_PRIVATE_LOCAL|WRITE", "DEV_PRIVATE_LOCAL|WRITE"] } });
    // Again to the device: the faulted page and the three already there.
    expect(h.act("dmirror0", "migrate_to_dev", { proc: "p1", addr: "buf", npages: 4 })).toEqual({ ok: true, value: { cpages: 4 } });
    expect(h.act("dmirror0", "migrate_to_sys", { proc: "p1", addr: "buf", npages: 4 })).toEqual({ ok: true, value: { cpages: 4 } });
    for (let i = 0; i < 4; i++) expect(new TextDecoder().decode(userRead(k, p, buf + i * PAGE_SIZE, 5) as Uint8Array)).toBe(`page${i}`);
    expect(h.inst.devices.get("dmirror0")!.view().counters).toMatchObject({ devicePagesInUse: 0, migratedToDev: 8, migratedToSys: 4, cpuFaults: 1 });
    expectConsistent(h.inst);
  });

  it("refuses shared anonymous memory with ENOENT and a PROT_NONE range with EINVAL", () => {
    const { h, p, k } = setup();
    const sh = doMmap(k, p, { length: 4 * PAGE_SIZE, prot: RW, shared: true, anonymous: true });
    expect(userWrite(k, p, sh, enc("x"))).toBe(0);
    expect(h.act("dmirror0", "migrate_to_dev", { proc: "p1", addr: sh, npages: 4 })).toMatchObject({ ok: false, errno: ENOENT });
    const none = doMmap(k, p, { length: 4 * PAGE_SIZE, prot: 0, shared: false, anonymous: true });
    expect(h.act("dmirror0", "migrate_to_dev", { proc: "p1", addr: none, npages: 4 })).toMatchObject({ ok: false, errno: EINVAL });
    expectConsistent(h.inst);
  });

  it("shares device pages read-only across fork; the parent's write brings them back and copies (hmm_cow_in_device)", () => {
    const { h, p, k } = setup();
    const buf = doMmap(k, p, { length: 4 * PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    for (let i = 0; i < 4; i++) expect(userWrite(k, p, buf + i * PAGE_SIZE, enc(`p${i}`))).toBe(0);
    expect(h.act("dmirror0", "migrate_to_dev", { proc: "p1", addr: buf, npages: 4 })).toMatchObject({ ok: true, value: { cpages: 4 } });
    const child = doFork(k, p, "c1");
    expect(typeof child).not.toBe("number");
    expect(h.act("dmirror0", "snapshot", { proc: "p1", addr: buf, npages: 4 })).toMatchObject({ ok: true, value: { counts: { "DEV_PRIVATE_LOCAL|READ": 4 } } });
    expectConsistent(h.inst);
    for (let i = 0; i < 4; i++) expect(userWrite(k, p, buf + i * PAGE_SIZE, enc(`q${i}`))).toBe(0);
    expect(h.act("dmirror0", "snapshot", { proc: "p1", addr: buf, npages: 4 })).toMatchObject({ ok: true, value: { counts: { WRITE: 4 } } });
    expectConsistent(h.inst);
    const c = k.findProcess("c1")!;
    expect(new TextDecoder().decode(userRead(k, c, buf + PAGE_SIZE, 2) as Uint8Array)).toBe("p1");
    expect(doMunmap(k, c, buf, 4 * PAGE_SIZE)).toBe(4);
    expectConsistent(h.inst);
  });

  it("gives device pages back to the device when the range is unmapped", () => {
    const { h, p, k } = setup();
    const buf = doMmap(k, p, { length: 2 * PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(h.act("dmirror0", "migrate_to_dev", { proc: "p1", addr: buf, npages: 2 })).toMatchObject({ ok: true, value: { cpages: 2 } });
    expect(h.inst.devices.get("dmirror0")!.view().counters).toMatchObject({ devicePagesInUse: 2 });
    expect(doMunmap(k, p, buf, 2 * PAGE_SIZE)).toBeGreaterThanOrEqual(0);
    expect(h.inst.devices.get("dmirror0")!.view().counters).toMatchObject({ devicePagesInUse: 0 });
    expectConsistent(h.inst);
  });
});

describe("hmm-dmirror with device-coherent memory (memory: coherent)", () => {
  it("maps its pages by present PTEs, which the CPU reads without a fault and migrate_to_sys brings back", () => {
    const h = new Harness({ kernel: { machine: { memory: "64MiB", deviceMemory: "1MiB" }, checkInvariants: true } });
    h.attach("coh0", "hmm-dmirror", { memory: "coherent" });
    const p = h.spawn("p1");
    const k = h.inst.kernel;
    const buf = doMmap(k, p, { length: 2 * PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(userWrite(k, p, buf, enc("coh"))).toBe(0);
    expect(h.act("coh0", "migrate_to_dev", { proc: "p1", addr: buf, npages: 2 })).toEqual({ ok: true, value: { cpages: 2 } });
    expect(h.act("coh0", "snapshot", { proc: "p1", addr: buf, npages: 2 })).toMatchObject({ ok: true, value: { counts: { "DEV_COHERENT_LOCAL|WRITE": 2 } } });
    expect(new TextDecoder().decode(userRead(k, p, buf, 3) as Uint8Array)).toBe("coh");
    expect(h.inst.devices.get("coh0")!.view().counters).toMatchObject({ cpuFaults: 0, devicePagesInUse: 2 });
    expectConsistent(h.inst);
    expect(h.act("coh0", "migrate_to_sys", { proc: "p1", addr: buf, npages: 2 })).toEqual({ ok: true, value: { cpages: 2 } });
    expect(h.act("coh0", "snapshot", { proc: "p1", addr: buf, npages: 2 })).toMatchObject({ ok: true, value: { counts: { WRITE: 2 } } });
    expect(h.inst.devices.get("coh0")!.view().counters).toMatchObject({ devicePagesInUse: 0 });
    expectConsistent(h.inst);
  });
});

describe("hmm-dmirror read (hmm-tests.c hmm2 double_map)", () => {
  it("faults what its page table lacks once, drops entries on invalidation, and pulls another device's pages back", () => {
    const { h, p, k } = setup(["dmirror0", "dmirror1"]);
    const buf = doMmap(k, p, { length: 3 * PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(userWrite(k, p, buf, enc("abc"))).toBe(0);
    expect(h.act("dmirror0", "read", { proc: "p1", addr: buf, npages: 3 })).toEqual({ ok: true, value: { cpages: 3, faults: 1 } });
    // Everything is mirrored now: no fault.
    expect(h.act("dmirror0", "read", { proc: "p1", addr: buf, npages: 3 })).toEqual({ ok: true, value: { cpages: 3, faults: 0 } });
    expect(h.act("dmirror1", "migrate_to_dev", { proc: "p1", addr: buf, npages: 3 })).toEqual({ ok: true, value: { cpages: 3 } });
    expect(h.act("dmirror0", "read", { proc: "p1", addr: buf, npages: 3 })).toEqual({ ok: true, value: { cpages: 3, faults: 1 } });
    expect(h.inst.devices.get("dmirror1")!.view().counters).toMatchObject({ devicePagesInUse: 0, cpuFaults: 3 });
    expect(doMunmap(k, p, buf, PAGE_SIZE)).toBeGreaterThanOrEqual(0);
    expect(h.act("dmirror0", "read", { proc: "p1", addr: buf, npages: 1 })).toMatchObject({ ok: false, errno: 14 });
    expectConsistent(h.inst);
  });
});

describe("hmm-dmirror exclusive (hmm-tests.c exclusive, exclusive_cow)", () => {
  it("replaces the CPU mappings by device-exclusive entries that a CPU access revokes", () => {
    const { h, p, k } = setup();
    const buf = doMmap(k, p, { length: 2 * PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(userWrite(k, p, buf, enc("atomic"))).toBe(0);
    expect(h.act("dmirror0", "exclusive", { proc: "p1", addr: buf, npages: 2 })).toEqual({ ok: true, value: { cpages: 2 } });
    const pt = p.mm!.pageTable;
    expect(pt.pfn(buf / PAGE_SIZE)).toBe(-1);
    expectConsistent(h.inst);
    expect(h.act("dmirror0", "check_exclusive", { proc: "p1", addr: buf, npages: 2 })).toMatchObject({ ok: false, errno: 1 });
    expect(new TextDecoder().decode(userRead(k, p, buf, 6) as Uint8Array)).toBe("atomic");
    expect(pt.pfn(buf / PAGE_SIZE)).toBeGreaterThanOrEqual(0);
    expect(h.act("dmirror0", "check_exclusive", { proc: "p1", addr: buf, npages: 1 })).toEqual({ ok: true, value: { cpages: 0 } });
    // Fork restores the other entry first; unmapping afterwards drops every reference.
    expect(typeof doFork(k, p, "c1")).not.toBe("number");
    expect(h.act("dmirror0", "check_exclusive", { proc: "p1", addr: buf, npages: 2 })).toEqual({ ok: true, value: { cpages: 0 } });
    expectConsistent(h.inst);
    expect(doMunmap(k, p, buf, 2 * PAGE_SIZE)).toBeGreaterThanOrEqual(0);
    expectConsistent(h.inst);
  });
});

describe("hmm-dmirror exclusive entries at munmap and exit", () => {
  it("zap_pte_range drops the reference each device-exclusive entry holds", () => {
    const { h, p, k } = setup();
    const buf = doMmap(k, p, { length: 2 * PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(h.act("dmirror0", "exclusive", { proc: "p1", addr: buf, npages: 2 })).toEqual({ ok: true, value: { cpages: 2 } });
    const free = k.memory.nrFree(0);
    expect(doMunmap(k, p, buf, 2 * PAGE_SIZE)).toBeGreaterThanOrEqual(0);
    expect(k.memory.nrFree(0)).toBe(free + 2);
    expectConsistent(h.inst);
  });
});
