/**
 * Property: each built-in policy's `fastPath` declaration says exactly what its hooks do. Two
 * kernels run the same random commands under the same policy and era, one with the declaration
 * (core counts plain frames itself, in GUP-fast and in unpin) and one with it removed (core asks
 * the policy page by page): every call's result and refusal, vmstat, every frame's refcount and
 * pin count, the outstanding references and the events hash stay equal. The machine has
 * ZONE_MOVABLE and CMA, so the long-term zone bounds are exercised; releases include misuse
 * (a double release, the wrong family, a call refused part-way) and pages whose last reference
 * the release drops.
 */
import { FOLL_LONGTERM, FOLL_WRITE, ModelError, PAGE_SIZE, doMunmap, type KernelInstance } from "@pinlab/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { POLICY_IDS, Lab, pinRegions, policyKernel } from "./test-support/lab.js";

type Cmd =
  | { op: "pin"; region: number; start: number; len: number; fast: boolean; write: boolean; longterm: boolean }
  | { op: "get"; region: number; start: number; len: number; fast: boolean }
  | { op: "release"; which: number; dirty: boolean; wrong: boolean; twice: boolean }
  | { op: "unmap" }
  | { op: "mixed"; which: number };

const span = { region: fc.nat(2), start: fc.nat(63), len: fc.integer({ min: 1, max: 24 }) };
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("pin" as const), ...span, fast: fc.boolean(), write: fc.boolean(), longterm: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("get" as const), ...span, fast: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("release" as const), which: fc.nat(), dirty: fc.boolean(), wrong: fc.boolean(), twice: fc.boolean() }), weight: 3 },
  { arbitrary: fc.constant({ op: "unmap" as const }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("mixed" as const), which: fc.nat() }), weight: 2 },
);

/** The eras whose rules the declaration depends on: pins as gets (v4.8), CMA-only long-term (v5.3), counted pins (v5.7), ZONE_MOVABLE too (v6.12). */
const ERAS = ["v4.8", "v5.3", "v5.7", "v6.12"];

/** A twin: a kernel under `policy` at `era`, with its fast path declared or removed. */
function twin(policy: string, era: string, declared: boolean) {
  const inst = policyKernel(policy, {}, { memory: "8MiB", movable: "4MiB", cma: "2MiB" }, { kernel: era });
  // Test only: take the declaration away before the first GUP call builds core's plan from it.
  if (!declared) (inst.kernel.policy as { fastPath?: unknown }).fastPath = undefined;
  const l = new Lab(inst);
  const p = l.spawn("p");
  return { inst, l, p, bases: pinRegions(l, p, 48), held: [] as { kind: "pin" | "get"; pages: number[] }[] };
}

type Twin = ReturnType<typeof twin>;

/** Run one command; returns what it returned or the error it threw, as text. */
function step(t: Twin, c: Cmd): string {
  const g = t.l.gup;
  try {
    if (c.op === "unmap") return String(doMunmap(t.l.k, t.p, t.bases[0], 64 * PAGE_SIZE));
    if (c.op === "mixed") {
      // One unpin call over a held pin's pages then a held get's: refused part-way, nothing may change.
      const pin = t.held.find((h) => h.kind === "pin");
      const get = t.held.find((h) => h.kind === "get");
      if (pin === undefined || get === undefined) return "none";
      const pages = [...pin.pages, ...get.pages];
      g.unpinUserPages(c.which % 2 === 0 ? pages : Uint32Array.from(pages), pages.length);
      return "released";
    }
    if (c.op === "release") {
      if (t.held.length === 0) return "none";
      const h = t.held[c.which % t.held.length];
      const kind = c.wrong ? (h.kind === "pin" ? "get" : "pin") : h.kind;
      if (kind === "pin") g.unpinUserPagesDirtyLock(h.pages, h.pages.length, c.dirty);
      else g.putPages(h.pages, h.pages.length, { dirty: c.dirty });
      if (c.twice) g.unpinUserPages(h.pages, h.pages.length);
      t.held.splice(c.which % t.held.length, 1);
      return "released";
    }
    const len = Math.min(c.len, 64 - c.start);
    const addr = t.bases[c.region] + c.start * PAGE_SIZE;
    const pages = new Uint32Array(len);
    let r: number;
    if (c.op === "pin") {
      const flags = (c.write ? FOLL_WRITE : 0) | (c.longterm ? FOLL_LONGTERM : 0);
      r = c.fast ? g.pinUserPagesFast(t.p, addr, len, flags, pages) : g.pinUserPages(t.p, addr, len, flags, pages);
    } else {
      r = c.fast ? g.getUserPagesFast(t.p, addr, len, 0, pages) : g.getUserPages(t.p, addr, len, 0, pages);
    }
    if (r > 0) t.held.push({ kind: c.op, pages: [...pages.subarray(0, r)] });
    return `${r}:${[...pages.subarray(0, Math.max(0, r))].join(",")}`;
  } catch (e) {
    if (e instanceof ModelError) return `error ${e.code}: ${e.message}`;
    throw e;
  }
}

/** What the two kernels must agree on after each step. */
function state(inst: KernelInstance): string {
  const f = inst.kernel.frames;
  return JSON.stringify({
    vmstat: inst.kernel.vmstat.snapshot(), refcount: [...f.refcount], pincount: [...f.pincount], flags: [...f.flags],
    pin: [...inst.gup.pinRefs], get: [...inst.gup.getRefs], pins: [...f.refcount.keys()].map((pfn) => inst.kernel.policy.pinCount(f.head(pfn))),
  });
}

describe("each policy's fast-path declaration", () => {
  it("every built-in policy declares one, for its own hooks", () => {
    for (const id of POLICY_IDS) {
      for (const era of ERAS) {
        const policy = twin(id, era, true).inst.kernel.policy;
        const hooks = policy.fastPath?.hooks;
        expect(hooks, `${id} at ${era}`).toBeDefined();
        expect([hooks!.grab, hooks!.release, hooks!.longtermPinnable, hooks!.fastFolioAllowed]).toEqual([policy.grab, policy.release, policy.longtermPinnable, policy.fastFolioAllowed]);
      }
    }
  });

  it("is out of use once a hook it describes is replaced: GUP-fast then asks the replacement for every page", () => {
    const t = twin("pin-bias", "v6.12", true);
    const policy = t.inst.kernel.policy;
    const grab = policy.grab;
    let calls = 0;
    policy.grab = (head, refs, mode) => {
      calls++;
      return grab(head, refs, mode);
    };
    const pages = new Uint32Array(8);
    expect(t.l.gup.pinUserPagesFast(t.p, t.bases[0], 8, FOLL_WRITE, pages)).toBe(8);
    expect(calls).toBe(8);
    policy.grab = grab;
    expect(t.l.gup.pinUserPagesFast(t.p, t.bases[0], 8, FOLL_WRITE, pages)).toBe(8);
    expect(calls).toBe(8);
  });

  it("agrees with its hooks: same results, state and events with and without it, under every policy and era", () => {
    fc.assert(
      fc.property(fc.constantFrom(...POLICY_IDS), fc.constantFrom(...ERAS), fc.array(cmd, { maxLength: 30 }), (policy, era, cmds) => {
        const a = twin(policy, era, true);
        const b = twin(policy, era, false);
        for (const c of cmds) {
          expect(step(a, c)).toBe(step(b, c));
          expect(state(a.inst)).toBe(state(b.inst));
        }
        expect(a.inst.kernel.events.hash()).toBe(b.inst.kernel.events.hash());
      }),
      { numRuns: 60 },
    );
    // A property run is many kernels: allow for a loaded machine.
  }, 60_000);
});
