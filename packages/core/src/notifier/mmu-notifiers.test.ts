/**
 * MMU interval notifiers (mm/mmu_notifier.c, include/linux/mmu_notifier.h, v6.12): insert and
 * remove, range overlap, the read_begin / read_retry sequence protocol, and the reason every mm
 * path gives when it invalidates.
 *
 * Notifier interval `N` over the mapping used by the overlap table (4 pages at BASE):
 *
 *   BASE-1p  BASE     +1p      +2p      +3p      +4p      +5p
 *   .........|NNNNNNNN|NNNNNNNN|NNNNNNNN|NNNNNNNN|.........
 */
import { describe, expect, it } from "vitest";
import { EINVAL } from "../errno.js";
import type { MmuNotifyEvent } from "../events/event-types.js";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { doTruncate } from "../fs/truncate.js";
import { writeback } from "../fs/writeback.js";
import { Gfp } from "../memory/physical-memory.js";
import { migrateFolio } from "../migrate/migrate.js";
import { reclaim } from "../migrate/reclaim.js";
import { doExit, doFork } from "../mm/fork.js";
import { doMadvise } from "../mm/madvise.js";
import { doMmap, doMunmap } from "../mm/mmap.js";
import { doMprotect } from "../mm/mprotect.js";
import type { Process } from "../mm/process.js";
import { touchRange, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/kernel.js";
import type { MmuIntervalNotifier, MmuIntervalNotifierOps, MmuNotifierRange } from "./mmu-notifiers.js";

const RW = VM_READ | VM_WRITE;
const P = PAGE_SIZE;
const BASE = 0x3000_0000;

/** An interval notifier that records every invalidation it receives and acks the sequence. */
function recorder() {
  const got: { event: MmuNotifyEvent; start: number; end: number }[] = [];
  const ops: MmuIntervalNotifierOps = {
    invalidate(sub: MmuIntervalNotifier, range: MmuNotifierRange) {
      expect(range.mm).toBe(sub.mm);
      got.push({ event: range.event, start: range.start, end: range.end });
      return true;
    },
  };
  return { got, ops, events: () => got.map((g) => g.event) };
}

function setup() {
  const inst = testKernel({ keepEventLog: true });
  const k = inst.kernel;
  const p = k.spawn("p");
  expect(doMmap(k, p, { length: 4 * P, prot: RW, shared: false, anonymous: true, addr: BASE })).toBe(BASE);
  return { inst, k, p, gup: inst.gup };
}

describe("interval notifiers", () => {
  it("insert lists the interval on its mm; remove takes it off, idempotently", () => {
    const { k, p } = setup();
    const r = recorder();
    const sub = k.notifiers.insert(p.mm!, BASE, 4 * P, r.ops, "dev");
    expect(sub).toMatchObject({ start: BASE, end: BASE + 4 * P, owner: "dev", live: true, invalidateSeq: 0 });
    expect(k.notifiers.intervals(p.mm!)).toEqual([sub]);
    k.notifiers.remove(sub);
    k.notifiers.remove(sub);
    expect(sub.live).toBe(false);
    expect(k.notifiers.intervals(p.mm!)).toEqual([]);
    expect(k.notifiers.invalidateRange(p.mm!, BASE, BASE + P, "clear")).toBe(0);
    expect(r.got).toEqual([]);
  });

  it.each([
    // [start, end) in pages relative to BASE; whether the interval [0, 4) is told
    [-1, 0, false],
    [-1, 1, true],
    [0, 4, true],
    [3, 5, true],
    [4, 5, false],
    [1, 2, true],
  ])("invalidating pages [%i, %i) reaches the interval: %s", (s, e, hit) => {
    const { k, p } = setup();
    const r = recorder();
    k.notifiers.insert(p.mm!, BASE, 4 * P, r.ops, "dev");
    expect(k.notifiers.invalidateRange(p.mm!, BASE + s * P, BASE + e * P, "clear")).toBe(hit ? 1 : 0);
    expect(r.got.length).toBe(hit ? 1 : 0);
  });

  it("only reaches intervals of the same mm", () => {
    const { k, p } = setup();
    const q = k.spawn("q");
    doMmap(k, q, { length: 4 * P, prot: RW, shared: false, anonymous: true, addr: BASE });
    const r = recorder();
    k.notifiers.insert(q.mm!, BASE, 4 * P, r.ops, "dev");
    expect(k.notifiers.invalidateRange(p.mm!, BASE, BASE + 4 * P, "unmap")).toBe(0);
    expect(r.got).toEqual([]);
  });

  it("read_begin / read_retry: a retry is needed exactly when an invalidation happened in between", () => {
    const { k, p } = setup();
    const r = recorder();
    const sub = k.notifiers.insert(p.mm!, BASE, 4 * P, r.ops, "dev");
    const seq = k.notifiers.readBegin(sub);
    expect(k.notifiers.readRetry(sub, seq)).toBe(false);
    // An invalidation elsewhere does not disturb the reader.
    k.notifiers.invalidateRange(p.mm!, BASE + 8 * P, BASE + 9 * P, "clear");
    expect(k.notifiers.readRetry(sub, seq)).toBe(false);
    k.notifiers.invalidateRange(p.mm!, BASE, BASE + P, "clear");
    expect(k.notifiers.readRetry(sub, seq)).toBe(true);
    const again = k.notifiers.readBegin(sub);
    expect(again).not.toBe(seq);
    expect(k.notifiers.readRetry(sub, again)).toBe(false);
    expect(sub.invalidations).toBe(1);
  });

  it("the sequence advances whether or not the driver acks it with set_seq", () => {
    const { k, p } = setup();
    const acking: MmuIntervalNotifierOps = { invalidate: (sub, _r, cur) => (k.notifiers.setSeq(sub, cur), true) };
    const a = k.notifiers.insert(p.mm!, BASE, P, acking, "acks");
    const b = k.notifiers.insert(p.mm!, BASE, P, recorder().ops, "silent");
    k.notifiers.invalidateRange(p.mm!, BASE, BASE + P, "clear");
    k.notifiers.invalidateRange(p.mm!, BASE, BASE + P, "clear");
    expect(a.invalidateSeq).toBe(2);
    expect(b.invalidateSeq).toBe(2);
  });

  it("counts every invalidation by reason, and emits an invalidate event only when an interval was told (or on release)", () => {
    const { k, p } = setup();
    const before = { ...k.notifiers.counts };
    const n = k.events.count;
    k.notifiers.invalidateRange(p.mm!, BASE, BASE + P, "clear");
    expect(k.events.count).toBe(n);
    k.notifiers.insert(p.mm!, BASE, P, recorder().ops, "dev");
    k.notifiers.invalidateRange(p.mm!, BASE, BASE + P, "protection_vma");
    expect(k.events.events.at(-1)).toMatchObject({ type: "invalidate", pid: p.pid, event: "protection_vma", notified: 1 });
    expect(k.notifiers.counts.clear).toBe(before.clear + 1);
    expect(k.notifiers.counts.protection_vma).toBe(before.protection_vma + 1);
  });

  it.each([
    ["a zero length", BASE, 0],
    ["a negative length", BASE, -P],
    ["a negative start", -P, P],
    ["a non-integer start", 0.5, P],
  ])("refuses to insert an interval with %s (mmu_interval_notifier_insert)", (_d, start, length) => {
    const { k, p } = setup();
    expect(() => k.notifiers.insert(p.mm!, start, length, recorder().ops, "dev")).toThrow(expect.objectContaining({ errno: EINVAL }));
    expect(k.notifiers.intervals(p.mm!)).toEqual([]);
  });
});

describe("every mm path invalidates with the right reason", () => {
  type Ctx = ReturnType<typeof setup> & { file: ReturnType<ReturnType<typeof setup>["k"]["createFile"]>; fa: number };
  const cases: [string, MmuNotifyEvent[], (c: Ctx) => void][] = [
    ["munmap", ["unmap"], ({ k, p }) => expect(doMunmap(k, p, BASE, P)).toBe(1)],
    ["mprotect", ["protection_vma"], ({ k, p }) => expect(doMprotect(k, p, BASE, 4 * P, VM_READ)).toBe(0)],
    ["fork, then a COW of the shared page", ["protection_page", "clear"], ({ k, p }) => {
      doFork(k, p, "c");
      expect(userWrite(k, p, BASE, Uint8Array.of(1))).toBe(0);
    }],
    ["fork write-protecting a COW VMA", ["protection_page"], ({ k, p }) => void doFork(k, p, "c")],
    ["madvise(MADV_DONTNEED)", ["clear"], ({ k, p }) => expect(doMadvise(k, p, BASE, 4 * P, "dontneed")).toBe(4)],
    ["writeback cleaning a page", ["protection_page"], ({ k, file }) => expect(writeback(k, file)).toBe(1)],
    ["truncate", ["clear"], ({ k, file }) => expect(doTruncate(k, file, 0)).toBe(0)],
    ["writeback, then reclaim", ["protection_page", "clear"], ({ k, file }) => {
      writeback(k, file);
      expect(reclaim(k, file).reclaimed).toBe(1);
    }],
    ["migration (try_to_migrate_one uses MMU_NOTIFY_CLEAR)", ["clear"], ({ k, p }) => expect(migrateFolio(k, p.mm!.pageTable.pfn(BASE / P), Gfp.MOVABLE, "sync")).toBeGreaterThan(0)],
    ["exit (exit_mmap: mmu_notifier_release, then unmap_vmas)", ["release", "unmap"], ({ k, p }) => void doExit(k, p)],
  ];

  it.each(cases)("%s -> %j", (_d, expected, run) => {
    const s = setup();
    const { k, p } = s;
    expect(userWrite(k, p, BASE, Uint8Array.of(9))).toBe(0);
    touchRange(k, p, BASE + P, 3 * P, true);
    const file = k.createFile("f", "ext4", P);
    const fa = doMmap(k, p, { length: P, prot: RW, shared: true, anonymous: false, file, addr: BASE + 8 * P });
    expect(userWrite(k, p, fa, Uint8Array.of(1))).toBe(0);
    const r = recorder();
    k.notifiers.insert(p.mm!, BASE, 16 * P, r.ops, "mirror");
    const before = { ...k.notifiers.counts };
    run({ ...s, file, fa });
    expect([...new Set(r.events())]).toEqual(expected);
    for (const ev of expected) expect(k.notifiers.counts[ev]).toBeGreaterThan(before[ev]);
    expectConsistent(s.inst);
  });

  it("fork tells a private hugetlb VMA MMU_NOTIFY_CLEAR (copy_hugetlb_page_range), an ordinary COW VMA PROTECTION_PAGE (copy_page_range)", () => {
    const { inst, k, p } = setup();
    expect(userWrite(k, p, BASE, Uint8Array.of(9))).toBe(0);
    const h = doMmap(k, p, { length: 512 * P, prot: RW, shared: false, anonymous: true, hugetlb: true });
    expect(userWrite(k, p, h, Uint8Array.of(1))).toBe(0);
    const huge = recorder();
    const small = recorder();
    k.notifiers.insert(p.mm!, h, P, huge.ops, "huge");
    k.notifiers.insert(p.mm!, BASE, P, small.ops, "small");
    expect(doFork(k, p, "c")).not.toBeTypeOf("number");
    expect(huge.events()).toEqual(["clear"]);
    expect(small.events()).toEqual(["protection_page"]);
    expectConsistent(inst);
  });

  it("a long-term pin migrating a page out of ZONE_MOVABLE invalidates the old mapping", () => {
    const inst = testKernel({ machine: { memory: "4MiB", movable: "4MiB" } });
    const k = inst.kernel;
    const p: Process = k.spawn("p");
    const a = doMmap(k, p, { length: P, prot: RW, shared: false, anonymous: true });
    touchRange(k, p, a, P, true);
    const r = recorder();
    k.notifiers.insert(p.mm!, a, P, r.ops, "mirror");
    const pages: number[] = [];
    expect(inst.gup.pinUserPages(p, a, 1, FOLL_WRITE | (1 << 8), pages)).toBe(1);
    expect(r.events()).toEqual(["clear"]);
    inst.gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });
});
