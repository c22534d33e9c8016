/**
 * (issue 21) GUP-fast against fork, through the preemption points: `fork.copy_pte` (fork decided
 * to share the page, the parent's PTE still writable) and `gup_fast.read` / `gup_fast.grab`
 * (GUP-fast read the PTE; grabbed the folio, before reading the PTE again). The race of
 * "mm/gup: prevent gup_fast from racing with COW during fork" (57efa1fe5957, v5.11): before it a
 * pin taken at `fork.copy_pte` leaves the child sharing the page the parent's pin writes; from it
 * GUP-fast sees `write_protect_seq` odd and falls back to the slow path, which needs the mmap lock
 * fork holds for write. Handlers are installed by hand, as the scenario runner installs its own.
 *
 *   BASE
 *   |A|      A private anon, one page, written "before"; pinned FOLL_WRITE | FOLL_LONGTERM
 */
import { describe, expect, it } from "vitest";
import type { HolderRef } from "../events/event-types.js";
import { PTE_HUGE, PTE_WRITE } from "../mm/page-table.js";
import { doFork } from "../mm/fork.js";
import { doMadvise } from "../mm/madvise.js";
import { doMmap } from "../mm/mmap.js";
import { touchRange } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { Process } from "../mm/process.js";
import { userRead, userWrite } from "../mm/user-access.js";
import type { MmapLockHold, PreemptHandler, PreemptPoint } from "../sim/preemption.js";
import { WouldBlockError } from "../sim/preemption.js";
import { HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent } from "../testing/kernel.js";
import { kernelWithProcess, mapAt, pteAt } from "../testing/mm.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "./foll-flags.js";

const BASE = 0x3000_0000;
const PIN: HolderRef = { kind: "handle", name: "pins" };
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** A kernel at `kernel` with process p, one written private anon page at BASE. */
function setup(kernel: string) {
  const env = kernelWithProcess({ cfg: { kernel, machine: { memory: "32MiB" } }, memlock: 64 * PAGE_SIZE });
  mapAt(env.k, env.p, BASE, 1);
  expect(userWrite(env.k, env.p, BASE, enc("before"))).toBe(0);
  return env;
}

type Env = ReturnType<typeof setup>;

/** What a handler saw: the points reached (with the locks held there) and the mmap locks asked for. */
interface Trace {
  points: { point: PreemptPoint; holds: readonly MmapLockHold[] }[];
  locks: { mm: number; mode: "read" | "write"; held: readonly MmapLockHold[] }[];
}

/**
 * Install a handler that runs `other` once, at the first `at`, and refuses (WouldBlockError) an
 * mmap lock another operation holds across that point: what the scenario runner does.
 */
function runAt(env: Env, at: PreemptPoint, other: () => void): Trace {
  const trace: Trace = { points: [], locks: [] };
  let held: readonly MmapLockHold[] = [];
  let done = false;
  const handler: PreemptHandler = {
    point(point, holds) {
      trace.points.push({ point, holds });
      if (point !== at || done) return;
      done = true;
      held = holds;
      try {
        other();
      } finally {
        held = [];
      }
    },
    mmapLock(mm, mode) {
      trace.locks.push({ mm, mode, held });
      const h = held.find((x) => x.mm === mm);
      if (h !== undefined && (h.mode === "write" || mode === "write")) throw new WouldBlockError(at, mm, mode, h.mode, `mmap lock of mm ${mm}`);
    },
  };
  env.k.preempt.handler = handler;
  return trace;
}

/** pin_user_pages_fast(BASE, 1, FOLL_WRITE | FOLL_LONGTERM) in p as holder "pins": the pages taken, or -errno. */
function pinFast(env: Env, pages: Uint32Array): number {
  return env.gup.pinUserPagesFast(env.p, BASE, 1, FOLL_WRITE | FOLL_LONGTERM, pages, { holder: PIN });
}

/** Fork p into c, as a step of its own thread. */
function fork(env: Env): Process {
  const c = doFork(env.k, env.p, "c");
  if (!(c instanceof Process)) throw new Error(`fork failed: ${c}`);
  return c;
}

/** The six bytes `proc` reads at BASE. */
function read(env: Env, proc: Process): string {
  const r = userRead(env.k, proc, BASE, 6);
  if (typeof r === "number") throw new Error(`read failed: ${r}`);
  return dec(r);
}

describe("GUP-fast against fork at fork.copy_pte", () => {
  it("at v5.9 (no write_protect_seq check) the pin slips in: the child shares the pinned page and gets the device's write", () => {
    const env = setup("v5.9");
    const pages = new Uint32Array(1);
    let got = 0;
    const trace = runAt(env, "fork.copy_pte", () => { got = pinFast(env, pages); });
    const c = fork(env);
    env.k.preempt.handler = null;
    // Fork held both mms' mmap locks for write at the point; GUP-fast took no lock.
    const at = trace.points.find((x) => x.point === "fork.copy_pte")!;
    expect(at.holds).toEqual([{ mm: env.p.mm!.id, mode: "write" }, { mm: c.mm!.id, mode: "write" }]);
    expect(trace.locks.filter((l) => l.mode === "read")).toEqual([]);
    expect(got).toBe(1);
    const pinned = pages[0];
    // Fork had decided to share before the pin: both map the pinned frame, write-protected.
    expect(pteAt(c, BASE).pfn).toBe(pinned);
    expect(pteAt(env.p, BASE).pfn).toBe(pinned);
    expect(pteAt(env.p, BASE).bits & PTE_WRITE).toBe(0);
    // The parent's next write copies away from the pinned page (v5.9 COW by refcount).
    expect(userWrite(env.k, env.p, BASE, enc("parent"))).toBe(0);
    expect(pteAt(env.p, BASE).pfn).not.toBe(pinned);
    expect(env.inst.oracle.count("cow_divergence", "detected")).toBe(1);
    // The device writes through the pin: into the child's page, not the parent's.
    env.inst.dma.write(PIN, pages, 0, enc("device"));
    expect(read(env, c)).toBe("device");
    expect(read(env, env.p)).toBe("parent");
    // One hazard per holder and frame: the divergence the COW made, which the DMA then acts out.
    expect(env.inst.oracle.hazards.map((h) => `${h.class}/${h.outcome}/${h.device}/${h.pfn}`)).toEqual([`cow_divergence/detected/pins/${pinned}`]);
    expectConsistent(env.inst);
  });

  it("at v5.11 GUP-fast sees write_protect_seq odd, takes nothing and asks for the mmap lock fork holds: that order cannot happen", () => {
    const env = setup("v5.11");
    const pages = new Uint32Array(1);
    const acquired = env.k.vmstat.nr_foll_pin_acquired;
    let thrown: unknown;
    const trace = runAt(env, "fork.copy_pte", () => {
      try {
        pinFast(env, pages);
      } catch (e) {
        thrown = e;
      }
    });
    const c = fork(env);
    env.k.preempt.handler = null;
    expect(thrown).toBeInstanceOf(WouldBlockError);
    expect(trace.locks).toContainEqual({ mm: env.p.mm!.id, mode: "read", held: [{ mm: env.p.mm!.id, mode: "write" }, { mm: c.mm!.id, mode: "write" }] });
    // The fast walk backed off before grabbing anything (no gup_fast point was reached), so fork's share is harmless.
    expect(trace.points.map((x) => x.point)).toEqual(["fork.copy_pte"]);
    expect(env.k.vmstat.nr_foll_pin_acquired).toBe(acquired);
    expect(env.gup.pinRefs[pteAt(c, BASE).pfn]).toBe(0);
    expectConsistent(env.inst);
  });

  it("at v5.11 the pin after fork faults its own copy in the parent: the device writes where the parent reads", () => {
    const env = setup("v5.11");
    const trace = runAt(env, "fork.copy_pte", () => undefined);
    const c = fork(env);
    const pages = new Uint32Array(1);
    // After fork: the PTE is write-protected, GUP-fast reads it and falls back; the slow path takes the lock (nothing holds it now).
    expect(pinFast(env, pages)).toBe(1);
    env.k.preempt.handler = null;
    expect(trace.locks).toContainEqual({ mm: env.p.mm!.id, mode: "read", held: [] });
    expect(pages[0]).toBe(pteAt(env.p, BASE).pfn);
    expect(pages[0]).not.toBe(pteAt(c, BASE).pfn);
    env.inst.dma.write(PIN, pages, 0, enc("device"));
    expect(read(env, env.p)).toBe("device");
    expect(read(env, c)).toBe("before");
    expect(env.inst.oracle.count("cow_divergence")).toBe(0);
    expectConsistent(env.inst);
  });
});

describe("fork at GUP-fast's points", () => {
  it("at gup_fast.grab in a kernel that shares pinned pages (v5.9-rc4) fork's write-protect fails the PTE recheck: the pin is put back and the slow path pins the parent's copy", () => {
    const env = setup("v5.9-rc4");
    let child: Process | undefined;
    const trace = runAt(env, "gup_fast.grab", () => { child = fork(env); });
    const pages = new Uint32Array(1);
    const before = pteAt(env.p, BASE).pfn;
    expect(pinFast(env, pages)).toBe(1);
    env.k.preempt.handler = null;
    expect(trace.points.map((x) => x.point)).toContain("gup_fast.grab");
    // The first grab went back: the frame fork shared is held by no pin; the slow path's COW fault gave the parent a new one, pinned.
    expect(env.gup.pinRefs[before]).toBe(0);
    expect(pteAt(child!, BASE).pfn).toBe(before);
    expect(pages[0]).toBe(pteAt(env.p, BASE).pfn);
    expect(pages[0]).not.toBe(before);
    expect(env.k.vmstat.nr_foll_pin_acquired - env.k.vmstat.nr_foll_pin_released).toBe(1);
    expectConsistent(env.inst);
  });

  it("at gup_fast.grab at v5.11 fork copies the pinned page for the child, the PTE stays, and the moved write_protect_seq puts the pin back", () => {
    const env = setup("v5.11");
    let child: Process | undefined;
    runAt(env, "gup_fast.grab", () => { child = fork(env); });
    const pages = new Uint32Array(1);
    const parentFrame = pteAt(env.p, BASE).pfn;
    const released = env.k.vmstat.nr_foll_pin_released;
    expect(pinFast(env, pages)).toBe(1);
    env.k.preempt.handler = null;
    // Fork saw the grab (maybe pinned): the child got a copy, the parent's PTE is unchanged and writable.
    expect(pteAt(child!, BASE).pfn).not.toBe(parentFrame);
    expect(pteAt(env.p, BASE)).toEqual({ pfn: parentFrame, bits: expect.any(Number) });
    expect(pteAt(env.p, BASE).bits & PTE_WRITE).not.toBe(0);
    // GUP-fast gave its pin back (the seq moved); the slow path pinned the same frame again.
    expect(env.k.vmstat.nr_foll_pin_released - released).toBe(1);
    expect(pages[0]).toBe(parentFrame);
    expect(env.gup.pinRefs[parentFrame]).toBe(1);
    expectConsistent(env.inst);
  });

  it("at v5.9 the same order keeps the fast pin: fork saw it and copied, nothing checks the seq", () => {
    const env = setup("v5.9");
    runAt(env, "gup_fast.grab", () => { fork(env); });
    const pages = new Uint32Array(1);
    const released = env.k.vmstat.nr_foll_pin_released;
    expect(pinFast(env, pages)).toBe(1);
    env.k.preempt.handler = null;
    expect(env.k.vmstat.nr_foll_pin_released).toBe(released);
    expect(pages[0]).toBe(pteAt(env.p, BASE).pfn);
    expectConsistent(env.inst);
  });

  it("at gup_fast.grab of a PMD leaf (v5.9-rc4) fork's write-protect of the PMD fails the recheck: both subpages go back", () => {
    const env = kernelWithProcess({ cfg: { kernel: "v5.9-rc4", machine: { memory: "32MiB" } }, memlock: 64 * PAGE_SIZE });
    const thp = 0x4000_0000;
    doMmap(env.k, env.p, { length: HPAGE_PMD_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, addr: thp });
    doMadvise(env.k, env.p, thp, HPAGE_PMD_SIZE, "hugepage");
    touchRange(env.k, env.p, thp, PAGE_SIZE, true);
    const head = pteAt(env.p, thp).pfn;
    expect(pteAt(env.p, thp).bits & PTE_HUGE).not.toBe(0);
    const trace = runAt(env, "gup_fast.grab", () => { fork(env); });
    const released = env.k.vmstat.nr_foll_pin_released;
    const pages = new Uint32Array(2);
    expect(env.gup.pinUserPagesFast(env.p, thp, 2, FOLL_WRITE, pages, { holder: PIN })).toBe(2);
    env.k.preempt.handler = null;
    expect(trace.points.map((x) => x.point).slice(0, 2)).toEqual(["gup_fast.read", "gup_fast.grab"]);
    expect(env.k.vmstat.nr_foll_pin_released - released).toBe(2);
    expect(env.gup.pinRefs[head]).toBe(0);
    expect(pages[0]).toBe(pteAt(env.p, thp).pfn);
    expectConsistent(env.inst);
  });

  it("reaches gup_fast.read before the grab and gup_fast.grab after it, once per PTE, holding no lock", () => {
    const env = setup("v6.12");
    const trace = runAt(env, "gup_fast.read", () => undefined);
    const pages = new Uint32Array(1);
    expect(pinFast(env, pages)).toBe(1);
    env.k.preempt.handler = null;
    expect(trace.points.map((x) => x.point)).toEqual(["gup_fast.read", "gup_fast.grab"]);
    expect(trace.points.every((x) => x.holds.length === 0)).toBe(true);
  });
});
