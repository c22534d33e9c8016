/**
 * Address ranges (`gup_fast_fallback()` and `__get_user_pages()`, mm/gup.c v6.12): zero pages,
 * unaligned starts (rounded down), addresses past TASK_SIZE, unmapped ranges, dead processes, and
 * a range that runs off the top of the address space or wraps it.
 *
 *   p's address space:  [ buf: private anonymous, 4 pages, written ]  nothing else
 *   top (topSetup):     ... [ top: 2 pages, ending at TASK_SIZE ] | past TASK_SIZE ... ULONG_MAX
 */
import { describe, expect, it } from "vitest";
import { EFAULT, EINVAL, EOVERFLOW } from "../errno.js";
import type { KernelEvent } from "../events/event-types.js";
import { doExit } from "../mm/fork.js";
import { TASK_SIZE } from "../mm/mm-types.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { doMmap } from "../mm/mmap.js";
import { touchRange } from "../mm/user-access.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/index.js";
import type { Gup, PageArray } from "./gup.js";

function setup() {
  const inst = testKernel();
  const k = inst.kernel;
  const p = k.spawn("p");
  const a = doMmap(k, p, { length: 4 * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
  touchRange(k, p, a, 4 * PAGE_SIZE, true);
  const events: KernelEvent<"gup">[] = [];
  k.events.on("gup", (e) => events.push(e));
  return { inst, k, gup: inst.gup, p, a, events };
}

type Caller = (gup: Gup, p: ReturnType<typeof setup>["p"], start: number, n: number, pages: PageArray) => number;

const WRAPPERS: [string, Caller, "get" | "pin"][] = [
  ["get_user_pages", (g, p, s, n, pg) => g.getUserPages(p, s, n, 0, pg), "get"],
  ["get_user_pages_remote", (g, p, s, n, pg) => g.getUserPagesRemote(p, s, n, 0, pg), "get"],
  ["get_user_pages_fast", (g, p, s, n, pg) => g.getUserPagesFast(p, s, n, 0, pg), "get"],
  ["pin_user_pages", (g, p, s, n, pg) => g.pinUserPages(p, s, n, 0, pg), "pin"],
  ["pin_user_pages_remote", (g, p, s, n, pg) => g.pinUserPagesRemote(p, s, n, 0, pg), "pin"],
  ["pin_user_pages_fast", (g, p, s, n, pg) => g.pinUserPagesFast(p, s, n, 0, pg), "pin"],
];

describe.each(WRAPPERS)("%s", (name, callGup, kind) => {
  it("returns 0 for nr_pages 0 and takes nothing", () => {
    const s = setup();
    expect(callGup(s.gup, s.p, s.a, 0, [])).toBe(0);
    expect(s.events).toHaveLength(1);
    expect(s.events[0]).toMatchObject({ call: name, got: 0 });
    expect(s.k.vmstat.nr_foll_pin_acquired + s.k.vmstat.nr_gup_get_acquired).toBe(0);
    expectConsistent(s.inst);
  });

  it("rounds an unaligned start down to its page", () => {
    const s = setup();
    const exact: number[] = [];
    const unaligned: number[] = [];
    expect(callGup(s.gup, s.p, s.a + PAGE_SIZE, 2, exact)).toBe(2);
    expect(callGup(s.gup, s.p, s.a + PAGE_SIZE + 123, 2, unaligned)).toBe(2);
    expect(unaligned).toEqual(exact);
    const release = (pg: number[]) => (kind === "pin" ? s.gup.unpinUserPages(pg, 2) : s.gup.putPages(pg, 2));
    release(exact);
    release(unaligned);
    expectConsistent(s.inst);
  });

  it("answers EFAULT for unmapped, negative and beyond-TASK_SIZE addresses, EINVAL for non-integers", () => {
    const s = setup();
    expect(callGup(s.gup, s.p, s.a + 4 * PAGE_SIZE, 1, [])).toBe(-EFAULT);
    expect(callGup(s.gup, s.p, -PAGE_SIZE, 1, [])).toBe(-EFAULT);
    expect(callGup(s.gup, s.p, TASK_SIZE - PAGE_SIZE, 2, [])).toBe(-EFAULT);
    expect(callGup(s.gup, s.p, s.a, 1.5, [])).toBe(-EINVAL);
    expect(callGup(s.gup, s.p, Number.NaN, 1, [])).toBe(-EINVAL);
    expect(callGup(s.gup, s.p, s.a, -1, [])).toBe(-EINVAL);
    expect(s.events.every((e) => e.got === 0 && e.errno !== undefined)).toBe(true);
    expectConsistent(s.inst);
  });

  it("runs off the top of the address space: the slow path returns the pages before TASK_SIZE, GUP-fast EFAULT up front", () => {
    const s = setup();
    const top = doMmap(s.k, s.p, { length: 2 * PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true, addr: TASK_SIZE - 2 * PAGE_SIZE });
    expect(top).toBe(TASK_SIZE - 2 * PAGE_SIZE);
    const pages: number[] = [];
    const r = callGup(s.gup, s.p, top, 4, pages);
    if (name.endsWith("_fast")) {
      expect(r).toBe(-EFAULT);
    } else {
      expect(r).toBe(2);
      if (kind === "pin") s.gup.unpinUserPages(pages, 2);
      else s.gup.putPages(pages, 2);
    }
    expectConsistent(s.inst);
  });

  it("wraps past ULONG_MAX: GUP-fast EOVERFLOW (check_add_overflow), the slow path EFAULT (no VMA there)", () => {
    const s = setup();
    const r = callGup(s.gup, s.p, 2 ** 64 - PAGE_SIZE, 2, []);
    expect(r).toBe(name.endsWith("_fast") ? -EOVERFLOW : -EFAULT);
    // Ending at 2^64 wraps too (end would be 0); one page lower it does not, and is past TASK_SIZE.
    expect(callGup(s.gup, s.p, 2 ** 64 - 2 * PAGE_SIZE, 2, [])).toBe(name.endsWith("_fast") ? -EOVERFLOW : -EFAULT);
    expect(callGup(s.gup, s.p, 2 ** 64 - 3 * PAGE_SIZE, 2, [])).toBe(-EFAULT);
    // gup_fast_fallback() sets MMF_HAS_PINNED before it looks at the range.
    expect(s.p.mm!.hasPinned).toBe(kind === "pin");
    expectConsistent(s.inst);
  });

  it("answers EFAULT for a process that exited", () => {
    const s = setup();
    doExit(s.k, s.p);
    expect(callGup(s.gup, s.p, s.a, 1, [])).toBe(-EFAULT);
    expectConsistent(s.inst);
  });
});
