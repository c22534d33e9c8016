/**
 * Properties over random operation sequences (fast-check): whatever mix of mmap, munmap,
 * touch, write, fork, mprotect, madvise, GUP pin/unpin, writeback, truncate, punch hole,
 * migration, compaction, reclaim, clock advances and exit runs over a few processes and files,
 * the invariant checker finds nothing after every step; and the same seed with the same
 * sequence gives the same events hash.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FOLL_LONGTERM, FOLL_WRITE } from "../gup/foll-flags.js";
import { doPunchHole, doTruncate } from "../fs/truncate.js";
import { writeback } from "../fs/writeback.js";
import { ZoneId } from "../memory/zones.js";
import { compact } from "../migrate/compaction.js";
import { migrateRange } from "../migrate/migrate.js";
import { reclaim } from "../migrate/reclaim.js";
import { doExit, doFork } from "../mm/fork.js";
import { doMadvise, type MadviseAdvice } from "../mm/madvise.js";
import { doMmap, doMunmap } from "../mm/mmap.js";
import { doMprotect } from "../mm/mprotect.js";
import { Process } from "../mm/process.js";
import { touchRange, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { testKernel } from "../testing/kernel.js";
import type { KernelInstance } from "../instance/create-kernel.js";

const P = PAGE_SIZE;
const FILES = [["ext4", 16 * P], ["shmem", 16 * P], ["fsdax", 16 * P], ["hugetlbfs", 2 * HPAGE_PMD_SIZE]] as const;

/** One operation, with indices resolved modulo what exists when it runs. */
type Op =
  | { op: "mmap"; proc: number; kind: "anon" | "shared-anon" | "file-shared" | "file-private" | "hugetlb" | "thp"; file: number; pages: number; prot: number; populate: boolean }
  | { op: "munmap" | "touch" | "mprotect" | "madvise" | "pin"; proc: number; map: number; off: number; pages: number; write: boolean; prot: number; advice: MadviseAdvice; longterm: boolean }
  | { op: "write"; proc: number; map: number; off: number; byte: number }
  | { op: "fork" | "exit" | "migrate"; proc: number }
  | { op: "unpin"; pin: number; dirty: boolean }
  | { op: "writeback"; file: number; async: boolean }
  | { op: "truncate"; file: number; pages: number }
  | { op: "punch"; file: number; off: number; len: number }
  | { op: "compact"; zone: number }
  | { op: "reclaim" }
  | { op: "advance"; ns: number };

const idx = fc.nat(7);
const RW = VM_READ | VM_WRITE;
const prot = fc.constantFrom(RW, RW, RW, VM_READ, 0);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("mmap" as const), proc: idx, kind: fc.constantFrom("anon", "shared-anon", "file-shared", "file-private", "hugetlb", "thp"), file: idx, pages: fc.integer({ min: 1, max: 8 }), prot, populate: fc.boolean() }), weight: 4 },
  {
    arbitrary: fc.record({
      op: fc.constantFrom("munmap", "touch", "touch", "mprotect", "madvise", "pin", "pin"), proc: idx, map: fc.nat(15), off: fc.nat(6), pages: fc.integer({ min: 1, max: 6 }),
      write: fc.boolean(), prot, advice: fc.constantFrom<MadviseAdvice>("dontneed", "dontfork", "dofork", "hugepage", "nohugepage"), longterm: fc.boolean(),
    }),
    weight: 8,
  },
  { arbitrary: fc.record({ op: fc.constant("write" as const), proc: idx, map: fc.nat(15), off: fc.nat(7), byte: fc.integer({ min: 1, max: 255 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constantFrom("fork" as const, "exit" as const, "migrate" as const), proc: idx }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("unpin" as const), pin: idx, dirty: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("writeback" as const), file: idx, async: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("truncate" as const), file: idx, pages: fc.nat(20) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("punch" as const), file: idx, off: fc.nat(16 * P), len: fc.integer({ min: 1, max: 8 * P }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("compact" as const), zone: fc.nat(3) }), weight: 1 },
  { arbitrary: fc.constant({ op: "reclaim" as const }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("advance" as const), ns: fc.integer({ min: 1, max: 200_000 }) }), weight: 1 },
);

/** Runs operations against one kernel, remembering its processes, mappings and pins. */
class Driver {
  readonly procs: Process[] = [];
  readonly maps: { proc: Process; addr: number; len: number }[] = [];
  readonly pins: number[][] = [];
  private forks = 0;

  constructor(readonly inst: KernelInstance) {
    const k = inst.kernel;
    this.procs.push(k.spawn("p0"), k.spawn("p1"));
    for (const [i, [fs, size]] of FILES.entries()) k.createFile(`f${i}`, fs, size);
    // Something to work on from the first step: private anon, shared ext4, shared fsdax, and a
    // private ext4 mapping in each process.
    for (const p of this.procs) {
      for (const req of [{ anonymous: true, shared: false }, { anonymous: false, shared: true, file: k.file("f0") },
        { anonymous: false, shared: true, file: k.file("f2") }, { anonymous: false, shared: false, file: k.file("f0") }]) {
        const addr = doMmap(k, p, { length: 8 * P, prot: RW, ...req });
        this.maps.push({ proc: p, addr, len: 8 * P });
      }
    }
  }

  private proc(i: number): Process {
    return this.procs[i % this.procs.length];
  }

  /** Page `off` of 8 spread over a mapping: the start, the middle or near the end of large ones. */
  private at(m: { addr: number; len: number }, off: number): number {
    const pages = m.len / P;
    return m.addr + Math.min(pages - 1, Math.floor(((off % 8) * pages) / 8) + (pages > 8 ? off % 3 : 0)) * P;
  }

  run(o: Op): void {
    const { kernel: k, gup } = this.inst;
    const file = (i: number) => k.file(`f${i % FILES.length}`);
    switch (o.op) {
      case "mmap": {
        const p = this.proc(o.proc);
        const f = file(o.file);
        const req =
          o.kind === "anon" ? { anonymous: true, shared: false } :
          o.kind === "shared-anon" ? { anonymous: true, shared: true } :
          o.kind === "hugetlb" ? { anonymous: true, shared: false, hugetlb: true } :
          { anonymous: false, shared: o.kind === "file-shared", file: f };
        // "thp": 4 MiB of MADV_HUGEPAGE memory, so an aligned 2 MiB block inside can fault a THP.
        const len = (f.fs.huge && req.anonymous === false) || o.kind === "hugetlb" ? HPAGE_PMD_SIZE : o.kind === "thp" ? 2 * HPAGE_PMD_SIZE : o.pages * P;
        const addr = doMmap(k, p, { length: len, prot: o.prot, populate: o.populate && o.kind !== "thp", ...req });
        if (addr > 0) {
          if (o.kind === "thp") doMadvise(k, p, addr, len, "hugepage");
          this.maps.push({ proc: p, addr, len });
        }
        return;
      }
      case "write": {
        const m = this.maps[o.map % Math.max(1, this.maps.length)];
        if (m !== undefined) userWrite(k, m.proc, this.at(m, o.off), Uint8Array.of(o.byte));
        return;
      }
      case "munmap":
      case "touch":
      case "mprotect":
      case "madvise":
      case "pin": {
        const m = this.maps[o.map % Math.max(1, this.maps.length)];
        if (m === undefined) return;
        const start = this.at(m, o.off);
        const len = o.pages * P;
        if (o.op === "munmap") doMunmap(k, m.proc, start, len);
        else if (o.op === "touch") touchRange(k, m.proc, start, len, o.write);
        else if (o.op === "mprotect") doMprotect(k, m.proc, start, len, o.prot);
        else if (o.op === "madvise") doMadvise(k, m.proc, start, len, o.advice);
        else {
          const pages: number[] = [];
          const flags = (o.write ? FOLL_WRITE : 0) | (o.longterm ? FOLL_LONGTERM : 0);
          const got = gup.pinUserPages(m.proc, start, o.pages, flags, pages);
          if (got > 0) this.pins.push(pages.slice(0, got));
        }
        return;
      }
      case "unpin": {
        if (this.pins.length === 0) return;
        const [pages] = this.pins.splice(o.pin % this.pins.length, 1);
        gup.unpinUserPagesDirtyLock(pages, pages.length, o.dirty);
        return;
      }
      case "fork": {
        const c = doFork(k, this.proc(o.proc), `c${this.forks++}`);
        if (c instanceof Process) {
          this.procs.push(c);
          for (const m of [...this.maps]) if (m.proc === this.proc(o.proc)) this.maps.push({ ...m, proc: c });
        }
        return;
      }
      case "exit":
        doExit(k, this.proc(o.proc));
        return;
      case "migrate": {
        const p = this.proc(o.proc);
        if (!p.alive) return;
        for (const m of this.maps.filter((x) => x.proc === p)) migrateRange(k, p.pid, m.addr, m.len);
        return;
      }
      case "writeback":
        writeback(k, file(o.file), { async: o.async });
        return;
      case "truncate": {
        const f = file(o.file);
        doTruncate(k, f, f.fs.huge ? (o.pages % 3) * HPAGE_PMD_SIZE : o.pages * P);
        return;
      }
      case "punch":
        doPunchHole(k, file(o.file), o.off, o.len);
        return;
      case "compact":
        compact(k, [ZoneId.NORMAL, ZoneId.MOVABLE, ZoneId.CMA, undefined][o.zone]);
        return;
      case "reclaim":
        reclaim(k);
        return;
      case "advance":
        k.clock.advance(o.ns);
        return;
    }
  }
}

const machine = { memory: "8MiB", movable: "2MiB", cma: "2MiB", pmem: "512KiB" };

describe("random operation sequences", () => {
  it("keep every invariant after every step", { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 10, maxLength: 40, size: "max" }), (ops) => {
        const inst = testKernel({ machine });
        const d = new Driver(inst);
        for (const [i, o] of ops.entries()) {
          d.run(o);
          const v = inst.check();
          if (v.length > 0) throw new Error(`after step ${i} ${JSON.stringify(o)}:\n  ${v.join("\n  ")}`);
        }
        // Releasing every pin and settling the clock leaves the pin counters balanced; once every
        // process exited and every file is empty, no frame but the zero page is in use (no leak).
        const k = inst.kernel;
        for (const pages of d.pins) inst.gup.unpinUserPages(pages, pages.length);
        k.clock.settle();
        expect(inst.check()).toEqual([]);
        expect(k.vmstat.nr_foll_pin_acquired).toBe(k.vmstat.nr_foll_pin_released);
        for (const p of d.procs) doExit(k, p);
        for (const f of [...k.files.values()]) expect(doTruncate(k, f, 0)).toBe(0);
        expect(inst.check()).toEqual([]);
        for (const z of k.memory.zones) expect(k.memory.nrFree(z.id), z.name).toBe(z.end - z.start - (z.id === ZoneId.NORMAL ? 1 : 0));
      }),
      { numRuns: 40, seed: 20_251_124 },
    );
  });

  it("are deterministic: the same seed and sequence give the same events hash", { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 10, maxLength: 30, size: "max" }), fc.integer({ min: 1, max: 1000 }), (ops, seed) => {
        const hash = () => {
          const inst = testKernel({ machine, seed });
          const d = new Driver(inst);
          for (const o of ops) d.run(o);
          inst.kernel.clock.settle();
          return inst.kernel.events.hash();
        };
        expect(hash()).toBe(hash());
      }),
      { numRuns: 25, seed: 42 },
    );
  });
});
