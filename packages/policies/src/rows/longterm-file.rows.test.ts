/**
 * Reference §11 rows 7-12: long-term (RDMA MR-like) pins of file mappings, page cache and FS-DAX.
 *
 *   rdma's address space:  [ data: MAP_SHARED ext4, 8 pages ]   or   [ pm: MAP_SHARED fsdax, 4 pages ]
 */
import { EFAULT, EINVAL, EOPNOTSUPP, EPERM, FOLL_LONGTERM, FOLL_WRITE, PAGE_SIZE, type FilePinRecord, type Process } from "@pinlab/core";
import { BASE_VARIANTS, type Lab, type Variant } from "../test-support/lab.js";
import { rowTable } from "../test-support/row-table.js";

const DAX = { memory: "16MiB", pmem: "4MiB" } as const;
const V_PAGECACHE: Variant = { name: "vaddr-pin{pageCacheLeases}", policy: "vaddr-pin", options: { pageCacheLeases: true } };

/** Map an ext4 file MAP_SHARED and fault it in (a write fault goes through page_mkwrite). */
function ext4(l: Lab, write: boolean) {
  const p = l.spawn("rdma");
  const file = l.k.createFile("data", "ext4", 8 * PAGE_SIZE);
  const a = l.map(p, 8, { shared: true, file });
  l.touch(p, a, 8, write);
  l.check();
  return { p, file, a };
}

/** Map an FS-DAX file MAP_SHARED and fault it in. */
function dax(l: Lab) {
  const p = l.spawn("rdma");
  const file = l.k.createFile("pm", "fsdax", 4 * PAGE_SIZE);
  const a = l.map(p, 4, { shared: true, file });
  l.touch(p, a, 4, true);
  l.check();
  return { p, file, a };
}

/** Pin like ib_umem_get (pin_user_pages_fast, FOLL_LONGTERM [| FOLL_WRITE]); report, then release. */
function registerMr(l: Lab, p: Process, a: number, n: number, flags: number) {
  const pages: number[] = [];
  const ret = l.gup.pinUserPagesFast(p, a, n, FOLL_LONGTERM | flags, pages);
  const fastPages = l.lastGup.fastPages;
  l.check();
  const maybePinned = ret > 0 && pages.slice(0, ret).every((pfn) => l.policy.maybeDmaPinned(pfn));
  if (ret > 0) l.gup.unpinUserPages(pages, ret);
  l.check();
  return { ret, fastPages, maybePinned };
}

rowTable<{ ret: number; fastPages: number; maybePinned: boolean }>([
  {
    row: "7/8",
    title: "writable long-term pin (RDMA MR) of a MAP_SHARED ext4 mapping",
    variants: [...BASE_VARIANTS, V_PAGECACHE],
    expect: {
      // Row 8, 2019: allowed, straight through GUP-fast; later dirtying hits the "no buffers" bug class.
      "legacy-get": { ret: 8, fastPages: 8, maybePinned: false },
      // Row 7, v6.12: gup_fast_folio_allowed() refuses ext4, then check_vma_flags() says EFAULT.
      "pin-bias": { ret: -EFAULT, fastPages: 0, maybePinned: false },
      "vaddr-pin": { ret: -EFAULT, fastPages: 0, maybePinned: false },
      "exact-pincount": { ret: -EFAULT, fastPages: 0, maybePinned: false },
      // Leases instead of the ban: without a vaddr_pin owner and a lease, EPERM.
      "vaddr-pin{pageCacheLeases}": { ret: -EPERM, fastPages: 0, maybePinned: false },
    },
    run(l) {
      const { p, a } = ext4(l, true);
      return registerMr(l, p, a, 8, FOLL_WRITE);
    },
  },
  {
    row: 9,
    title: "read-only long-term pin of a MAP_SHARED ext4 mapping",
    expect: {
      // Pinned, but nothing can tell; no unsharing in 2019, so GUP-fast takes every page.
      "legacy-get": { ret: 8, fastPages: 8, maybePinned: false },
      // Allowed (the ban is for writes); gup_must_unshare() has no VMA on the fast path, so it falls back.
      "pin-bias": { ret: 8, fastPages: 0, maybePinned: true },
      "vaddr-pin": { ret: 8, fastPages: 0, maybePinned: true },
      "exact-pincount": { ret: 8, fastPages: 0, maybePinned: true },
    },
    run(l) {
      const { p, a } = ext4(l, false);
      return registerMr(l, p, a, 8, 0);
    },
  },
  {
    row: 10,
    title: "writable long-term pin (RDMA MR) of an FS-DAX mapping, no lease, no owner",
    machine: DAX,
    expect: {
      "legacy-get": { ret: -EOPNOTSUPP, fastPages: 0, maybePinned: false },
      "pin-bias": { ret: -EOPNOTSUPP, fastPages: 0, maybePinned: false },
      // The RFC removed the DAX exclusion and asks for a lease and an owner instead (row 12).
      "vaddr-pin": { ret: -EPERM, fastPages: 0, maybePinned: false },
      "exact-pincount": { ret: -EOPNOTSUPP, fastPages: 0, maybePinned: false },
    },
    run(l) {
      const { p, a } = dax(l);
      return registerMr(l, p, a, 4, FOLL_WRITE);
    },
  },
]);

type LeasedPin = { lease: number; ret: number; fastPages: number; filePins: FilePinRecord[]; maybePinned: boolean };

/**
 * Optionally someone takes an exclusive layout lease on the DAX file (the pinning process or
 * another one), then the pinning process registers an MR: vaddr_pin_pages() with `owner`, or
 * pin_user_pages_fast(FOLL_LONGTERM) without one. Reports, then releases.
 */
function leasedPin(l: Lab, leaseBy: "self" | "other" | "none", owner: { file?: string; pid?: number } | undefined): LeasedPin {
  const { p, file, a } = dax(l);
  const lease = leaseBy === "none" ? 0 : l.policy.setLease(file, leaseBy === "self" ? p.pid : l.spawn("other").pid, "exclusive");
  const pages: number[] = [];
  const ret = owner === undefined
    ? l.gup.pinUserPagesFast(p, a, 4, FOLL_LONGTERM | FOLL_WRITE, pages)
    : l.gup.vaddrPinPages(p, a, 4, FOLL_WRITE, pages, owner);
  const fastPages = l.lastGup.fastPages;
  l.check();
  const filePins = l.policy.filePins(p.pid);
  const maybePinned = ret > 0 && pages.every((pfn) => l.policy.maybeDmaPinned(pfn));
  if (ret > 0) {
    if (owner === undefined) l.gup.unpinUserPages(pages, ret);
    else l.gup.vaddrUnpinPages(pages, ret, owner, p.pid);
  }
  l.check();
  return { lease, ret, fastPages, filePins, maybePinned };
}

/** What every policy but vaddr-pin does: no leases (EINVAL) and no long-term DAX pins (EOPNOTSUPP). */
const refusedDax = (lease: number): LeasedPin => ({ lease, ret: -EOPNOTSUPP, fastPages: 0, filePins: [], maybePinned: false });

rowTable<LeasedPin>([
  {
    row: 11,
    title: "RDMA MR on FS-DAX while the registering process holds F_LAYOUT|F_EXCLUSIVE; owner = the uverbs context file",
    machine: DAX,
    expect: {
      "legacy-get": refusedDax(EINVAL),
      "pin-bias": refusedDax(EINVAL),
      // One file_file_pin for (uverbs0, pm) with kref 4, and every page still carries its FOLL_PIN count.
      "vaddr-pin": { lease: 0, ret: 4, fastPages: 0, filePins: [{ owner: "file:uverbs0", file: "pm", refs: 4 }], maybePinned: true },
      "exact-pincount": refusedDax(EINVAL),
    },
    run: (l) => leasedPin(l, "self", { file: "uverbs0" }),
  },
  {
    row: "12a",
    title: "RDMA MR on FS-DAX with an owner but no lease",
    machine: DAX,
    expect: {
      "legacy-get": refusedDax(0),
      "pin-bias": refusedDax(0),
      "vaddr-pin": { lease: 0, ret: -EPERM, fastPages: 0, filePins: [], maybePinned: false },
      "exact-pincount": refusedDax(0),
    },
    run: (l) => leasedPin(l, "none", { file: "uverbs0" }),
  },
  {
    row: "12b",
    title: "RDMA MR on FS-DAX with an owner while another process holds the exclusive lease",
    machine: DAX,
    expect: {
      "legacy-get": refusedDax(EINVAL),
      "pin-bias": refusedDax(EINVAL),
      // mapping_inode_has_layout() looks for a lease of the current tgid only.
      "vaddr-pin": { lease: 0, ret: -EPERM, fastPages: 0, filePins: [], maybePinned: false },
      "exact-pincount": refusedDax(EINVAL),
    },
    run: (l) => leasedPin(l, "other", { pid: 1 }),
  },
  {
    row: "12c",
    title: "RDMA MR on FS-DAX through GUP-fast (no vaddr_pin), lease held by the process itself",
    machine: DAX,
    expect: {
      "legacy-get": refusedDax(EINVAL),
      "pin-bias": refusedDax(EINVAL),
      // GUP-fast passes a NULL vaddr_pin: the DAX page falls back, and the slow path finds no owner.
      "vaddr-pin": { lease: 0, ret: -EPERM, fastPages: 0, filePins: [], maybePinned: false },
      "exact-pincount": refusedDax(EINVAL),
    },
    run: (l) => leasedPin(l, "self", undefined),
  },
]);
