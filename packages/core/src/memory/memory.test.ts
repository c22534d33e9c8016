/**
 * Frames, zones, the allocator and the content store.
 *
 * Physical layout of the machine used by most tests here (frames, 4 KiB each):
 *
 *   PFN  0        256       384       448       512
 *        |NNNNNNNNN|MMMMMMMMM|CCCCCCCCC|PPPPPPPPP|
 *        N = ZONE_NORMAL (PFN 0 = zero page), M = ZONE_MOVABLE, C = CMA, P = PMEM (FS-DAX)
 */
import { describe, expect, it } from "vitest";
import { ContentStore } from "./content-store.js";
import { FrameTable } from "./frame-table.js";
import { Gfp } from "./physical-memory.js";
import { PG_ALLOC, PG_DAX, PG_HEAD, PG_ORPHAN, PG_RESERVED, PG_TAIL, PG_ZERO, pageFlagNames } from "./page-flags.js";
import { ZoneAllocator } from "./zone-allocator.js";
import { ZoneId, layoutZones } from "./zones.js";
import { HPAGE_PMD_NR, HPAGE_PMD_ORDER, PAGE_SIZE } from "../sim/units.js";
import { ENOMEM } from "../errno.js";
import { doMmap } from "../mm/mmap.js";
import { touchRange, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { expectConsistent, testKernel } from "../testing/kernel.js";

const small = () => testKernel({ machine: { memory: "1MiB", movable: "512KiB", cma: "256KiB", pmem: "256KiB" } });

describe("zones", () => {
  it("lays zones out back to back from PFN 0 in the order NORMAL, MOVABLE, CMA, PMEM", () => {
    const { kernel: k } = small();
    const z = k.memory.zones;
    expect(z.map((s) => [s.name, s.start, s.end])).toEqual([
      ["normal", 0, 256], ["movable", 256, 384], ["cma", 384, 448], ["pmem", 448, 512],
    ]);
    expect(k.memory.nrFrames).toBe(512);
    for (const [pfn, zone] of [[0, ZoneId.NORMAL], [255, ZoneId.NORMAL], [256, ZoneId.MOVABLE], [383, ZoneId.MOVABLE],
      [384, ZoneId.CMA], [447, ZoneId.CMA], [448, ZoneId.PMEM], [511, ZoneId.PMEM]] as const) {
      expect(k.memory.zoneOf(pfn)).toBe(zone);
    }
    expect(k.memory.zoneName(300)).toBe("movable");
  });

  it("leaves empty zones empty (zero-sized spans) and never allocates from them", () => {
    const spans = layoutZones({ normal: 10, movable: 0, cma: 0, pmem: 4 });
    expect(spans.map((s) => s.end - s.start)).toEqual([10, 0, 0, 4]);
    expect(spans[3].start).toBe(10);
  });

  it("reserves the shared zero page at PFN 0: allocated, reserved, never handed out or freed", () => {
    const inst = small();
    const k = inst.kernel;
    const f = k.frames;
    expect(k.memory.zeroPfn).toBe(0);
    expect(f.flags[0] & (PG_ALLOC | PG_ZERO | PG_RESERVED)).toBe(PG_ALLOC | PG_ZERO | PG_RESERVED);
    expect(k.memory.isAllocated(0)).toBe(true);
    expect(k.memory.nrFree(ZoneId.NORMAL)).toBe(255);
    // Drain ZONE_NORMAL completely: PFN 0 is never among the frames returned.
    const got = new Set<number>();
    for (;;) {
      const pfn = k.memory.allocFolio(0, Gfp.PINNABLE);
      if (pfn < 0) break;
      got.add(pfn);
    }
    expect(got.size).toBe(255);
    expect(got.has(0)).toBe(false);
    // Dropping a reference on the zero page never frees it.
    expect(k.memory.put(0)).toBe(false);
    k.memory.get(0);
    expect(k.memory.isAllocated(0)).toBe(true);
  });
});

describe("allocator", () => {
  it("allocates a folio with one reference held by the caller, and frees it when the last reference goes", () => {
    const inst = small();
    const k = inst.kernel;
    const pfn = k.memory.allocFolio(0);
    expect(pfn).toBeGreaterThan(0);
    expect(k.frames.refcount[pfn]).toBe(1);
    k.memory.get(pfn, 2);
    expect(k.memory.put(pfn, 2)).toBe(false);
    expect(k.memory.put(pfn)).toBe(true);
    expect(k.memory.isAllocated(pfn)).toBe(false);
    expect(k.frames.flags[pfn]).toBe(0);
    expect(() => k.memory.put(pfn)).toThrow(/underflow/);
  });

  it.each([
    ["movable", Gfp.MOVABLE, [ZoneId.MOVABLE, ZoneId.NORMAL, ZoneId.CMA]],
    ["pinnable", Gfp.PINNABLE, [ZoneId.NORMAL]],
    ["not_cma", Gfp.NOT_CMA, [ZoneId.MOVABLE, ZoneId.NORMAL]],
    ["pmem", Gfp.PMEM, [ZoneId.PMEM]],
  ] as const)("a %s allocation starts in %j[0], drains exactly those zones, then fails (ENOMEM for the caller)", (_name, gfp, zones) => {
    const { kernel: k } = small();
    const seen: number[] = [];
    for (;;) {
      const pfn = k.memory.allocFolio(0, gfp);
      if (pfn < 0) break;
      seen.push(k.memory.zoneOf(pfn));
    }
    expect(seen[0]).toBe(zones[0]);
    expect(new Set(seen)).toEqual(new Set(zones));
    for (const z of zones) expect(k.memory.nrFree(z)).toBe(0);
    const frames = zones.reduce((n: number, z: ZoneId) => n + k.memory.zoneFrames(z), 0);
    expect(seen.length).toBe(frames - ((zones as readonly ZoneId[]).includes(ZoneId.NORMAL) ? 1 : 0));
  });

  it("prefers CMA for movable allocations once CMA holds more free frames than ZONE_NORMAL (__rmqueue ALLOC_CMA)", () => {
    const { kernel: k } = testKernel({ machine: { memory: "1MiB", cma: "2MiB" } });
    const pfn = k.memory.allocFolio(0);
    expect(k.memory.zoneOf(pfn)).toBe(ZoneId.CMA);
  });

  it("a process that faults more than memory gets ENOMEM when every zone is full, and stays consistent", () => {
    const inst = testKernel({ machine: { memory: "1MiB" } });
    const k = inst.kernel;
    const p = k.spawn("p");
    const len = 512 * PAGE_SIZE;
    const a = doMmap(k, p, { length: len, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    expect(touchRange(k, p, a, len, true)).toBe(-ENOMEM);
    expect(k.memory.nrFree(ZoneId.NORMAL)).toBe(0);
    expectConsistent(inst);
  });

  it("aligns an order-9 folio naturally and marks head and tails", () => {
    const { kernel: k } = testKernel({ machine: { memory: "8MiB" } });
    // Fragment the zone first so the allocator must skip a busy block.
    const one = k.memory.allocFolio(0, Gfp.PINNABLE);
    const head = k.memory.allocFolio(HPAGE_PMD_ORDER, Gfp.PINNABLE);
    expect(head % HPAGE_PMD_NR).toBe(0);
    expect(head).not.toBe(0);
    expect(one < head || one >= head + HPAGE_PMD_NR).toBe(true);
    const f = k.frames;
    expect(f.flags[head] & PG_HEAD).toBe(PG_HEAD);
    for (const i of [1, 7, HPAGE_PMD_NR - 1]) {
      expect(f.flags[head + i] & PG_TAIL).toBe(PG_TAIL);
      expect(f.head(head + i)).toBe(head);
      expect(f.order[head + i]).toBe(HPAGE_PMD_ORDER);
    }
    expect(f.nrPages(head)).toBe(HPAGE_PMD_NR);
    expect(f.refcount[head]).toBe(1);
    expect(f.isLarge(head + 3)).toBe(true);
    expect(k.memory.put(head)).toBe(true);
    expect(k.memory.rangeFree(head, HPAGE_PMD_NR)).toBe(true);
  });

  it("fails an order-9 allocation when no aligned 2 MiB block is free, though enough frames are", () => {
    const { kernel: k } = testKernel({ machine: { memory: "4MiB" } });
    // Busy one frame in each 2 MiB block: PFN 0 (zero page) and PFN 512.
    k.memory.takeRange(512, 1);
    expect(k.memory.nrFree(ZoneId.NORMAL)).toBe(1022);
    expect(k.memory.allocFolio(HPAGE_PMD_ORDER, Gfp.PINNABLE)).toBe(-1);
  });

  it("reuses the most recently freed frame first (LIFO hot list)", () => {
    const { kernel: k } = small();
    const a = k.memory.allocFolio(0, Gfp.PINNABLE);
    const b = k.memory.allocFolio(0, Gfp.PINNABLE);
    const c = k.memory.allocFolio(0, Gfp.PINNABLE);
    k.memory.put(a);
    k.memory.put(c);
    expect(k.memory.allocFolio(0, Gfp.PINNABLE)).toBe(c);
    expect(k.memory.allocFolio(0, Gfp.PINNABLE)).toBe(a);
    expect(b).toBeGreaterThan(0);
  });

  it("hands a freed FS-DAX block straight back out, keeping the references stale holders still have (releaseDaxBlock)", () => {
    const { kernel: k } = small();
    const f = k.frames;
    const blk = k.memory.allocFolio(0, Gfp.PMEM);
    expect(k.memory.zoneOf(blk)).toBe(ZoneId.PMEM);
    expect(f.flags[blk] & PG_DAX).toBe(PG_DAX);
    k.memory.get(blk); // a GUP holder's reference
    k.memory.put(blk); // the filesystem lets go of its own
    expect(f.refcount[blk]).toBe(1);
    k.memory.releaseDaxBlock(blk);
    expect(k.memory.isAllocated(blk)).toBe(false);
    expect(f.flags[blk]).toBe(PG_DAX | PG_ORPHAN);
    const again = k.memory.allocFolio(0, Gfp.PMEM);
    expect(again).toBe(blk);
    expect(f.refcount[blk]).toBe(2); // stale holder + new owner
    expect(f.flags[blk] & PG_ORPHAN).toBe(0);
    // The stale holder lets go: the new owner keeps the block.
    expect(k.memory.put(blk)).toBe(false);
    expect(k.memory.isAllocated(blk)).toBe(true);
  });

  it("frees a released FS-DAX block's frame state (not the allocator slot) when its last stale reference goes", () => {
    const { kernel: k } = small();
    const blk = k.memory.allocFolio(0, Gfp.PMEM);
    k.memory.releaseDaxBlock(blk);
    expect(k.memory.put(blk)).toBe(true);
    expect(k.frames.flags[blk]).toBe(0);
    expect(k.memory.isAllocated(blk)).toBe(false);
    expect(k.memory.nrFree(ZoneId.PMEM)).toBe(64);
  });

  it("takes and releases explicit ranges as reserved kernel memory", () => {
    const { kernel: k } = small();
    k.memory.takeRange(400, 8);
    expect(k.memory.rangeFree(400, 8)).toBe(false);
    expect(k.frames.flags[403] & PG_RESERVED).toBe(PG_RESERVED);
    expect(() => k.memory.takeRange(404, 2)).toThrow(/busy/);
    k.memory.releaseRange(400, 8);
    expect(k.memory.rangeFree(400, 8)).toBe(true);
    expect(k.memory.nrFree(ZoneId.CMA)).toBe(64);
  });

  it("ZoneAllocator refuses double frees and counts free frames", () => {
    const span = { id: ZoneId.NORMAL, name: "normal" as const, start: 32, end: 96 };
    const bitmap = new Uint32Array(4);
    const z = new ZoneAllocator(span, bitmap);
    expect(z.nrFrames).toBe(64);
    const p = z.alloc(0);
    expect(p).toBe(32);
    expect(z.nrFree).toBe(63);
    z.release(p, 1);
    expect(() => z.release(p, 1)).toThrow(/double free/);
    const big = z.alloc(5);
    expect(big % 32).toBe(0);
    expect(z.alloc(6)).toBe(-1); // 64 frames left but no free aligned 64-frame block
  });

  it("walks whole bitmap words when a zone does not start on a word boundary", () => {
    const span = { id: ZoneId.NORMAL, name: "normal" as const, start: 5, end: 200 };
    const bitmap = new Uint32Array(8);
    const z = new ZoneAllocator(span, bitmap);
    const got: number[] = [];
    for (let i = 0; i < 195; i++) got.push(z.alloc(0));
    expect(got[0]).toBe(5);
    expect(new Set(got).size).toBe(195);
    expect(Math.max(...got)).toBe(199);
    expect(z.alloc(0)).toBe(-1);
    // Frames outside the span are untouched.
    expect(bitmap[0] & 0b11111).toBe(0);
  });
});

describe("frame table", () => {
  it("is struct-of-arrays with a fixed byte cost per frame", () => {
    const t = new FrameTable(1000);
    expect(t.refcount.length).toBe(1000);
    expect(FrameTable.BYTES_PER_FRAME).toBe(29);
    expect(t.valid(999)).toBe(true);
    expect(t.valid(1000)).toBe(false);
    expect(t.valid(-1)).toBe(false);
    expect(t.valid(1.5)).toBe(false);
  });

  it("names flags for display", () => {
    expect(pageFlagNames(PG_ALLOC | PG_ZERO | PG_RESERVED)).toEqual(["alloc", "zero", "reserved"]);
  });
});

describe("content store", () => {
  it("is sparse: reading an untouched frame gives zeros, writing zeros stores nothing", () => {
    const s = new ContentStore();
    const out = new Uint8Array(8).fill(7);
    s.read(3, 0, 8, out);
    expect([...out]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    s.write(3, 10, new Uint8Array(16));
    expect(s.size).toBe(0);
    s.write(3, 10, Uint8Array.of(1, 2));
    expect(s.has(3)).toBe(true);
    s.read(3, 9, 4, out);
    expect([...out.subarray(0, 4)]).toEqual([0, 1, 2, 0]);
  });

  it("copies, snapshots, restores and clears whole pages", () => {
    const s = new ContentStore();
    s.write(1, 0, Uint8Array.of(9));
    s.copy(1, 2);
    s.write(1, 0, Uint8Array.of(8));
    expect(s.snapshot(2)?.[0]).toBe(9);
    s.copy(5, 2); // copying an empty page empties the target
    expect(s.has(2)).toBe(false);
    const snap = s.snapshot(1);
    s.clear(1);
    expect(s.snapshot(1)).toBeUndefined();
    s.restore(1, snap);
    expect(s.snapshot(1)?.[0]).toBe(8);
    s.restore(1, undefined);
    expect(s.has(1)).toBe(false);
  });

  it("stores no bytes for faults and touches, only for data written", () => {
    const inst = testKernel();
    const k = inst.kernel;
    const p = k.spawn("p");
    const len = 64 * PAGE_SIZE;
    const a = doMmap(k, p, { length: len, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    expect(touchRange(k, p, a, len, true)).toBe(64);
    const file = k.createFile("f", "ext4", len);
    const b = doMmap(k, p, { length: len, prot: VM_READ | VM_WRITE, shared: true, anonymous: false, file });
    expect(touchRange(k, p, b, len, true)).toBe(64);
    expect(k.memory.contents.size).toBe(0);
    expect(userWrite(k, p, a + 5 * PAGE_SIZE + 100, Uint8Array.of(1, 2, 3))).toBe(0);
    expect(k.memory.contents.size).toBe(1);
    expectConsistent(inst);
  });
});
