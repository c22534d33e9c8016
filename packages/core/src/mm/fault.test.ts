/**
 * The fault path and copy-on-write (mm/memory.c, v6.12): `do_anonymous_page`, `do_read_fault`,
 * `do_cow_fault`, `do_shared_fault`, `do_wp_page` + `wp_can_reuse_anon_folio`, `wp_page_copy`,
 * and the hugetlb and THP variants.
 */
import { describe, expect, it } from "vitest";
import { EFAULT } from "../errno.js";
import { FOLL_WRITE } from "../gup/foll-flags.js";
import type { FsTypeName } from "../fs/fs-type.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_DAX, PG_DIRTY, PG_FILE, PG_HUGETLB, PG_PRIVATE } from "../memory/page-flags.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { expectConsistent, type testKernel } from "../testing/kernel.js";
import { doFork } from "./fork.js";
import { doMmap } from "./mmap.js";
import { doMprotect } from "./mprotect.js";
import { PTE_DIRTY, PTE_HUGE, PTE_PRESENT, PTE_SPECIAL, PTE_WRITE } from "./page-table.js";
import type { Process } from "./process.js";
import { touchRange, userRead, userWrite } from "./user-access.js";
import { VM_READ, VM_WRITE } from "./vm-flags.js";
import { kernelWithProcess, lastFault, pteAt } from "../testing/mm.js";

const RW = VM_READ | VM_WRITE;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | number) => (typeof b === "number" ? `errno ${b}` : new TextDecoder().decode(b));

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
  // hugetlbfs: a whole 2 MiB folio per fault, mapped whole by one entry holding one reference
  // (hugetlb_add_file_rmap); the page cache holds one reference per subpage (__filemap_add_folio)
  { shared: false, backing: "hugetlbfs", write: false, frame: "cache", w: false, ref: HP + 1, flags: PG_FILE | PG_HUGETLB, kind: "hugetlb" },
  { shared: false, backing: "hugetlbfs", write: true, frame: "anon", w: true, ref: 1, flags: PG_ANON | PG_ANON_EXCLUSIVE | PG_HUGETLB, kind: "cow" },
  { shared: true, backing: "hugetlbfs", write: false, frame: "cache", w: true, ref: HP + 1, flags: PG_FILE | PG_HUGETLB, kind: "hugetlb" },
  { shared: true, backing: "hugetlbfs", write: true, frame: "cache", w: true, ref: HP + 1, flags: PG_FILE | PG_HUGETLB | PG_DIRTY, kind: "hugetlb" },
  // fsdax: the block is the page; dirty-tracked like ext4 but without buffers
  { shared: false, backing: "fsdax", write: false, frame: "cache", w: false, ref: 2, flags: PG_FILE | PG_DAX, kind: "file" },
  { shared: false, backing: "fsdax", write: true, frame: "anon", w: true, ref: 1, flags: PG_ANON | PG_ANON_EXCLUSIVE, kind: "cow" },
  { shared: true, backing: "fsdax", write: false, frame: "cache", w: false, ref: 2, flags: PG_FILE | PG_DAX, kind: "file" },
  { shared: true, backing: "fsdax", write: true, frame: "cache", w: true, ref: 2, flags: PG_FILE | PG_DAX | PG_DIRTY, kind: "mkwrite" },
];

const setup = (cfg: Parameters<typeof testKernel>[0] = {}) => kernelWithProcess({ cfg });

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
        // A hugetlb folio's one mapping is its entire mapcount; the page reports it as its own.
        expect(f.pageMapcount(pfn)).toBe(1);
        expect(f.mapcount[pfn]).toBe(huge ? 0 : 1);
        expect(f.entireMapcount[head]).toBe(huge ? 1 : 0);
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
