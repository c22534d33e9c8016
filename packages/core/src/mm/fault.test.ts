/**
 * The fault path and copy-on-write (mm/memory.c, v6.12): `do_anonymous_page`, `do_read_fault`,
 * `do_cow_fault`, `do_shared_fault`, `do_wp_page` + `wp_can_reuse_anon_folio`, `wp_page_copy`,
 * and the hugetlb and THP variants.
 */
import { describe, expect, it } from "vitest";
import { EFAULT } from "../errno.js";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import type { KernelEvent } from "../events/event-types.js";
import type { FsTypeName } from "../fs/fs-type.js";
import {
  PG_ANON, PG_ANON_EXCLUSIVE, PG_DAX, PG_DIRTY, PG_FILE, PG_HUGETLB, PG_PRIVATE,
} from "../memory/page-flags.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, testKernel } from "../testing/kernel.js";
import { doFork, doExit } from "./fork.js";
import { doMadvise } from "./madvise.js";
import { doMmap } from "./mmap.js";
import { doMprotect } from "./mprotect.js";
import { PTE_DIRTY, PTE_HUGE, PTE_PRESENT, PTE_SPECIAL, PTE_WRITE } from "./page-table.js";
import type { Process } from "./process.js";
import { touchRange, userRead, userWrite } from "./user-access.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";

const RW = VM_READ | VM_WRITE;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | number) => (typeof b === "number" ? `errno ${b}` : new TextDecoder().decode(b));

function setup(cfg: Parameters<typeof testKernel>[0] = {}) {
  const inst = testKernel({ keepEventLog: true, ...cfg });
  const k = inst.kernel;
  const p = k.spawn("p");
  return { inst, k, p, gup: inst.gup };
}

/** The PTE at `addr` in `p`: frame and bits. */
function pteAt(p: Process, addr: number) {
  const vpn = addr / PAGE_SIZE;
  return { pfn: p.mm!.pageTable.pfn(vpn), bits: p.mm!.pageTable.bits(vpn) };
}

function lastFault(events: readonly KernelEvent[]) {
  const e = [...events].reverse().find((x) => x.type === "fault");
  return e as KernelEvent<"fault"> | undefined;
}

/**
 * The first touch of one page, for every mapping kind. One row per (private/shared,
 * anonymous/file, fs type, read/write):
 *
 *   frame   what the PTE maps: the zero page, a page-cache page, or an anonymous page
 *   w       PTE writable after the fault
 *   ref     the folio's refcount afterwards (cache + buffers + mappings)
 *   flags   folio flags that must be set
 */
interface FirstTouch {
  shared: boolean;
  backing: "anon" | FsTypeName;
  write: boolean;
  frame: "zero" | "cache" | "anon";
  w: boolean;
  ref: number;
  flags: number;
  kind: string;
}

const HP = HPAGE_PMD_NR;
const FIRST_TOUCH: FirstTouch[] = [
  // private anonymous: do_anonymous_page
  { shared: false, backing: "anon", write: false, frame: "zero", w: false, ref: 1, flags: 0, kind: "zero" },
  { shared: false, backing: "anon", write: true, frame: "anon", w: true, ref: 1, flags: PG_ANON | PG_ANON_EXCLUSIVE, kind: "anon" },
  // shared anonymous: the internal shmem file (shmem_zero_setup), no write-notify
  { shared: true, backing: "anon", write: false, frame: "cache", w: true, ref: 2, flags: PG_FILE, kind: "file" },
  { shared: true, backing: "anon", write: true, frame: "cache", w: true, ref: 2, flags: PG_FILE | PG_DIRTY, kind: "mkwrite" },
  // ext4: private maps the cache read-only and COWs; shared starts read-only and dirties via page_mkwrite (+buffers)
  { shared: false, backing: "ext4", write: false, frame: "cache", w: false, ref: 2, flags: PG_FILE, kind: "file" },
  { shared: false, backing: "ext4", write: true, frame: "anon", w: true, ref: 1, flags: PG_ANON | PG_ANON_EXCLUSIVE, kind: "cow" },
  { shared: true, backing: "ext4", write: false, frame: "cache", w: false, ref: 2, flags: PG_FILE, kind: "file" },
  { shared: true, backing: "ext4", write: true, frame: "cache", w: true, ref: 3, flags: PG_FILE | PG_DIRTY | PG_PRIVATE, kind: "mkwrite" },
  // shmem: no dirty tracking, so a shared read fault maps writable
  { shared: false, backing: "shmem", write: false, frame: "cache", w: false, ref: 2, flags: PG_FILE, kind: "file" },
  { shared: false, backing: "shmem", write: true, frame: "anon", w: true, ref: 1, flags: PG_ANON | PG_ANON_EXCLUSIVE, kind: "cow" },
  { shared: true, backing: "shmem", write: false, frame: "cache", w: true, ref: 2, flags: PG_FILE, kind: "file" },
  { shared: true, backing: "shmem", write: true, frame: "cache", w: true, ref: 2, flags: PG_FILE | PG_DIRTY, kind: "mkwrite" },
  // hugetlbfs: a whole 2 MiB folio per fault; the page cache holds one reference per subpage
  { shared: false, backing: "hugetlbfs", write: false, frame: "cache", w: false, ref: 2 * HP, flags: PG_FILE | PG_HUGETLB, kind: "hugetlb" },
  { shared: false, backing: "hugetlbfs", write: true, frame: "anon", w: true, ref: HP, flags: PG_ANON | PG_ANON_EXCLUSIVE | PG_HUGETLB, kind: "cow" },
  { shared: true, backing: "hugetlbfs", write: false, frame: "cache", w: true, ref: 2 * HP, flags: PG_FILE | PG_HUGETLB, kind: "hugetlb" },
  { shared: true, backing: "hugetlbfs", write: true, frame: "cache", w: true, ref: 2 * HP, flags: PG_FILE | PG_HUGETLB | PG_DIRTY, kind: "hugetlb" },
  // fsdax: the block is the page; dirty-tracked like ext4 but without buffers
  { shared: false, backing: "fsdax", write: false, frame: "cache", w: false, ref: 2, flags: PG_FILE | PG_DAX, kind: "file" },
  { shared: false, backing: "fsdax", write: true, frame: "anon", w: true, ref: 1, flags: PG_ANON | PG_ANON_EXCLUSIVE, kind: "cow" },
  { shared: true, backing: "fsdax", write: false, frame: "cache", w: false, ref: 2, flags: PG_FILE | PG_DAX, kind: "file" },
  { shared: true, backing: "fsdax", write: true, frame: "cache", w: true, ref: 2, flags: PG_FILE | PG_DAX | PG_DIRTY, kind: "mkwrite" },
];

describe("first touch of a page, per mapping kind", () => {
  it.each(FIRST_TOUCH)(
    "$backing shared=$shared write=$write maps $frame (w=$w, ref=$ref)",
    ({ shared, backing, write, frame, w, ref, flags, kind }) => {
      const { inst, k, p } = setup({ machine: { memory: "32MiB", pmem: "4MiB" } });
      const huge = backing === "hugetlbfs";
      const len = huge ? HPAGE_PMD_SIZE : 4 * PAGE_SIZE;
      const file = backing === "anon" ? undefined : k.createFile("f", backing, len);
      const a = doMmap(k, p, { length: len, prot: RW, shared, anonymous: backing === "anon", file });
      expect(a).toBeGreaterThan(0);
      const zeroRef = k.frames.refcount[k.memory.zeroPfn];
      expect(touchRange(k, p, a, PAGE_SIZE, write)).toBe(1);
      const { pfn, bits } = pteAt(p, a);
      const f = k.frames;
      const head = f.head(pfn);
      expect((bits & PTE_WRITE) !== 0).toBe(w);
      expect((bits & PTE_DIRTY) !== 0).toBe(write);
      if (frame === "zero") {
        expect(pfn).toBe(k.memory.zeroPfn);
        expect(bits & PTE_SPECIAL).toBe(PTE_SPECIAL);
        expect(f.refcount[pfn]).toBe(zeroRef); // the zero page is never counted
        expect(p.mm!.rss).toBe(0);
      } else {
        expect(f.refcount[head]).toBe(ref);
        expect(f.flags[head] & flags).toBe(flags);
        expect(f.mapcount[pfn]).toBe(1);
        const internal = file === undefined ? k.files.get([...k.files.keys()][0]) : file;
        const inCache = internal !== undefined && [...internal.cache.values()].includes(pfn);
        expect(inCache).toBe(frame === "cache");
      }
      if (huge) {
        // The whole 2 MiB is mapped by one fault, marked as a PMD mapping.
        expect(bits & PTE_HUGE).toBe(PTE_HUGE);
        expect(pteAt(p, a + (HP - 1) * PAGE_SIZE).pfn).toBe(head + HP - 1);
        expect(p.mm!.rss).toBe(HP);
      }
      expect(lastFault(k.events.events)?.counts).toEqual({ [kind]: huge && kind === "cow" ? HP : 1 });
      expectConsistent(inst);
    },
  );
});

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

  it("a non-exclusive THP is never reused: the writer's PMD mapping is split and one subpage copied", () => {
    const { inst, k, p } = setup();
    const base = 0x4000_0000;
    expect(doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, addr: base })).toBe(base);
    expect(doMadvise(k, p, base, HPAGE_PMD_SIZE, "hugepage")).toBe(HP);
    expect(userWrite(k, p, base, enc("T"))).toBe(0);
    const head = pteAt(p, base).pfn;
    expect(head % HP).toBe(0);
    expect(k.frames.refcount[head]).toBe(HP);
    expect(pteAt(p, base + 5 * PAGE_SIZE).bits & PTE_HUGE).toBe(PTE_HUGE);
    const c = doFork(k, p, "c") as Process;
    doExit(k, c); // even as the only mapper again, a large folio is not reused (v6.12)
    expect(userWrite(k, p, base + 3 * PAGE_SIZE, enc("U"))).toBe(0);
    const copied = pteAt(p, base + 3 * PAGE_SIZE);
    expect(copied.pfn).not.toBe(head + 3);
    expect(k.frames.isLarge(copied.pfn)).toBe(false);
    expect(copied.bits & PTE_WRITE).toBe(PTE_WRITE);
    // The rest of the THP stays mapped, now by ordinary PTEs.
    const other = pteAt(p, base + 4 * PAGE_SIZE);
    expect(other.pfn).toBe(head + 4);
    expect(other.bits & (PTE_HUGE | PTE_WRITE)).toBe(0);
    expect(k.frames.refcount[head]).toBe(HP - 1);
    expect(lastFault(k.events.events)?.counts).toEqual({ cow: 1 });
    expectConsistent(inst);
  });

  it("an exclusive THP is reused whole on write: every PTE of the PMD mapping becomes writable", () => {
    const { inst, k, p } = setup();
    const base = 0x4000_0000;
    doMmap(k, p, { length: HPAGE_PMD_SIZE, prot: RW, shared: false, anonymous: true, addr: base });
    doMadvise(k, p, base, HPAGE_PMD_SIZE, "hugepage");
    expect(touchRange(k, p, base, PAGE_SIZE, true)).toBe(1);
    const head = pteAt(p, base).pfn;
    for (let i = 0; i < HP; i++) p.mm!.pageTable.update(base / PAGE_SIZE + i, PTE_WRITE, 0);
    expect(userWrite(k, p, base + 10 * PAGE_SIZE, enc("x"))).toBe(0);
    expect(pteAt(p, base + 10 * PAGE_SIZE).pfn).toBe(head + 10);
    expect(pteAt(p, base + 400 * PAGE_SIZE).bits & PTE_WRITE).toBe(PTE_WRITE);
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

describe("fault errors", () => {
  it.each(["ext4", "shmem", "fsdax"] as const)("a %s mapping beyond EOF raises SIGBUS (-EFAULT) for the page past the end only", (fs) => {
    const { inst, k, p } = setup({ machine: { memory: "16MiB", pmem: "1MiB" } });
    const file = k.createFile("f", fs, 2 * PAGE_SIZE);
    const a = doMmap(k, p, { length: 4 * PAGE_SIZE, prot: RW, shared: true, anonymous: false, file });
    expect(touchRange(k, p, a, 2 * PAGE_SIZE, false)).toBe(2);
    expect(touchRange(k, p, a + 2 * PAGE_SIZE, PAGE_SIZE, false)).toBe(-EFAULT);
    expect(userWrite(k, p, a + 3 * PAGE_SIZE, enc("x"))).toBe(-EFAULT);
    expect(lastFault(k.events.events)?.errno).toBe(String(EFAULT));
    expect(pteAt(p, a + 2 * PAGE_SIZE).bits & PTE_PRESENT).toBe(0);
    expectConsistent(inst);
  });

  it.each([
    ["read of PROT_NONE", 0, false],
    ["write of PROT_READ", VM_READ, true],
    ["read of PROT_WRITE-only", VM_WRITE, false],
  ] as const)("%s is refused with -EFAULT (access_error, SIGSEGV) and maps nothing", (_d, prot, write) => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, { length: PAGE_SIZE, prot, shared: false, anonymous: true });
    expect(touchRange(k, p, a, PAGE_SIZE, write)).toBe(-EFAULT);
    expect(pteAt(p, a).bits).toBe(0);
    expectConsistent(inst);
  });

  it("an access to an unmapped address, or one that runs off the end of a mapping, is -EFAULT", () => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, { length: 2 * PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    expect(touchRange(k, p, a + 2 * PAGE_SIZE, 1, false)).toBe(-EFAULT);
    expect(userWrite(k, p, a + PAGE_SIZE + 10, new Uint8Array(PAGE_SIZE))).toBe(-EFAULT);
    // The page inside the mapping was faulted before the walk ran off the end.
    expect(pteAt(p, a + PAGE_SIZE).bits & PTE_PRESENT).toBe(PTE_PRESENT);
    expectConsistent(inst);
  });

  it("a write fault of a read-only mapping through GUP without FOLL_FORCE is -EFAULT", () => {
    const { inst, k, p, gup } = setup();
    const a = doMmap(k, p, { length: PAGE_SIZE, prot: VM_READ, shared: false, anonymous: true });
    expect(gup.getUserPages(p, a, 1, FOLL_WRITE, [])).toBe(-EFAULT);
    expectConsistent(inst);
  });

  it("mprotect back to read-write does not make a page shared with a child writable (can_change_pte_writable)", () => {
    const { inst, k, p } = setup();
    const a = doMmap(k, p, { length: PAGE_SIZE, prot: RW, shared: false, anonymous: true });
    userWrite(k, p, a, enc("A"));
    const c = doFork(k, p, "c") as Process;
    expect(doMprotect(k, p, a, PAGE_SIZE, VM_READ)).toBe(0);
    expect(doMprotect(k, p, a, PAGE_SIZE, RW)).toBe(0);
    expect(pteAt(p, a).bits & PTE_WRITE).toBe(0);
    expect(userWrite(k, p, a, enc("B"))).toBe(0);
    expect(dec(userRead(k, c, a, 1))).toBe("A");
    expectConsistent(inst);
  });
});
