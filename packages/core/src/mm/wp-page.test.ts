/**
 * Write faults on present pages and unsharing (mm/memory.c, v6.12): `do_wp_page` +
 * `wp_can_reuse_anon_folio`, `wp_page_copy`, FAULT_FLAG_UNSHARE, and the hugetlb and THP variants.
 */
import { describe, expect, it } from "vitest";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_DIRTY, PG_PRIVATE } from "../memory/page-flags.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, type testKernel } from "../testing/kernel.js";
import { doFork, doExit } from "./fork.js";
import { doMadvise } from "./madvise.js";
import { doMmap } from "./mmap.js";
import { PTE_DIRTY, PTE_HUGE, PTE_SPECIAL, PTE_WRITE } from "./page-table.js";
import type { Process } from "./process.js";
import { touchRange, userRead, userWrite } from "./user-access.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";
import { kernelWithProcess, lastFault, pteAt } from "../testing/mm.js";

const HP = HPAGE_PMD_NR;
const RW = VM_READ | VM_WRITE;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | number) => (typeof b === "number" ? `errno ${b}` : new TextDecoder().decode(b));

const setup = (cfg: Parameters<typeof testKernel>[0] = {}) => kernelWithProcess({ cfg });

describe("write faults on present pages (do_wp_page)", () => {
  it("a write to the zero page allocates a new exclusive page and leaves the zero page alone", () => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, { length: PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(dec(userRead(k, p, a, 2))).toBe("\0\0");
    expect(pteAt(p, a).pfn).toBe(0);
    expect(userWrite(k, p, a, enc("hi"))).toBe(0);
    const { pfn, bits } = pteAt(p, a);
    expect(pfn).not.toBe(0);
    expect(bits & (PTE_WRITE | PTE_SPECIAL)).toBe(PTE_WRITE);
    expect(k.frames.flags[pfn] & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(k.memory.contents.has(0)).toBe(false);
    expect(lastFault(k.events.events)?.counts).toEqual({ cow: 1 });
    expect(dec(userRead(k, p, a, 2))).toBe("hi");
    expectConsistent(inst);
  });

  it("reuses an exclusive anonymous page on write even while someone else holds a reference", () => {
    const { inst, k, p, gup } = setup();
    const a = doMmap(k, p, { length: PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(userWrite(k, p, a, enc("x"))).toBe(0);
    const pfn = pteAt(p, a).pfn;
    const pages: number[] = [];
    expect(gup.getUserPages(p, a, 1, 0, pages)).toBe(1);
    expect(k.frames.refcount[pfn]).toBe(2);
    // Write-protect the PTE (as soft-dirty tracking or uffd-wp would): the next write faults.
    p.mm!.pageTable.update(a / PAGE_SIZE, PTE_WRITE, 0);
    expect(userWrite(k, p, a, enc("y"))).toBe(0);
    expect(pteAt(p, a).pfn).toBe(pfn);
    expect(pteAt(p, a).bits & PTE_WRITE).toBe(PTE_WRITE);
    expect(lastFault(k.events.events)?.counts).toEqual({ reuse: 1 });
    gup.putPage(pfn);
    expectConsistent(inst);
  });

  it("after a read-only pin unshared a page, the owner's write reuses it: pin and process stay coherent", () => {
    const { inst, k, p, gup } = setup();
    const a = doMmap(k, p, { length: PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(userWrite(k, p, a, enc("A"))).toBe(0);
    const c = doFork(k, p, "c") as Process;
    // Parent's page is now shared with the child: a R/O pin must unshare it (gup_must_unshare).
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 1, 0, pages)).toBe(1);
    const pinned = pages[0];
    expect(pinned).not.toBe(pteAt(c, a).pfn);
    expect(pteAt(p, a).bits & PTE_WRITE).toBe(0);
    expect(userWrite(k, p, a, enc("B"))).toBe(0);
    expect(pteAt(p, a).pfn).toBe(pinned);
    expect(dec(userRead(k, c, a, 1))).toBe("A");
    gup.unpinUserPage(pinned);
    expectConsistent(inst);
  });

  it.each([
    ["the child is still alive (refcount 2)", false, "cow"],
    ["the child exited (refcount 1)", true, "reuse"],
  ] as const)("a non-exclusive small page after fork is reused only when its mapping holds the sole reference: %s", (_d, exitChild, kind) => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, { length: PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(userWrite(k, p, a, enc("A"))).toBe(0);
    const pfn = pteAt(p, a).pfn;
    const c = doFork(k, p, "c") as Process;
    expect(k.frames.flags[pfn] & PG_ANON_EXCLUSIVE).toBe(0);
    expect(pteAt(p, a).bits & PTE_WRITE).toBe(0);
    if (exitChild) doExit(k, c);
    expect(userWrite(k, p, a, enc("B"))).toBe(0);
    const after = pteAt(p, a).pfn;
    expect(after === pfn).toBe(kind === "reuse");
    expect(k.frames.flags[after] & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(lastFault(k.events.events)?.counts).toEqual({ [kind]: 1 });
    if (!exitChild) expect(dec(userRead(k, c, a, 1))).toBe("A");
    expectConsistent(inst);
  });

  it("a GUP reference on a non-exclusive page forces a copy: the holder keeps the old page (GUP after fork)", () => {
    const { inst, k, p, gup } = setup();
    const a = doMmap(k, p, { length: PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(userWrite(k, p, a, enc("A"))).toBe(0);
    const c = doFork(k, p, "c") as Process;
    doExit(k, c);
    const pages: number[] = [];
    expect(gup.getUserPages(p, a, 1, 0, pages)).toBe(1);
    const held = pages[0];
    expect(k.frames.refcount[held]).toBe(2);
    expect(userWrite(k, p, a, enc("B"))).toBe(0);
    expect(pteAt(p, a).pfn).not.toBe(held);
    const out = new Uint8Array(1);
    k.memory.contents.read(held, 0, 1, out);
    expect(dec(out)).toBe("A");
    gup.putPage(held);
    expectConsistent(inst);
  });

  it("a PMD-mapped THP shared with a live child is split on write and one subpage copied (do_huge_pmd_wp_page falls back)", () => {
    const { inst, k, p } = setup();
    const base = 0x4000_0000;
    expect(doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, addr: base })).toBe(base);
    expect(doMadvise(k, p, base, HPAGE_PMD_SIZE, "hugepage")).toBe(HP);
    expect(userWrite(k, p, base, enc("T"))).toBe(0);
    const head = pteAt(p, base).pfn;
    expect(head % HP).toBe(0);
    // One PMD leaf: one reference, one entire mapcount.
    expect(k.frames.refcount[head]).toBe(1);
    expect(k.frames.entireMapcount[head]).toBe(1);
    expect(pteAt(p, base + 5 * PAGE_SIZE).bits & PTE_HUGE).toBe(PTE_HUGE);
    const c = doFork(k, p, "c") as Process;
    expect(k.frames.refcount[head]).toBe(2);
    expect(userWrite(k, p, base + 3 * PAGE_SIZE, enc("U"))).toBe(0);
    const copied = pteAt(p, base + 3 * PAGE_SIZE);
    expect(copied.pfn).not.toBe(head + 3);
    expect(k.frames.isLarge(copied.pfn)).toBe(false);
    expect(copied.bits & PTE_WRITE).toBe(PTE_WRITE);
    // The rest of the THP stays mapped in the parent, now by 511 ordinary PTEs; the child keeps its PMD.
    const other = pteAt(p, base + 4 * PAGE_SIZE);
    expect(other.pfn).toBe(head + 4);
    expect(other.bits & (PTE_HUGE | PTE_WRITE)).toBe(0);
    expect(pteAt(c, base).bits & PTE_HUGE).toBe(PTE_HUGE);
    expect(k.frames.refcount[head]).toBe(HP - 1 + 1);
    expect(k.vmstat.thp_split_pmd).toBe(1);
    expect(lastFault(k.events.events)?.counts).toEqual({ cow: 1 });
    expectConsistent(inst);
  });

  it("after fork and the child's exit the PMD holds the only reference: a write reuses the THP in place, whole", () => {
    const { inst, k, p } = setup();
    const base = 0x4000_0000;
    doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, addr: base });
    doMadvise(k, p, base, HPAGE_PMD_SIZE, "hugepage");
    expect(userWrite(k, p, base, enc("T"))).toBe(0);
    const head = pteAt(p, base).pfn;
    doExit(k, doFork(k, p, "c") as Process);
    expect(k.frames.flags[head] & PG_ANON_EXCLUSIVE).toBe(0);
    expect(userWrite(k, p, base + 10 * PAGE_SIZE, enc("x"))).toBe(0);
    expect(pteAt(p, base + 10 * PAGE_SIZE).pfn).toBe(head + 10);
    expect(pteAt(p, base + 400 * PAGE_SIZE).bits & (PTE_HUGE | PTE_WRITE)).toBe(PTE_HUGE | PTE_WRITE);
    expect(k.frames.flags[head] & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(k.vmstat.thp_split_pmd).toBe(0);
    expect(lastFault(k.events.events)?.counts).toEqual({ reuse: 1 });
    expectConsistent(inst);
  });

  it("a private file mapping copies the page-cache page on write and leaves the file unchanged", () => {
    const { inst, k, p } = setup();
    const file = k.createFile("f", "ext4", 2 * PAGE_SIZE);
    file.backing.set(0, enc("disk").slice());
    const w = k.spawn("writer");
    const shared = doMmap(k, w, { length: 2 * PAGE_SIZE, prot: RW, shared: true, anonymous: false, file });
    const priv = doMmap(k, p, { length: 2 * PAGE_SIZE, prot: RW, shared: false, anonymous: false, file });
    expect(dec(userRead(k, p, priv, 4))).toBe("disk");
    const cachePfn = pteAt(p, priv).pfn;
    expect(file.cache.get(0)).toBe(cachePfn);
    expect(userWrite(k, p, priv, enc("mine"))).toBe(0);
    const mine = pteAt(p, priv).pfn;
    expect(mine).not.toBe(cachePfn);
    expect(k.frames.flags[mine] & (PG_ANON | PG_ANON_EXCLUSIVE)).toBe(PG_ANON | PG_ANON_EXCLUSIVE);
    expect(dec(userRead(k, w, shared, 4))).toBe("disk");
    expect(dec(userRead(k, p, priv, 4))).toBe("mine");
    expect(k.frames.refcount[cachePfn]).toBe(2); // cache + the writer's mapping
    expectConsistent(inst);
  });

  it("a shared ext4 write after a read fault calls page_mkwrite: buffers (+1 ref), PG_dirty, writable PTE", () => {
    const { inst, k, p } = setup();
    const file = k.createFile("f", "ext4", PAGE_SIZE);
    const a = doMmap(k, p, { length: PAGE_SIZE, prot: RW, shared: true, anonymous: false, file });
    expect(touchRange(k, p, a, PAGE_SIZE, false)).toBe(1);
    const pfn = pteAt(p, a).pfn;
    expect(k.frames.refcount[pfn]).toBe(2);
    expect(pteAt(p, a).bits & PTE_WRITE).toBe(0);
    expect(userWrite(k, p, a, enc("z"))).toBe(0);
    expect(pteAt(p, a).pfn).toBe(pfn);
    expect(pteAt(p, a).bits & (PTE_WRITE | PTE_DIRTY)).toBe(PTE_WRITE | PTE_DIRTY);
    expect(k.frames.flags[pfn] & (PG_DIRTY | PG_PRIVATE)).toBe(PG_DIRTY | PG_PRIVATE);
    expect(k.frames.refcount[pfn]).toBe(3);
    expect(lastFault(k.events.events)?.counts).toEqual({ mkwrite: 1 });
    // A second write goes straight through the writable PTE: no fault, no second buffer reference.
    const n = k.events.count;
    expect(userWrite(k, p, a + 1, enc("z"))).toBe(0);
    expect(k.events.events.slice(n).map((e) => e.type)).toEqual(["access"]);
    expect(k.frames.refcount[pfn]).toBe(3);
    expectConsistent(inst);
  });
});

describe("unshare (FAULT_FLAG_UNSHARE) for read-only pins", () => {
  it.each([
    ["ext4", PAGE_SIZE, 1],
    ["hugetlbfs", HPAGE_PMD_SIZE, HP],
  ] as const)("a long-term R/O pin of a private %s mapping gets an exclusive copy mapped read-only", (fs, len, nr) => {
    const { inst, k, p, gup } = setup();
    const file = k.createFile("f", fs, len);
    const a = doMmap(k, p, { length: len, prot: RW, shared: false, anonymous: false, file });
    expect(touchRange(k, p, a, PAGE_SIZE, false)).toBe(1);
    const cached = file.cache.get(0)!;
    const pages: number[] = [];
    expect(gup.pinUserPages(p, a, 1, 1 << 8 /* FOLL_LONGTERM */, pages)).toBe(1);
    const { pfn, bits } = pteAt(p, a);
    expect(pfn).toBe(pages[0]);
    expect(pfn).not.toBe(cached);
    expect(k.frames.flags[pfn] & (PG_ANON | PG_ANON_EXCLUSIVE)).toBe(PG_ANON | PG_ANON_EXCLUSIVE);
    expect(bits & PTE_WRITE).toBe(0);
    expect(k.vmstat.nr_cow).toBe(nr);
    // The owner's write then reuses the exclusive copy: the pin keeps seeing what the process writes.
    expect(userWrite(k, p, a, enc("w"))).toBe(0);
    expect(pteAt(p, a).pfn).toBe(pfn);
    gup.unpinUserPages(pages, 1);
    expectConsistent(inst);
  });
});
