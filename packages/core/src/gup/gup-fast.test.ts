/**
 * GUP-fast (`gup_fast()` / `gup_fast_fallback()`, mm/gup.c v6.12): the lockless walk takes
 * present pages up to the first one it cannot take, then the slow path does the rest unless
 * FOLL_FAST_ONLY; FOLL_PIN backs off while fork write-protects the mm.
 *
 *   p's address space:  [ buf: private anonymous, 8 pages; 0-3 and 5-7 written, 4 never touched ]
 */
import { describe, expect, it } from "vitest";
import { EOPNOTSUPP } from "../errno.js";
import type { KernelEvent } from "../events/event-types.js";
import { doMadvise } from "../mm/madvise.js";
import { doMmap } from "../mm/mmap.js";
import { doMprotect } from "../mm/mprotect.js";
import { touchRange } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import type { GrabMode } from "../policy/pin-policy.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/index.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "./foll-flags.js";

function setup() {
  const inst = testKernel({ machine: { memory: "32MiB", pmem: "1MiB" } });
  const k = inst.kernel;
  const p = k.spawn("p");
  const a = doMmap(k, p, { length: 8 * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
  touchRange(k, p, a, 4 * PAGE_SIZE, true);
  touchRange(k, p, a + 5 * PAGE_SIZE, 3 * PAGE_SIZE, true);
  const events: KernelEvent<"gup">[] = [];
  k.events.on("gup", (e) => events.push(e));
  return { inst, k, gup: inst.gup, p, a, events };
}

describe("GUP-fast", () => {
  it("stops at the first non-present page and lets the slow path fault in the rest", () => {
    const { inst, gup, p, a, events } = setup();
    const pages: number[] = [];
    expect(gup.pinUserPagesFast(p, a, 8, FOLL_WRITE, pages)).toBe(8);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ call: "pin_user_pages_fast", got: 8, fastPages: 4, slowPages: 4, mode: "pin" });
    expect(inst.kernel.vmstat.nr_foll_pin_acquired).toBe(8);
    gup.unpinUserPages(pages, 8);
    expectConsistent(inst);
  });

  it("FOLL_FAST_ONLY (get_user_pages_fast_only) never falls back and never faults", () => {
    const { inst, gup, p, a, events } = setup();
    const pages: number[] = [];
    expect(gup.getUserPagesFastOnly(p, a, 8, 0, pages)).toBe(4);
    expect(events[0]).toMatchObject({ fastPages: 4, slowPages: 0 });
    expect(p.mm!.pageTable.pfn((a + 4 * PAGE_SIZE) / PAGE_SIZE)).toBe(-1);
    expect(gup.getUserPagesFastOnly(p, a + 4 * PAGE_SIZE, 1, 0, [])).toBe(0);
    gup.putPages(pages, 4);
    expectConsistent(inst);
  });

  it("falls back on a write to a read-only PTE and on a special PTE (the zero page)", () => {
    const { inst, k, gup, p, events } = setup();
    const b = doMmap(k, p, { length: 2 * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    touchRange(k, p, b, 2 * PAGE_SIZE, false); // both map the zero page, read-only and special
    const pages: number[] = [];
    expect(gup.getUserPagesFast(p, b, 2, 0, pages)).toBe(2);
    expect(events.at(-1)).toMatchObject({ fastPages: 0, slowPages: 2 });
    expect(pages).toEqual([k.memory.zeroPfn, k.memory.zeroPfn]);
    gup.putPages(pages, 2);
    const w: number[] = [];
    expect(gup.pinUserPagesFast(p, b, 2, FOLL_WRITE, w)).toBe(2);
    expect(events.at(-1)).toMatchObject({ fastPages: 0, slowPages: 2 });
    expect(w[0]).not.toBe(k.memory.zeroPfn);
    gup.unpinUserPages(w, 2);
    expectConsistent(inst);
  });

  it("falls back on FS-DAX pages under FOLL_LONGTERM (pte_devmap), so check_vma_flags decides", () => {
    const { inst, k, gup, p, events } = setup();
    const file = k.createFile("pm", "fsdax", 2 * PAGE_SIZE);
    const d = doMmap(k, p, { length: 2 * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: true, anonymous: false, file });
    touchRange(k, p, d, 2 * PAGE_SIZE, true);
    expect(gup.pinUserPagesFast(p, d, 2, FOLL_LONGTERM | FOLL_WRITE, [])).toBe(-EOPNOTSUPP);
    expect(events.at(-1)).toMatchObject({ fastPages: 0, errno: "EOPNOTSUPP" });
    // Without FOLL_LONGTERM the devmap page is fine for GUP-fast.
    const pages: number[] = [];
    expect(gup.pinUserPagesFast(p, d, 2, FOLL_WRITE, pages)).toBe(2);
    expect(events.at(-1)).toMatchObject({ fastPages: 2 });
    gup.unpinUserPages(pages, 2);
    expectConsistent(inst);
  });

  it("sets MMF_HAS_PINNED for FOLL_PIN (fast or slow), never for FOLL_GET", () => {
    const { inst, gup, p, a } = setup();
    const pages: number[] = [];
    expect(gup.getUserPagesFast(p, a, 2, 0, pages)).toBe(2);
    expect(p.mm!.hasPinned).toBe(false);
    gup.putPages(pages, 2);
    expect(gup.pinUserPagesFast(p, a, 2, 0, pages)).toBe(2);
    expect(p.mm!.hasPinned).toBe(true);
    gup.unpinUserPages(pages, 2);
    expectConsistent(inst);
  });

  it("backs off entirely while fork write-protects the mm (write_protect_seq odd); FOLL_GET does not", () => {
    const { inst, gup, p, a, events } = setup();
    p.mm!.writeProtectSeq = 1;
    const pins: number[] = [];
    expect(gup.pinUserPagesFast(p, a, 4, 0, pins)).toBe(4);
    expect(events.at(-1)).toMatchObject({ fastPages: 0, slowPages: 4 });
    const gets: number[] = [];
    expect(gup.getUserPagesFast(p, a, 4, 0, gets)).toBe(4);
    expect(events.at(-1)).toMatchObject({ fastPages: 4, slowPages: 0 });
    p.mm!.writeProtectSeq = 2;
    gup.unpinUserPages(pins, 4);
    gup.putPages(gets, 4);
    expectConsistent(inst);
  });

  it("gives back what it took when write_protect_seq changed during the walk, and the counters stay balanced", () => {
    const { inst, k, gup, p, a, events } = setup();
    const policy = k.policy;
    const grab = policy.grab;
    let grabs = 0;
    policy.grab = (head: number, refs: number, mode: GrabMode): boolean => {
      // A whole fork happens on another CPU right after GUP-fast's first grab.
      if (grabs++ === 0) p.mm!.writeProtectSeq += 2;
      return grab(head, refs, mode);
    };
    const pages: number[] = [];
    expect(gup.pinUserPagesFast(p, a, 4, 0, pages)).toBe(4);
    expect(events.at(-1)).toMatchObject({ fastPages: 0, slowPages: 4 });
    // 4 grabs by the walk (given back), 4 by the slow path.
    expect(grabs).toBe(8);
    expect(k.vmstat.nr_foll_pin_acquired - k.vmstat.nr_foll_pin_released).toBe(4);
    expectConsistent(inst);
    policy.grab = grab;
    gup.unpinUserPages(pages, 4);
    expectConsistent(inst);
  });
});

describe("GUP-fast on a huge folio", () => {
  it("takes a PMD-mapped THP as one run, and stops where part of it was made read-only", () => {
    const inst = testKernel({ machine: { memory: "32MiB" } });
    const k = inst.kernel;
    const p = k.spawn("p");
    const thp = doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, addr: 2 ** 40 });
    doMadvise(k, p, thp, HPAGE_PMD_SIZE, "hugepage");
    touchRange(k, p, thp, HPAGE_PMD_SIZE, true);
    const events: KernelEvent<"gup">[] = [];
    k.events.on("gup", (e) => events.push(e));
    const pages = new Uint32Array(HPAGE_PMD_NR);
    expect(inst.gup.pinUserPagesFast(p, thp, HPAGE_PMD_NR, FOLL_WRITE, pages)).toBe(HPAGE_PMD_NR);
    expect(events[0]).toMatchObject({ fastPages: HPAGE_PMD_NR, slowPages: 0 });
    expect([...pages].every((pfn, i) => pfn === pages[0]! + i)).toBe(true);
    inst.gup.unpinUserPages(pages, HPAGE_PMD_NR);
    // The second half read-only: a write pin gets the first half and no more.
    expect(doMprotect(k, p, thp + HPAGE_PMD_SIZE / 2, HPAGE_PMD_SIZE / 2, VM_READ)).toBe(0);
    expect(inst.gup.pinUserPagesFast(p, thp, HPAGE_PMD_NR, FOLL_WRITE, pages)).toBe(HPAGE_PMD_NR / 2);
    expect(events[1]).toMatchObject({ fastPages: HPAGE_PMD_NR / 2 });
    inst.gup.unpinUserPages(pages, HPAGE_PMD_NR / 2);
    expectConsistent(inst);
  });
});
