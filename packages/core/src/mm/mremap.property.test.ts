/**
 * Property: mremap (moves to a fixed address, MREMAP_DONTUNMAP, shrinks, grows in place or by a
 * move) interleaves with writes, reads, fork, exit, swap-out, pins and migration without breaking
 * the model's invariants (the checker finds every anonymous page through its rmap at the address
 * it is mapped at), and every process reads back exactly the bytes it last wrote, wherever mremap
 * moved them. At the end every pin is released and every swap slot is free.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import { migrateRange } from "../migrate/migrate.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/kernel.js";
import { HeldPages } from "../testing/mm.js";
import { doExit, doFork } from "./fork.js";
import { doMadvise } from "./madvise.js";
import { doMmap } from "./mmap.js";
import { MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, sysMremap } from "./mremap.js";
import { Process } from "./process.js";
import { userRead, userWrite } from "./user-access.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";

const P = PAGE_SIZE;
/** Pages of the arena mremap moves things around in, from BASE. */
const ARENA = 48;
const BASE = 0x1000_0000;

type Cmd =
  | { op: "write"; proc: number; pick: number; byte: number }
  | { op: "read"; proc: number; pick: number }
  | { op: "move"; proc: number; pick: number; len: number; to: number; dontunmap: boolean }
  | { op: "resize"; proc: number; pick: number; len: number; newLen: number; maymove: boolean }
  | { op: "fork"; proc: number }
  | { op: "exit"; proc: number }
  | { op: "pageout"; proc: number; pick: number }
  | { op: "gup"; proc: number; pick: number; pin: boolean }
  | { op: "release"; which: number }
  | { op: "migrate"; proc: number; pick: number };

const proc = fc.nat(3);
const pick = fc.nat();
const len = fc.integer({ min: 1, max: 6 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("write" as const), proc, pick, byte: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("read" as const), proc, pick }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("move" as const), proc, pick, len, to: fc.nat(ARENA - 1), dontunmap: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("resize" as const), proc, pick, len, newLen: len, maymove: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("fork" as const), proc }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("exit" as const), proc }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("pageout" as const), proc, pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("gup" as const), proc, pick, pin: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("release" as const), which: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("migrate" as const), proc, pick }) },
);

/** A live process and what it should read: mapped page number -> byte (0: zeros). */
interface Model {
  readonly p: Process;
  readonly pages: Map<number, number>;
}

/** The `pick`-th mapped page of `m` (in address order), or undefined when none is mapped. */
function mappedPage(m: Model, pick: number): number | undefined {
  const all = [...m.pages.keys()].sort((a, b) => a - b);
  return all.length === 0 ? undefined : all[pick % all.length];
}

/** Move the model's pages [from, from + n) to `to` (the old ones unmapped, or zero with `keep`). */
function moveModel(m: Model, from: number, n: number, to: number, keep: boolean): void {
  const bytes = Array.from({ length: n }, (_, i) => m.pages.get(from + i) ?? 0);
  for (let i = 0; i < n; i++) {
    if (keep) m.pages.set(from + i, 0);
    else m.pages.delete(from + i);
  }
  bytes.forEach((b, i) => m.pages.set(to + i, b));
}

describe("mremap interleavings (test policy)", () => {
  it("keep the invariants after every step and every byte where it moved, and release everything at the end", { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 40 }), (cmds) => {
        const inst = testKernel({ machine: { memory: "8MiB", swap: "256KiB" } });
        const k = inst.kernel;
        const first = k.spawn("p");
        expect(doMmap(k, first, { length: 12 * P, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, addr: BASE })).toBe(BASE);
        const procs: Model[] = [{ p: first, pages: new Map(Array.from({ length: 12 }, (_, i) => [BASE / P + i, 0])) }];
        const held = new HeldPages(inst.gup);
        let n = 0;
        for (const c of cmds) {
          const m = "proc" in c ? procs[c.proc % procs.length] : undefined;
          const vpn = m !== undefined && "pick" in c ? mappedPage(m, c.pick) : undefined;
          switch (c.op) {
            case "write":
              if (vpn !== undefined && userWrite(k, m!.p, vpn * P + 9, Uint8Array.of(c.byte)) === 0) m!.pages.set(vpn, c.byte);
              break;
            case "read":
              if (vpn !== undefined) expect((userRead(k, m!.p, vpn * P + 9, 1) as Uint8Array)[0]).toBe(m!.pages.get(vpn));
              break;
            case "move": {
              if (vpn === undefined) break;
              const to = BASE / P + c.to;
              const flags = MREMAP_MAYMOVE | (c.dontunmap ? MREMAP_DONTUNMAP : MREMAP_FIXED);
              const r = sysMremap(k, m!.p, { addr: vpn * P, oldLength: c.len * P, newLength: c.len * P, flags, newAddr: to * P });
              if (typeof r === "number") {
                // mremap_to() unmaps the target of MREMAP_FIXED before vma_to_resize() can still
                // refuse the old range (EFAULT): whatever went stays gone.
                for (let i = 0; i < c.len; i++) if (m!.p.mm!.findVma((to + i) * P) === undefined) m!.pages.delete(to + i);
                break;
              }
              if (!c.dontunmap) {
                for (let i = 0; i < c.len; i++) m!.pages.delete(to + i);
                expect(r.addr).toBe(to * P);
              }
              moveModel(m!, vpn, c.len, r.addr / P, c.dontunmap);
              break;
            }
            case "resize": {
              if (vpn === undefined) break;
              const r = sysMremap(k, m!.p, { addr: vpn * P, oldLength: c.len * P, newLength: c.newLen * P, flags: c.maymove ? MREMAP_MAYMOVE : 0 });
              if (typeof r === "number") break;
              if (c.newLen <= c.len) {
                for (let i = c.newLen; i < c.len; i++) m!.pages.delete(vpn + i);
                break;
              }
              if (r.addr !== vpn * P) moveModel(m!, vpn, c.len, r.addr / P, false);
              for (let i = c.len; i < c.newLen; i++) m!.pages.set(r.addr / P + i, 0);
              break;
            }
            case "fork": {
              const child = doFork(k, m!.p, `c${n++}`);
              if (child instanceof Process) procs.push({ p: child, pages: new Map(m!.pages) });
              break;
            }
            case "exit":
              if (procs.length > 1) {
                doExit(k, m!.p);
                procs.splice(procs.indexOf(m!), 1);
              }
              break;
            case "pageout":
              if (vpn !== undefined) doMadvise(k, m!.p, vpn * P, P, "pageout");
              break;
            case "gup": {
              if (vpn === undefined) break;
              held.take(m!.p, vpn * P, FOLL_WRITE, c.pin);
              break;
            }
            case "release":
              held.release(c.which);
              break;
            case "migrate":
              if (vpn !== undefined) migrateRange(k, m!.p.pid, vpn * P, P);
              break;
          }
          expectConsistent(inst);
        }
        for (const m of procs) {
          for (const [vpn, b] of m.pages) expect((userRead(k, m.p, vpn * P + 9, 1) as Uint8Array)[0], `pid ${m.p.pid} page 0x${(vpn * P).toString(16)}`).toBe(b);
        }
        held.releaseAll();
        for (const m of procs) doExit(k, m.p);
        expectConsistent(inst);
        expect(k.swap!.inuse).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
