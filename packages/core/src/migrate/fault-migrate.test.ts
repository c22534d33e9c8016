/**
 * The `migrate` fault point (a pinlab extension: the kernel has no fault point there): moving one
 * folio fails as `move_to_new_folio()` answering -EAGAIN on every retry would make it, so
 * `migrate_pages()` counts it failed and the folio stays where it was, its target given back.
 * Exercised through `migrate` (move_pages), compaction, cma_alloc and the long-term pin loop.
 *
 *   zones: NORMAL 4 MiB | MOVABLE 4 MiB | CMA 1 MiB; user pages come from MOVABLE first.
 */
import { describe, expect, it } from "vitest";
import { EBUSY, ENOMEM } from "../errno.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "../gup/foll-flags.js";
import { ZoneId } from "../memory/zones.js";
import { doMmap } from "../mm/mmap.js";
import { touchRange, userRead } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import type { FaultSpec } from "../sim/fault-spec.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/index.js";
import { cmaAlloc } from "./cma.js";
import { compact } from "./compaction.js";
import { migrateRange } from "./migrate.js";

function setup(migrate: FaultSpec, machine: Record<string, string> = { memory: "4MiB", movable: "4MiB", cma: "1MiB" }) {
  const inst = testKernel({ machine: { memory: "4MiB", ...machine }, faults: { migrate } });
  const k = inst.kernel;
  const p = k.spawn("p");
  const pages = (n: number) => {
    const a = doMmap(k, p, { length: n * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    expect(touchRange(k, p, a, n * PAGE_SIZE, true)).toBe(n);
    return a;
  };
  const frames = (a: number, n: number) => Array.from({ length: n }, (_, i) => p.mm!.pageTable.pfn(a / PAGE_SIZE + i));
  return { inst, k, gup: inst.gup, p, pages, frames };
}

describe("the migrate fault point", () => {
  it("migrate: the failed folio stays where it was, counted failed; its target goes back", () => {
    const { inst, k, p, pages, frames } = setup({ at: [2] });
    const a = pages(3);
    const before = frames(a, 3);
    const free = k.memory.nrFree(ZoneId.MOVABLE);
    expect(migrateRange(k, p.pid, a, 3 * PAGE_SIZE)).toEqual({ migrated: 2, failed: 1 });
    const after = frames(a, 3);
    expect(after[1]).toBe(before[1]);
    expect(after[0]).not.toBe(before[0]);
    expect(k.memory.nrFree(ZoneId.MOVABLE)).toBe(free);
    expect(k.vmstat.nr_migrate_failed).toBe(1);
    expect(inst.faults.stats().migrate).toEqual({ calls: 3, injected: 1 });
    expectConsistent(inst);
  });

  it("only a folio that reaches the move is a call: a pinned one fails before, with no call", () => {
    const { inst, k, gup, p, pages } = setup({ every: 1 });
    const a = pages(1);
    const held: number[] = [];
    expect(gup.getUserPages(p, a, 1, 0, held)).toBe(1);
    expect(migrateRange(k, p.pid, a, PAGE_SIZE)).toEqual({ migrated: 0, failed: 1 });
    expect(inst.faults.stats().migrate.calls).toBe(0);
    gup.putPages(held, 1);
    expectConsistent(inst);
  });

  it("compaction counts the failed folios in its result and keeps the free pages it had", () => {
    const { inst, k, pages } = setup({ every: 2 });
    pages(4);
    const free = k.memory.nrFree(ZoneId.MOVABLE);
    const failedBefore = k.vmstat.nr_migrate_failed;
    expect(compact(k, ZoneId.MOVABLE)).toEqual({ migrated: 2, failed: 2 });
    expect(k.memory.nrFree(ZoneId.MOVABLE)).toBe(free);
    expect(k.vmstat.nr_migrate_failed - failedBefore).toBe(2);
    expectConsistent(inst);
  });

  it("the long-term pin loop fails with ENOMEM when a folio will not move, with every pin given back", () => {
    const { inst, k, gup, p, pages, frames } = setup({ at: [1] });
    const a = pages(2);
    const before = frames(a, 2);
    const got: number[] = [];
    expect(gup.pinUserPages(p, a, 2, FOLL_WRITE | FOLL_LONGTERM, got)).toBe(-ENOMEM);
    expect(k.vmstat.nr_foll_pin_acquired).toBe(k.vmstat.nr_foll_pin_released);
    expect(frames(a, 2)[0]).toBe(before[0]);
    for (const pfn of frames(a, 2)) expect(gup.outstanding(pfn)).toEqual({ get: 0, pin: 0 });
    expectConsistent(inst);
    // The fault was call 1 only: the next pin migrates both pages and holds them in ZONE_NORMAL.
    expect(gup.pinUserPages(p, a, 2, FOLL_WRITE | FOLL_LONGTERM, got)).toBe(2);
    expect(got.every((pfn) => k.memory.zoneOf(pfn) === ZoneId.NORMAL)).toBe(true);
    expect(userRead(k, p, a, 1)).toBeInstanceOf(Uint8Array);
    gup.unpinUserPages(got, 2);
    expect(k.vmstat.nr_foll_pin_acquired).toBe(k.vmstat.nr_foll_pin_released);
    expectConsistent(inst);
  });

  it("cma_alloc: a folio that will not move makes its window busy (EBUSY), as -EAGAIN until migrate_pages gives up", () => {
    const { inst, k, p, pages, frames } = setup({ every: 1 }, { memory: "1MiB", cma: "2MiB" });
    const a = pages(1);
    expect(k.memory.zoneOf(frames(a, 1)[0])).toBe(ZoneId.CMA);
    const cma = k.memory.zones[ZoneId.CMA];
    expect(cmaAlloc(k, cma.end - cma.start)).toBe(-EBUSY);
    expect(k.memory.zoneOf(frames(a, 1)[0])).toBe(ZoneId.CMA);
    expect(p.mm!.pageTable.pfn(a / PAGE_SIZE)).toBe(frames(a, 1)[0]);
    expectConsistent(inst);
  });
});
