/**
 * Property: swapping out (MADV_PAGEOUT, reclaim) interleaves with writes, reads, fork, exit,
 * munmap, GUP references and pins, migration and THP faults in any order without breaking the
 * invariants (swap accounting included), and every process reads back exactly the bytes it last
 * wrote, whichever way each page went out and came back. When everything is gone, every swap slot
 * is free.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { migrateRange } from "../migrate/migrate.js";
import { reclaim } from "../migrate/reclaim.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/kernel.js";
import { HeldPages } from "../testing/mm.js";
import { doExit, doFork } from "./fork.js";
import { doMadvise } from "./madvise.js";
import { doMmap, doMunmap } from "./mmap.js";
import { Process } from "./process.js";
import { userRead, userWrite } from "./user-access.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";

const PAGES = 8;

type Cmd =
  | { op: "write"; proc: number; page: number; byte: number }
  | { op: "read"; proc: number; page: number }
  | { op: "pageout"; proc: number; page: number; len: number }
  | { op: "reclaim" }
  | { op: "fork"; proc: number }
  | { op: "exit"; proc: number }
  | { op: "munmap"; proc: number; page: number }
  | { op: "gup"; proc: number; page: number; pin: boolean; write: boolean }
  | { op: "release"; which: number }
  | { op: "migrate"; proc: number; page: number };

const proc = fc.nat(3);
const page = fc.nat(PAGES - 1);
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("write" as const), proc, page, byte: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("read" as const), proc, page }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("pageout" as const), proc, page, len: fc.integer({ min: 1, max: PAGES }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("reclaim" as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("fork" as const), proc }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("exit" as const), proc }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("munmap" as const), proc, page }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("gup" as const), proc, page, pin: fc.boolean(), write: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("release" as const), which: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("migrate" as const), proc, page }) },
);

/** A live process and what it should read: page -> byte (absent: zeros), or unmapped. */
interface Model {
  readonly p: Process;
  readonly bytes: Map<number, number>;
  readonly unmapped: Set<number>;
}

describe("swap interleavings (test policy)", () => {
  it("keep the invariants after every step, preserve every byte, and free every slot at the end", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 50 }), fc.constantFrom("40KiB", "1MiB"), (cmds, swap) => {
        const inst = testKernel({ machine: { memory: "8MiB", swap } });
        const k = inst.kernel;
        const first = k.spawn("p");
        const a = doMmap(k, first, { length: PAGES * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
        const procs: Model[] = [{ p: first, bytes: new Map(), unmapped: new Set() }];
        const held = new HeldPages(inst.gup);
        let n = 0;
        const at = (page: number) => a + page * PAGE_SIZE;
        for (const c of cmds) {
          const m = "proc" in c ? procs[c.proc % procs.length] : undefined;
          switch (c.op) {
            case "write":
              if (!m!.unmapped.has(c.page) && userWrite(k, m!.p, at(c.page) + 7, Uint8Array.of(c.byte)) === 0) m!.bytes.set(c.page, c.byte);
              break;
            case "read": {
              if (m!.unmapped.has(c.page)) break;
              const r = userRead(k, m!.p, at(c.page) + 7, 1);
              if (typeof r !== "number") expect(r[0]).toBe(m!.bytes.get(c.page) ?? 0);
              break;
            }
            case "pageout":
              doMadvise(k, m!.p, at(c.page), Math.min(c.len, PAGES - c.page) * PAGE_SIZE, "pageout");
              break;
            case "reclaim":
              reclaim(k);
              break;
            case "fork": {
              const child = doFork(k, m!.p, `c${n++}`);
              if (child instanceof Process) procs.push({ p: child, bytes: new Map(m!.bytes), unmapped: new Set(m!.unmapped) });
              break;
            }
            case "exit":
              if (procs.length > 1) {
                doExit(k, m!.p);
                procs.splice(procs.indexOf(m!), 1);
              }
              break;
            case "munmap":
              if (doMunmap(k, m!.p, at(c.page), PAGE_SIZE) >= 0) m!.unmapped.add(c.page);
              break;
            case "gup": {
              if (m!.unmapped.has(c.page)) break;
              held.take(m!.p, at(c.page), c.write ? FOLL_WRITE : 0, c.pin);
              break;
            }
            case "release":
              held.release(c.which);
              break;
            case "migrate":
              migrateRange(k, m!.p.pid, at(c.page), PAGE_SIZE);
              break;
          }
          expectConsistent(inst);
        }
        for (const m of procs) {
          for (let pg = 0; pg < PAGES; pg++) {
            if (m.unmapped.has(pg)) continue;
            const r = userRead(k, m.p, at(pg) + 7, 1);
            if (typeof r !== "number") expect(r[0]).toBe(m.bytes.get(pg) ?? 0);
          }
        }
        held.releaseAll();
        for (const m of procs) doExit(k, m.p);
        expectConsistent(inst);
        expect(k.swap!.inuse).toBe(0);
        expect(k.swap!.cache.size).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});
