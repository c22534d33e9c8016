/**
 * Page migration (`migrate_pages` -> `migrate_folio_unmap` -> `folio_migrate_mapping`,
 * mm/migrate.c), compaction (mm/compaction.c) and CMA allocation (`cma_alloc` ->
 * `alloc_contig_range`), v6.12.
 *
 * Zones of the small machine used for compaction and CMA (frames):
 *
 *   0            256          384          448
 *   |NNNNNNNNNNNN|MMMMMMMMMMMM|CCCCCC|
 *    normal (zero page at 0)  movable     cma
 */
import { describe, expect, it } from "vitest";
import { EAGAIN, EBUSY, EINVAL, ENOMEM, ESRCH } from "../errno.js";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { PG_ANON_EXCLUSIVE, PG_DIRTY, PG_PRIVATE, PG_WRITEBACK } from "../memory/page-flags.js";
import { Gfp } from "../memory/physical-memory.js";
import { ZoneId } from "../memory/zones.js";
import { writeback } from "../fs/writeback.js";
import { doMadvise } from "../mm/madvise.js";
import { doMmap } from "../mm/mmap.js";
import type { Process } from "../mm/process.js";
import { touchRange, userRead, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import type { MmuIntervalNotifierOps } from "../notifier/mmu-notifiers.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/kernel.js";
import { cmaAlloc } from "./cma.js";
import { compact } from "./compaction.js";
import { folioExpectedRefCount, folioMovable, migrateFolio, migrateRange } from "./migrate.js";

const RW = VM_READ | VM_WRITE;
const P = PAGE_SIZE;
const enc = (s: string) => new TextEncoder().encode(s);

function setup(cfg: Parameters<typeof testKernel>[0] = {}) {
  const inst = testKernel({ machine: { memory: "16MiB" }, keepEventLog: true, ...cfg });
  const k = inst.kernel;
  const p = k.spawn("p");
  return { inst, k, p, gup: inst.gup };
}

const pfnAt = (p: Process, addr: number) => p.mm!.pageTable.pfn(addr / P);

describe("folioExpectedRefCount", () => {
  it("counts mappings, and for file folios one cache reference per page plus one for buffers", () => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, { length: P, prot: RW, shared: false, anonymous: true });
    userWrite(k, p, a, enc("x"));
    const anon = pfnAt(p, a);
    expect(folioExpectedRefCount(k, anon)).toBe(1);
    const file = k.createFile("f", "ext4", P);
    const b = doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, file });
    const q = k.spawn("q");
    const c = doMmap(k, q, { length: P, prot: RW, shared: true, anonymous: false, file });
    userWrite(k, p, b, enc("y"));
    touchRange(k, q, c, P, false);
    const fp = file.cache.get(0)!;
    expect(folioExpectedRefCount(k, fp)).toBe(1 + 1 + 2);
    expect(k.frames.refcount[fp]).toBe(4);
    expectConsistent(inst);
  });

  it("knows what can move at all: user pages, not the zero page, reserved or DAX frames", () => {
    const { k, p } = setup({ machine: { memory: "16MiB", pmem: "1MiB" } });
    const a = doMmap(k, p, { length: P, prot: RW, shared: false, anonymous: true });
    userWrite(k, p, a, enc("x"));
    expect(folioMovable(k, pfnAt(p, a))).toBe(true);
    expect(folioMovable(k, 0)).toBe(false);
    expect(folioMovable(k, k.memory.allocFolio(0, Gfp.PMEM))).toBe(false);
    expect(migrateFolio(k, 0, Gfp.MOVABLE, "sync")).toBe(-EBUSY);
  });
});

describe("migrateFolio", () => {
  it("moves contents, every PTE and the page-cache entry, carries the flags, notifies, frees the old frame", () => {
    const { inst, k, p } = setup();
    const file = k.createFile("f", "ext4", P);
    const a = doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, file });
    const q = k.spawn("q");
    const b = doMmap(k, q, { length: P, prot: VM_READ, shared: true, anonymous: false, file });
    userWrite(k, p, a, enc("moving"));
    touchRange(k, q, b, P, false);
    const old = file.cache.get(0)!;
    const seen: string[] = [];
    const ops: MmuIntervalNotifierOps = { invalidate: (_s, r) => (seen.push(r.event), true) };
    k.notifiers.insert(q.mm!, b, P, ops, "mirror");
    const bitsP = p.mm!.pageTable.bits(a / P);
    const dst = migrateFolio(k, old, Gfp.MOVABLE, "sync");
    expect(dst).toBeGreaterThan(0);
    expect(dst).not.toBe(old);
    expect(file.cache.get(0)).toBe(dst);
    expect(pfnAt(p, a)).toBe(dst);
    expect(pfnAt(q, b)).toBe(dst);
    expect(p.mm!.pageTable.bits(a / P)).toBe(bitsP);
    expect(k.frames.flags[dst] & (PG_DIRTY | PG_PRIVATE)).toBe(PG_DIRTY | PG_PRIVATE);
    expect(k.frames.refcount[dst]).toBe(4);
    expect(k.memory.isAllocated(old)).toBe(false);
    expect(seen).toEqual(["clear"]); // try_to_migrate_one(): MMU_NOTIFY_CLEAR (v6.12)
    expect(new TextDecoder().decode(userRead(k, q, b, 6) as Uint8Array)).toBe("moving");
    expect(k.vmstat.nr_migrated).toBe(1);
    expectConsistent(inst);
  });

  it("keeps an anonymous page's anon-exclusive mark and moves a whole THP", () => {
    const { inst, k, p } = setup();
    const base = 0x4000_0000;
    doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, addr: base });
    doMadvise(k, p, base, HPAGE_PMD_SIZE, "hugepage");
    userWrite(k, p, base + 3 * P, enc("thp"));
    const head = pfnAt(p, base);
    const dst = migrateFolio(k, head, Gfp.MOVABLE, "sync");
    expect(dst % HPAGE_PMD_NR).toBe(0);
    expect(pfnAt(p, base + 100 * P)).toBe(dst + 100);
    // Still one PMD leaf, the folio's first page carrying anon-exclusive (remove_migration_pmd()).
    expect(p.mm!.pageTable.isLeaf(base / P)).toBe(true);
    expect(k.frames.flags[dst] & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(k.frames.entireMapcount[dst]).toBe(1);
    expect(k.frames.refcount[dst]).toBe(1);
    expect(userRead(k, p, base + 3 * P, 3)).toEqual(enc("thp"));
    expect(k.vmstat.nr_migrated).toBe(HPAGE_PMD_NR);
    expectConsistent(inst);
  });

  it("fails with -EAGAIN while an unexplained reference (FOLL_GET) exists, changing nothing, and succeeds once it is dropped", () => {
    const { inst, k, p, gup } = setup();
    const a = doMmap(k, p, { length: P, prot: RW, shared: false, anonymous: true });
    userWrite(k, p, a, enc("x"));
    const pages: number[] = [];
    gup.getUserPages(p, a, 1, 0, pages);
    const pfn = pages[0];
    expect(k.frames.refcount[pfn]).toBe(folioExpectedRefCount(k, pfn) + 1);
    expect(migrateFolio(k, pfn, Gfp.MOVABLE, "sync")).toBe(-EAGAIN);
    expect(pfnAt(p, a)).toBe(pfn);
    gup.putPage(pfn);
    expect(migrateFolio(k, pfn, Gfp.MOVABLE, "sync")).toBeGreaterThan(0);
    expectConsistent(inst);
  });

  it("fails early with -EBUSY for a maybe-pinned exclusive anonymous page (folio_try_share_anon_rmap refuses)", () => {
    const { inst, k, p, gup } = setup();
    const a = doMmap(k, p, { length: P, prot: RW, shared: false, anonymous: true });
    userWrite(k, p, a, enc("x"));
    const pages: number[] = [];
    gup.pinUserPages(p, a, 1, FOLL_WRITE, pages);
    expect(migrateFolio(k, pages[0], Gfp.MOVABLE, "sync")).toBe(-EBUSY);
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("a pinned file page fails the refcount freeze instead (-EAGAIN)", () => {
    const { inst, k, p, gup } = setup();
    const file = k.createFile("f", "shmem", P);
    const a = doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, file });
    const pages: number[] = [];
    gup.pinUserPages(p, a, 1, FOLL_WRITE, pages);
    expect(migrateFolio(k, pages[0], Gfp.MOVABLE, "sync")).toBe(-EAGAIN);
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("refuses a page under writeback (-EBUSY) below MIGRATE_SYNC and fails with -ENOMEM without a target", () => {
    const { inst, k, p } = setup({ machine: { memory: "1MiB" } });
    const file = k.createFile("f", "ext4", P);
    const a = doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, file });
    userWrite(k, p, a, enc("w"));
    writeback(k, file, { async: true });
    const pfn = file.cache.get(0)!;
    expect(k.frames.flags[pfn] & PG_WRITEBACK).toBe(PG_WRITEBACK);
    expect(migrateFolio(k, pfn, Gfp.MOVABLE, "async")).toBe(-EBUSY);
    expect(migrateFolio(k, pfn, Gfp.MOVABLE, "sync_light")).toBe(-EBUSY);
    expect(k.clock.now).toBe(0);
    k.clock.settle();
    const taken: number[] = [];
    for (let x = k.memory.allocFolio(0, Gfp.PINNABLE); x >= 0; x = k.memory.allocFolio(0, Gfp.PINNABLE)) taken.push(x);
    expect(migrateFolio(k, pfn, Gfp.MOVABLE, "sync")).toBe(-ENOMEM);
    expect(file.cache.get(0)).toBe(pfn);
    for (const x of taken) k.memory.put(x);
    expectConsistent(inst);
  });

  it("waits for a page under writeback in MIGRATE_SYNC (folio_wait_writeback on the clock), then moves it", () => {
    const { inst, k, p } = setup({ machine: { memory: "1MiB" }, writebackLatency: 100_000 });
    const file = k.createFile("f", "ext4", P);
    const a = doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, file });
    userWrite(k, p, a, enc("w"));
    writeback(k, file, { async: true });
    k.clock.advance(30_000);
    const pfn = file.cache.get(0)!;
    const dst = migrateFolio(k, pfn, Gfp.MOVABLE, "sync");
    expect(dst).toBeGreaterThan(0);
    expect(k.clock.now).toBe(100_000);
    expect(k.frames.flags[dst] & PG_WRITEBACK).toBe(0);
    expect(file.cache.get(0)).toBe(dst);
    expectConsistent(inst);
  });

  it("migrateRange moves what it can in a process range and counts the rest, in one migrate event", () => {
    const { inst, k, p, gup } = setup();
    const a = doMmap(k, p, { length: 4 * P, prot: RW, shared: false, anonymous: true });
    touchRange(k, p, a, 3 * P, true); // the fourth page is never mapped
    const pages: number[] = [];
    gup.pinUserPages(p, a + P, 1, FOLL_WRITE, pages);
    const before = [0, 1, 2].map((i) => pfnAt(p, a + i * P));
    const n = k.events.count;
    expect(migrateRange(k, p.pid, a, 4 * P)).toEqual({ migrated: 2, failed: 1 });
    expect(k.events.events.slice(n).map((e) => e.type)).toEqual(["migrate"]);
    expect(pfnAt(p, a)).not.toBe(before[0]);
    expect(pfnAt(p, a + P)).toBe(before[1]);
    expect(k.vmstat.nr_migrate_failed).toBe(1);
    expect(() => migrateRange(k, 999, a, P)).toThrow(expect.objectContaining({ errno: ESRCH }));
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });
});

describe("compaction", () => {
  const cfg = { machine: { memory: "1MiB", movable: "512KiB" } };

  it("moves movable pages to the top of the zone, leaving free memory below, and skips pinned pages", () => {
    const { inst, k, p, gup } = setup(cfg);
    const a = doMmap(k, p, { length: 8 * P, prot: RW, shared: false, anonymous: true });
    for (let i = 0; i < 8; i++) userWrite(k, p, a + i * P, enc(`page${i}`));
    const span = k.memory.zones[ZoneId.MOVABLE];
    const before = Array.from({ length: 8 }, (_, i) => pfnAt(p, a + i * P));
    expect(before.every((x) => x >= span.start && x < span.start + 8)).toBe(true);
    const pages: number[] = [];
    gup.pinUserPages(p, a + 2 * P, 1, FOLL_WRITE, pages);
    const n = k.events.count;
    expect(compact(k, ZoneId.MOVABLE)).toEqual({ migrated: 7, failed: 1 });
    expect(k.events.events.slice(n)).toEqual([expect.objectContaining({ type: "migrate", reason: "compaction", zone: "movable", migrated: 7, failed: 1 })]);
    const after = Array.from({ length: 8 }, (_, i) => pfnAt(p, a + i * P));
    expect(after[2]).toBe(before[2]);
    for (const i of [0, 1, 3, 4, 5, 6, 7]) expect(after[i]).toBeGreaterThanOrEqual(span.end - 7);
    for (let i = 0; i < 8; i++) expect(userRead(k, p, a + i * P, 5)).toEqual(enc(`page${i}`));
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("compacts every zone but PMEM when no zone is named, one event per non-empty zone", () => {
    const { inst, k } = setup(cfg);
    const n = k.events.count;
    expect(compact(k)).toEqual({ migrated: 0, failed: 0 });
    expect(k.events.events.slice(n).map((e) => (e as { zone?: string }).zone)).toEqual(["normal", "movable"]);
    expectConsistent(inst);
  });
});

describe("cmaAlloc", () => {
  // CMA holds more free frames than ZONE_NORMAL, so movable allocations land in it.
  const cfg = { machine: { memory: "1MiB", cma: "2MiB" } };

  it("migrates movable pages out of the window and hands the whole range over", () => {
    const { inst, k, p } = setup(cfg);
    const a = doMmap(k, p, { length: 16 * P, prot: RW, shared: false, anonymous: true });
    for (let i = 0; i < 16; i++) userWrite(k, p, a + i * P, enc(`c${i}`));
    const span = k.memory.zones[ZoneId.CMA];
    expect(k.memory.zoneOf(pfnAt(p, a))).toBe(ZoneId.CMA);
    const n = k.events.count;
    const r = cmaAlloc(k, span.end - span.start);
    expect(r).toEqual({ pfn: span.start, pages: span.end - span.start });
    const evs = k.events.events.slice(n);
    expect(evs[0]).toMatchObject({ type: "cma_alloc", ok: true, migrated: 16 });
    expect(evs[1]).toMatchObject({ type: "migrate", reason: "contig_range", migrated: 16 });
    for (let i = 0; i < 16; i++) {
      expect(k.memory.zoneOf(pfnAt(p, a + i * P))).not.toBe(ZoneId.CMA);
      expect(userRead(k, p, a + i * P, 3)).toEqual(enc(`c${i}`.padEnd(3, "\0")));
    }
    expect(k.memory.nrFree(ZoneId.CMA)).toBe(0);
    expectConsistent(inst);
  });

  it("skips past a pinned page to a window that avoids it", () => {
    const { inst, k, p, gup } = setup(cfg);
    const a = doMmap(k, p, { length: 4 * P, prot: RW, shared: false, anonymous: true });
    touchRange(k, p, a, 4 * P, true);
    const pages: number[] = [];
    gup.pinUserPages(p, a, 1, FOLL_WRITE, pages);
    const pinned = pages[0];
    const r = cmaAlloc(k, 64);
    expect(typeof r).toBe("object");
    const { pfn } = r as { pfn: number };
    expect(pinned < pfn || pinned >= pfn + 64).toBe(true);
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("fails with -EBUSY when a pinned page blocks every window", () => {
    const { inst, k, p, gup } = setup(cfg);
    const span = k.memory.zones[ZoneId.CMA];
    const size = span.end - span.start;
    // Pin a page in the middle of the area: no window of more than half the area avoids it.
    const a = doMmap(k, p, { length: (size / 2 + 1) * P, prot: RW, shared: false, anonymous: true });
    touchRange(k, p, a, (size / 2 + 1) * P, true);
    const mid = a + (size / 2) * P;
    expect(pfnAt(p, mid)).toBe(span.start + size / 2);
    const pages: number[] = [];
    gup.pinUserPages(p, mid, 1, FOLL_WRITE, pages);
    expect(cmaAlloc(k, size / 2 + 2)).toBe(-EBUSY);
    expect(k.events.events.at(-1)).toMatchObject({ type: "cma_alloc", ok: false, errno: String(EBUSY) });
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("fails with -ENOMEM when the area is too small or already handed out, -EINVAL for no pages", () => {
    const { inst, k } = setup(cfg);
    const span = k.memory.zones[ZoneId.CMA];
    const size = span.end - span.start;
    expect(cmaAlloc(k, size + 1)).toBe(-ENOMEM);
    expect(cmaAlloc(k, 0)).toBe(-EINVAL);
    expect(cmaAlloc(k, size / 2)).toEqual({ pfn: span.start, pages: size / 2 });
    expect(cmaAlloc(k, size / 2)).toEqual({ pfn: span.start + size / 2, pages: size / 2 });
    // Nothing left in the CMA bitmap: cma_alloc finds no free area (never tries a window).
    expect(cmaAlloc(k, 1)).toBe(-ENOMEM);
    expectConsistent(inst);
  });

  it("fails with -ENOMEM on a machine without CMA", () => {
    const { k } = setup();
    expect(cmaAlloc(k, 1)).toBe(-ENOMEM);
  });
});
