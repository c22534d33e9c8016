/**
 * The incremental invariant audit: a violation on a frame a step touched (or one in use) is
 * caught at that step, with the full audit's words; one elsewhere waits for the next full audit.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { doFork } from "../mm/fork.js";
import { doMmap, doMunmap } from "../mm/mmap.js";
import type { Process } from "../mm/process.js";
import { touchRange, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { testKernel } from "../testing/kernel.js";
import { checkInvariants } from "./checker.js";
import { InvariantAudit } from "./incremental-audit.js";

const RW = VM_READ | VM_WRITE;
const P = PAGE_SIZE;

function machine(fullEvery = 1000) {
  const inst = testKernel({ machine: { memory: "8MiB" } });
  const k = inst.kernel;
  const p = k.spawn("p");
  const a = doMmap(k, p, { length: 8 * P, prot: RW, shared: false, anonymous: true });
  touchRange(k, p, a, 4 * P, true);
  const audit = new InvariantAudit(k, inst.gup, fullEvery);
  expect(audit.check()).toEqual([]); // the first audit is a full one
  const full = () => checkInvariants(k, inst.gup);
  return { inst, k, p, a, audit, full, frame: (page: number) => p.mm!.pageTable.pfn(a / P + page) };
}

describe("InvariantAudit", () => {
  it("catches a bad refcount on a frame the step pinned, at that step, as the full audit words it", () => {
    const { inst, p, a, audit, full, k } = machine();
    const pages: number[] = [];
    inst.gup.pinUserPages(p, a + 5 * P, 1, FOLL_WRITE, pages); // faults page 5 in: not mapped at the last audit
    k.frames.refcount[pages[0]] += 1;
    const v = audit.check();
    expect(v).toEqual(full());
    expect(v).toEqual([expect.stringMatching(new RegExp(`^folio ${pages[0]}: refcount`))]);
  });

  it("catches a bad mapcount on a mapped frame the step did not name", () => {
    const { audit, full, k, frame } = machine();
    k.frames.mapcount[frame(2)] += 1;
    expect(audit.check()).toEqual(full());
    expect(full()).toHaveLength(1);
  });

  it("catches a leak on a frame unmapped since the last audit", () => {
    const { audit, full, k, p, a, frame } = machine();
    const pfn = frame(1);
    k.frames.refcount[pfn] += 1; // an extra reference nobody explains: munmap leaves the folio allocated
    doMunmap(k, p, a + P, P);
    expect(audit.check()).toEqual(full());
    expect(full()).toEqual([`folio ${pfn}: refcount 1 but mappings, cache, buffers and GUP explain 0 (gets 0, pins 0)`]);
  });

  it("leaves a frame nothing touched to the next full audit, every fullEvery audits or when asked", () => {
    const { audit, full, k } = machine(3);
    let free = k.frames.nrFrames - 1;
    while (k.memory.isAllocated(free)) free--;
    k.frames.mapcount[free] = 1;
    expect(full()).toHaveLength(1);
    expect(audit.check()).toEqual([]);
    expect(audit.check()).toEqual([]);
    expect(audit.check()).toEqual(full()); // the third since the last full one
    expect(audit.check()).toEqual([]);
    audit.fullNext();
    expect(audit.check()).toEqual(full());
  });

  it("refuses a fullEvery that is not a positive integer", () => {
    const { inst, k } = machine();
    expect(() => new InvariantAudit(k, inst.gup, 0)).toThrow(RangeError);
  });
});

const PAGES = 16;
interface Cmd {
  readonly op: "touch" | "write" | "munmap" | "pin" | "unpin" | "fork" | "corrupt";
  readonly page: number;
  readonly len: number;
  readonly field: "refcount" | "mapcount";
  readonly delta: number;
}

const cmd: fc.Arbitrary<Cmd> = fc.record({
  op: fc.constantFrom("touch" as const, "write" as const, "munmap" as const, "pin" as const, "unpin" as const, "fork" as const, "corrupt" as const),
  page: fc.nat(PAGES - 1),
  len: fc.integer({ min: 1, max: 4 }),
  field: fc.constantFrom("refcount" as const, "mapcount" as const),
  delta: fc.constantFrom(-1, 1),
});

describe("InvariantAudit against the full audit (property)", () => {
  it("reports only what the full audit reports, all of it on a frame corrupted in use, and all of it at the closing full audit", () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 30 }), fc.integer({ min: 1, max: 8 }), (cmds, fullEvery) => {
        const inst = testKernel({ machine: { memory: "8MiB" } });
        const k = inst.kernel;
        const p = k.spawn("p");
        const a = doMmap(k, p, { length: PAGES * P, prot: RW, shared: false, anonymous: true });
        const audit = new InvariantAudit(k, inst.gup, fullEvery);
        const pins: number[][] = [];
        const children: Process[] = [];
        let corrupted = false;
        for (const c of cmds) {
          // Once a frame is corrupted the model is no longer one the mm can run on (a munmap of a
          // frame whose refcount was lowered underflows it, and the model throws): the story ends there.
          if (corrupted) break;
          const at = a + c.page * P;
          const len = Math.min(c.len, PAGES - c.page);
          let inUse = false;
          switch (c.op) {
            case "touch": touchRange(k, p, at, len * P, false); break;
            case "write": userWrite(k, p, at, new Uint8Array(len * P).fill(len)); break;
            case "munmap": doMunmap(k, p, at, len * P); break;
            case "pin": {
              const pages: number[] = [];
              const r = inst.gup.pinUserPages(p, at, len, FOLL_WRITE, pages);
              if (r > 0) pins.push(pages.slice(0, r));
              break;
            }
            case "unpin": {
              const h = pins.pop();
              if (h !== undefined) inst.gup.unpinUserPages(h, h.length);
              break;
            }
            case "fork": if (children.length < 2) children.push(doFork(k, p, `c${children.length}`) as Process); break;
            case "corrupt": {
              const pfn = p.mm!.pageTable.pfn(at / P);
              if (pfn < 0 || corrupted) break;
              k.frames[c.field][k.frames.head(pfn)] += c.delta;
              corrupted = inUse = true;
              break;
            }
          }
          const full = checkInvariants(k, inst.gup);
          const incremental = audit.check();
          for (const v of incremental) expect(full).toContain(v);
          if (inUse) expect(incremental).toEqual(full);
        }
        audit.fullNext();
        expect(audit.check()).toEqual(checkInvariants(k, inst.gup));
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
