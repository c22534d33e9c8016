/**
 * Property: GUP calls of every wrapper, their releases, and the mm operations that race with
 * pins in real life (fork, COW writes, munmap) interleave in any order without breaking the
 * invariants; once every reference is released the vmstat counters balance.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { doFork } from "../mm/fork.js";
import { doMmap, doMunmap } from "../mm/mmap.js";
import type { Process } from "../mm/process.js";
import { touchRange, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { testKernel } from "../testing/index.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "./foll-flags.js";

const PAGES = 32;

type Cmd =
  | { op: "gup"; call: number; start: number; len: number; write: boolean; longterm: boolean }
  | { op: "release"; which: number }
  | { op: "write"; page: number }
  | { op: "fork" }
  | { op: "munmap"; page: number };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("gup" as const), call: fc.nat(5), start: fc.nat(PAGES - 1), len: fc.integer({ min: 1, max: 8 }), write: fc.boolean(), longterm: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("release" as const), which: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("write" as const), page: fc.nat(PAGES - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("fork" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("munmap" as const), page: fc.nat(PAGES - 1) }) },
);

describe("GUP interleavings (test policy)", () => {
  it("keep the invariants after every step and balance vmstat at the end", () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 40 }), (cmds) => {
        const inst = testKernel({ machine: { memory: "8MiB" } });
        const k = inst.kernel;
        const gup = inst.gup;
        const p = k.spawn("p");
        const a = doMmap(k, p, { length: PAGES * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
        touchRange(k, p, a, (PAGES / 2) * PAGE_SIZE, true);
        const held: { pin: boolean; pages: number[] }[] = [];
        const children: Process[] = [];
        for (const c of cmds) {
          switch (c.op) {
            case "gup": {
              const len = Math.min(c.len, PAGES - c.start);
              const start = a + c.start * PAGE_SIZE;
              const flags = c.write ? FOLL_WRITE : 0;
              const pin = c.call >= 3;
              const pages: number[] = [];
              const r = [
                () => gup.getUserPages(p, start, len, flags, pages),
                () => gup.getUserPagesFast(p, start, len, flags, pages),
                () => gup.getUserPagesRemote(p, start, len, flags, pages, { locked: 1 }),
                () => gup.pinUserPages(p, start, len, flags | (c.longterm ? FOLL_LONGTERM : 0), pages),
                () => gup.pinUserPagesFast(p, start, len, flags | (c.longterm ? FOLL_LONGTERM : 0), pages),
                () => gup.pinUserPagesRemote(p, start, len, flags, pages, { locked: 1 }),
              ][c.call]();
              if (r > 0) held.push({ pin, pages: pages.slice(0, r) });
              break;
            }
            case "release": {
              if (held.length === 0) break;
              const [h] = held.splice(c.which % held.length, 1);
              if (h.pin) gup.unpinUserPagesDirtyLock(h.pages, h.pages.length, true);
              else gup.putPages(h.pages, h.pages.length);
              break;
            }
            case "write":
              userWrite(k, p, a + c.page * PAGE_SIZE, new Uint8Array([c.page]));
              break;
            case "fork":
              if (children.length < 3) children.push(doFork(k, p, `c${children.length}`) as Process);
              break;
            case "munmap":
              doMunmap(k, p, a + c.page * PAGE_SIZE, PAGE_SIZE);
              break;
          }
          expect(inst.check()).toEqual([]);
        }
        for (const h of held) {
          if (h.pin) gup.unpinUserPages(h.pages, h.pages.length);
          else gup.putPages(h.pages, h.pages.length);
        }
        expect(inst.check()).toEqual([]);
        expect(k.vmstat.nr_foll_pin_acquired).toBe(k.vmstat.nr_foll_pin_released);
        expect(k.vmstat.nr_gup_get_acquired).toBe(k.vmstat.nr_gup_get_released);
      }),
      { numRuns: 80 },
    );
    // A property run is many kernels: allow for a loaded machine.
  }, 30_000);
});
