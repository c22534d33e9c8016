/**
 * The long-term pin loop (`__gup_longterm_locked()` + `check_and_migrate_movable_folios()`,
 * mm/gup.c v6.12): pin, find folios that may not stay pinned (ZONE_MOVABLE, CMA), unpin the
 * whole request, migrate those to ZONE_NORMAL, pin again; ENOMEM with nothing left pinned when
 * migration fails.
 *
 *   zones: NORMAL (1 MiB) | MOVABLE (1 MiB) | CMA (1 MiB); user pages come from MOVABLE first.
 */
import { describe, expect, it } from "vitest";
import { ENOMEM } from "../errno.js";
import type { KernelEvent } from "../events/event-types.js";
import { ZoneId } from "../memory/zones.js";
import { doMmap } from "../mm/mmap.js";
import { userRead, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/index.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "./foll-flags.js";

function setup() {
  const inst = testKernel({ machine: { memory: "1MiB", movable: "1MiB", cma: "1MiB" } });
  const k = inst.kernel;
  const p = k.spawn("p");
  const events: KernelEvent<"gup" | "migrate">[] = [];
  k.events.on("gup", (e) => events.push(e));
  k.events.on("migrate", (e) => events.push(e));
  /** Reserve every free frame of a zone (kernel allocations); returns a function giving `n` back. */
  const fill = (zone: number) => {
    const span = k.memory.zones[zone];
    const taken: number[] = [];
    for (let pfn = span.start; pfn < span.end; pfn++) {
      if (!k.memory.isAllocated(pfn)) {
        k.memory.takeRange(pfn, 1);
        taken.push(pfn);
      }
    }
    return (n: number) => {
      for (const pfn of taken.splice(0, n)) k.memory.releaseRange(pfn, 1);
    };
  };
  /** `n` written private anonymous pages, each holding its index. */
  const pagesIn = (n: number) => {
    const a = doMmap(k, p, { length: n * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    for (let i = 0; i < n; i++) userWrite(k, p, a + i * PAGE_SIZE, new Uint8Array([i + 1]));
    return a;
  };
  const zoneAt = (a: number) => k.memory.zoneOf(p.mm!.pageTable.pfn(a / PAGE_SIZE));
  return { inst, k, gup: inst.gup, p, events, fill, pagesIn, zoneAt };
}

describe("long-term pins of ZONE_MOVABLE / CMA pages", () => {
  it("migrates MOVABLE pages to NORMAL before pinning, keeping contents and mappings", () => {
    const { inst, k, gup, p, events, pagesIn, zoneAt } = setup();
    const a = pagesIn(4);
    expect(zoneAt(a)).toBe(ZoneId.MOVABLE);
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 4, FOLL_LONGTERM | FOLL_WRITE, pages)).toBe(4);
    for (let i = 0; i < 4; i++) {
      expect(k.memory.zoneOf(pages[i])).toBe(ZoneId.NORMAL);
      expect(p.mm!.pageTable.pfn(a / PAGE_SIZE + i)).toBe(pages[i]);
      expect(userRead(k, p, a + i * PAGE_SIZE, 1)).toEqual(new Uint8Array([i + 1]));
    }
    expect(events.find((e) => e.type === "migrate")).toMatchObject({ reason: "longterm_pin", migrated: 4, failed: 0 });
    expect(events.filter((e) => e.type === "gup")).toHaveLength(1);
    expect(events.find((e) => e.type === "gup")).toMatchObject({ got: 4, migrated: 4 });
    // The pins of the first round were given back: only the second round's 4 are outstanding.
    expect(k.vmstat.nr_foll_pin_acquired - k.vmstat.nr_foll_pin_released).toBe(4);
    expectConsistent(inst);
    gup.unpinUserPages(pages, 4);
    expectConsistent(inst);
  });

  it("migrates CMA pages too, and only the unpinnable ones of a mixed request", () => {
    const { inst, k, gup, p, fill, pagesIn, zoneAt } = setup();
    const normalPage = pagesIn(1);
    fill(ZoneId.MOVABLE);
    const cmaPage = pagesIn(1);
    expect(zoneAt(cmaPage)).toBe(ZoneId.CMA);
    const before = p.mm!.pageTable.pfn(normalPage / PAGE_SIZE);
    const a: number[] = [];
    const b: number[] = [];
    expect(gup.pinUserPages(p, cmaPage, 1, FOLL_LONGTERM, a)).toBe(1);
    expect(k.memory.zoneOf(a[0])).toBe(ZoneId.NORMAL);
    // A short-term pin leaves a CMA page where it is.
    expect(gup.pinUserPages(p, normalPage, 1, 0, b)).toBe(1);
    expect(b[0]).toBe(before);
    gup.unpinUserPages(a, 1);
    gup.unpinUserPages(b, 1);
    expectConsistent(inst);
  });

  it("fails with ENOMEM, nothing left pinned, when ZONE_NORMAL has no room", () => {
    const { inst, k, gup, p, fill, pagesIn, zoneAt, events } = setup();
    const a = pagesIn(3);
    const giveBack = fill(ZoneId.NORMAL);
    const before = [0, 1, 2].map((i) => p.mm!.pageTable.pfn(a / PAGE_SIZE + i));
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 3, FOLL_LONGTERM | FOLL_WRITE, pages)).toBe(-ENOMEM);
    expect(events.find((e) => e.type === "migrate")).toMatchObject({ reason: "longterm_pin", failed: 3 });
    for (const pfn of before) {
      expect(gup.outstanding(pfn)).toEqual({ get: 0, pin: 0 });
      expect(k.frames.refcount[pfn]).toBe(1);
    }
    expect(zoneAt(a)).toBe(ZoneId.MOVABLE);
    expect(k.vmstat.nr_foll_pin_acquired).toBe(k.vmstat.nr_foll_pin_released);
    expectConsistent(inst);
    // Give NORMAL one frame back: one page moves, the others cannot: still ENOMEM, still nothing pinned.
    giveBack(1);
    expect(gup.pinUserPages(p, a, 3, FOLL_LONGTERM, [])).toBe(-ENOMEM);
    expect(k.vmstat.nr_foll_pin_acquired).toBe(k.vmstat.nr_foll_pin_released);
    expectConsistent(inst);
  });

  it("GUP-fast leaves unpinnable pages to the slow path, which migrates them", () => {
    const { inst, k, gup, p, pagesIn, events } = setup();
    const a = pagesIn(2);
    const pages: number[] = [];
    expect(gup.pinUserPagesFast(p, a, 2, FOLL_LONGTERM | FOLL_WRITE, pages)).toBe(2);
    expect(events.find((e) => e.type === "gup")).toMatchObject({ fastPages: 0, slowPages: 2, migrated: 2 });
    expect(pages.every((pfn) => k.memory.zoneOf(pfn) === ZoneId.NORMAL)).toBe(true);
    gup.unpinUserPages(pages, 2);
    // Now in NORMAL: the next long-term pin is all fast.
    expect(gup.pinUserPagesFast(p, a, 2, FOLL_LONGTERM | FOLL_WRITE, pages)).toBe(2);
    expect(events.filter((e) => e.type === "gup").at(-1)).toMatchObject({ fastPages: 2, migrated: 0 });
    gup.unpinUserPages(pages, 2);
    expectConsistent(inst);
  });
});
