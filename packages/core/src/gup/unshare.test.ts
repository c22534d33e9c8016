/**
 * Unsharing for read-only pins (`gup_must_unshare()` + FAULT_FLAG_UNSHARE, mm/gup.c and
 * mm/memory.c, v6.12): a R/O FOLL_PIN must end on a page exclusive to the mm, so a later COW
 * cannot move the process away from the page the device reads.
 *
 *   parent: [ buf: private anonymous, 1 page, written ]  --fork-->  child: [ buf ] (page shared)
 *   parent: [ lib: MAP_PRIVATE of an ext4 file, 1 page, read ]    [ zero: private anonymous, read only ]
 */
import { describe, expect, it } from "vitest";
import type { KernelEvent } from "../events/event-types.js";
import { PG_ANON, PG_ANON_EXCLUSIVE } from "../memory/page-flags.js";
import { doFork } from "../mm/fork.js";
import { doMmap } from "../mm/mmap.js";
import type { Process } from "../mm/process.js";
import { touchRange, userWrite } from "../mm/user-access.js";
import { VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/index.js";
import { FOLL_LONGTERM } from "./foll-flags.js";

function forked() {
  const inst = testKernel();
  const k = inst.kernel;
  const parent = k.spawn("parent");
  const a = doMmap(k, parent, { length: PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
  userWrite(k, parent, a, new Uint8Array([1]));
  const shared = parent.mm!.pageTable.pfn(a / PAGE_SIZE);
  const child = doFork(k, parent, "child") as Process;
  const events: KernelEvent<"gup">[] = [];
  k.events.on("gup", (e) => events.push(e));
  return { inst, k, gup: inst.gup, parent, child, a, shared, events };
}

describe("R/O pins unshare", () => {
  it("a R/O FOLL_PIN of an anon page shared after fork gives the pinner its own exclusive copy", () => {
    const { inst, k, gup, parent, child, a, shared, events } = forked();
    expect(k.frames.flags[shared] & PG_ANON_EXCLUSIVE).toBe(0);
    const pages: number[] = [];
    expect(gup.pinUserPagesFast(parent, a, 1, 0, pages)).toBe(1);
    // GUP-fast cannot unshare: it falls back.
    expect(events.at(-1)).toMatchObject({ fastPages: 0, slowPages: 1 });
    expect(pages[0]).not.toBe(shared);
    expect(k.frames.flags[pages[0]] & (PG_ANON | PG_ANON_EXCLUSIVE)).toBe(PG_ANON | PG_ANON_EXCLUSIVE);
    expect(parent.mm!.pageTable.pfn(a / PAGE_SIZE)).toBe(pages[0]);
    expect(child.mm!.pageTable.pfn(a / PAGE_SIZE)).toBe(shared);
    expectConsistent(inst);
    // The parent's next write reuses the exclusive page: the device and the process agree.
    userWrite(k, parent, a, new Uint8Array([2]));
    expect(parent.mm!.pageTable.pfn(a / PAGE_SIZE)).toBe(pages[0]);
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });

  it("a R/O FOLL_GET does not unshare (it gets none of FOLL_PIN's protection)", () => {
    const { inst, gup, parent, a, shared } = forked();
    const pages: number[] = [];
    expect(gup.getUserPagesFast(parent, a, 1, 0, pages)).toBe(1);
    expect(pages[0]).toBe(shared);
    gup.putPages(pages, 1);
    expectConsistent(inst);
  });

  it("a R/O long-term pin of a private file mapping breaks COW early; a short-term one does not", () => {
    const inst = testKernel();
    const k = inst.kernel;
    const p = k.spawn("p");
    const file = k.createFile("lib", "ext4", PAGE_SIZE);
    const a = doMmap(k, p, { length: PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: false, file });
    touchRange(k, p, a, PAGE_SIZE, false);
    const cached = file.cache.get(0)!;
    const short: number[] = [];
    expect(inst.gup.pinUserPages(p, a, 1, 0, short)).toBe(1);
    expect(short[0]).toBe(cached);
    inst.gup.unpinUserPages(short, 1);
    const long: number[] = [];
    expect(inst.gup.pinUserPages(p, a, 1, FOLL_LONGTERM, long)).toBe(1);
    expect(long[0]).not.toBe(cached);
    expect(k.frames.flags[long[0]] & PG_ANON).toBe(PG_ANON);
    inst.gup.unpinUserPages(long, 1);
    expectConsistent(inst);
  });

  it("pins the zero page for a short-term R/O pin, and unshares it for a long-term one", () => {
    const inst = testKernel();
    const k = inst.kernel;
    const p = k.spawn("p");
    const a = doMmap(k, p, { length: PAGE_SIZE, prot: VM_READ | VM_WRITE, shared: false, anonymous: true });
    touchRange(k, p, a, PAGE_SIZE, false);
    const short: number[] = [];
    expect(inst.gup.pinUserPages(p, a, 1, 0, short)).toBe(1);
    expect(short[0]).toBe(k.memory.zeroPfn);
    // try_grab_folio(): a zero-page pin is neither taken nor counted.
    expect(k.vmstat.nr_foll_pin_acquired).toBe(0);
    inst.gup.unpinUserPages(short, 1);
    expect(k.vmstat.nr_foll_pin_released).toBe(0);
    const long: number[] = [];
    expect(inst.gup.pinUserPages(p, a, 1, FOLL_LONGTERM, long)).toBe(1);
    expect(long[0]).not.toBe(k.memory.zeroPfn);
    expect(k.vmstat.nr_foll_pin_acquired).toBe(1);
    inst.gup.unpinUserPages(long, 1);
    expectConsistent(inst);
  });
});
