/**
 * Property: under every policy, any interleaving of pins, gets and their releases over random
 * pages (private anonymous, shared shmem, a THP) keeps the invariant checker silent after every
 * step, and the vmstat counters balance once everything is released.
 */
import { FOLL_LONGTERM, FOLL_WRITE, PAGE_SIZE } from "@pinlab/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { POLICY_IDS, lab, pinRegions } from "./test-support/lab.js";

type Cmd =
  | { op: "pin"; region: number; start: number; len: number; fast: boolean; write: boolean; longterm: boolean }
  | { op: "get"; region: number; start: number; len: number; fast: boolean }
  | { op: "release"; which: number; dirty: boolean };

const span = { region: fc.nat(2), start: fc.nat(63), len: fc.integer({ min: 1, max: 16 }) };
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ op: fc.constant("pin" as const), ...span, fast: fc.boolean(), write: fc.boolean(), longterm: fc.boolean() }),
  fc.record({ op: fc.constant("get" as const), ...span, fast: fc.boolean() }),
  fc.record({ op: fc.constant("release" as const), which: fc.nat(), dirty: fc.boolean() }),
);

describe("random pin/unpin/get/put interleavings", () => {
  it("keep the invariants and balance vmstat under every policy", () => {
    fc.assert(
      fc.property(fc.constantFrom(...POLICY_IDS), fc.array(cmd, { maxLength: 25 }), (policy, cmds) => {
        const l = lab(policy, {}, { memory: "8MiB" });
        const p = l.spawn("p");
        // Regions: 0 = 64 private anonymous pages (half written), 1 = 64 pages of a shared shmem file, 2 = a THP.
        const bases = pinRegions(l, p, 32);
        const held: { kind: "pin" | "get"; pages: number[] }[] = [];
        for (const c of cmds) {
          if (c.op === "release") {
            if (held.length === 0) continue;
            const [h] = held.splice(c.which % held.length, 1);
            if (h.kind === "pin") l.gup.unpinUserPagesDirtyLock(h.pages, h.pages.length, c.dirty);
            else l.gup.putPages(h.pages, h.pages.length, { dirty: c.dirty });
          } else {
            const len = Math.min(c.len, 64 - c.start);
            const addr = bases[c.region] + c.start * PAGE_SIZE;
            const pages: number[] = [];
            let r: number;
            if (c.op === "pin") {
              const flags = (c.write ? FOLL_WRITE : 0) | (c.longterm ? FOLL_LONGTERM : 0);
              r = c.fast ? l.gup.pinUserPagesFast(p, addr, len, flags, pages) : l.gup.pinUserPages(p, addr, len, flags, pages);
            } else {
              r = c.fast ? l.gup.getUserPagesFast(p, addr, len, 0, pages) : l.gup.getUserPages(p, addr, len, 0, pages);
            }
            expect(r).toBeLessThanOrEqual(len);
            if (r > 0) held.push({ kind: c.op, pages: pages.slice(0, r) });
          }
          expect(l.inst.check()).toEqual([]);
        }
        for (const h of held) {
          if (h.kind === "pin") l.gup.unpinUserPages(h.pages, h.pages.length);
          else l.gup.putPages(h.pages, h.pages.length);
        }
        expect(l.inst.check()).toEqual([]);
        const v = l.k.vmstat;
        expect(v.nr_foll_pin_acquired).toBe(v.nr_foll_pin_released);
        expect(v.nr_gup_get_acquired).toBe(v.nr_gup_get_released);
        for (let pfn = 0; pfn < l.k.frames.nrFrames; pfn++) expect(l.policy.pinCount(pfn)).toBe(0);
      }),
      { numRuns: 40 },
    );
    // A property run is many kernels: allow for a loaded machine.
  }, 30_000);
});
