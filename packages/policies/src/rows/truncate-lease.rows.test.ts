/**
 * Reference §11 rows 13-17: truncate and hole punch of an FS-DAX file under layout leases and
 * pins, lease release, and the /proc/<pid>/file_pins view.
 *
 *   holder's address space:  [ pm: MAP_SHARED fsdax, 8 pages ]      truncater: another process (or the holder)
 */
import {
  EBUSY, EDEADLOCK, EINVAL, EOPNOTSUPP, EPERM, ETXTBSY, FOLL_WRITE, PAGE_SIZE, doMunmap, doPunchHole, doTruncate,
  type FilePinRecord,
} from "@pinlab/core";
import { BASE_VARIANTS, type Lab, type Variant } from "../test-support/lab.js";
import { rowTable } from "../test-support/row-table.js";

const DAX = { memory: "16MiB", pmem: "4MiB" } as const;
const V_ALLOW_UNPINNED: Variant = { name: "vaddr-pin{exclusiveLeaseWithoutPins: allow}", policy: "vaddr-pin", options: { exclusiveLeaseWithoutPins: "allow" } };
const V_BLOCK_RELEASE: Variant = { name: "vaddr-pin{leaseRelease: block}", policy: "vaddr-pin", options: { leaseRelease: "block" } };

/** The holder maps the DAX file, faults it in and takes `lease` on it. */
function leased(l: Lab, lease: "exclusive" | "layout") {
  const holder = l.spawn("holder");
  const file = l.k.createFile("pm", "fsdax", 8 * PAGE_SIZE);
  const a = l.map(holder, 8, { shared: true, file });
  l.touch(holder, a, 8, true);
  const leaseRet = l.policy.setLease(file, holder.pid, lease);
  l.check();
  return { holder, file, a, leaseRet };
}

/** Short-term pins (a direct-IO read into the mapping): allowed under every policy, no lease needed. */
function dioPin(l: Lab, p: ReturnType<typeof leased>["holder"], a: number, n: number): number[] {
  const pages: number[] = [];
  if (l.gup.pinUserPages(p, a, n, FOLL_WRITE, pages) !== n) throw new Error("DIO pin failed");
  l.check();
  return pages;
}

type TruncateOutcome = { lease: number; truncate: number; punch: number };

rowTable<TruncateOutcome>([
  {
    row: 13,
    title: "another process truncates / punches a hole in an FS-DAX file while the holder's exclusive lease and pins exist",
    machine: DAX,
    expect: {
      // No lease in these kernels; dax_layout_busy_page() waits for the pinned pages (EBUSY).
      "legacy-get": { lease: EINVAL, truncate: -EBUSY, punch: -EBUSY },
      "pin-bias": { lease: EINVAL, truncate: -EBUSY, punch: -EBUSY },
      // The exclusive lease cannot be broken: ETXTBSY at once, before waiting on the pages.
      "vaddr-pin": { lease: 0, truncate: -ETXTBSY, punch: -ETXTBSY },
      "exact-pincount": { lease: EINVAL, truncate: -EBUSY, punch: -EBUSY },
    },
    run(l) {
      const { holder, file, a, leaseRet } = leased(l, "exclusive");
      const pages = dioPin(l, holder, a, 4);
      const other = l.spawn("other");
      const truncate = doTruncate(l.k, file, 0, other.pid);
      l.check();
      const punch = doPunchHole(l.k, file, 0, 4 * PAGE_SIZE, other.pid);
      l.check();
      l.gup.unpinUserPages(pages, 4);
      return { lease: leaseRet, truncate, punch };
    },
  },
  {
    row: "14a",
    title: "the lease holder truncates its own pinned FS-DAX file",
    machine: DAX,
    expect: {
      "legacy-get": { lease: EINVAL, truncate: -EBUSY, punch: -EBUSY },
      "pin-bias": { lease: EINVAL, truncate: -EBUSY, punch: -EBUSY },
      // __break_lease() flags the self-conflict as a likely application bug.
      "vaddr-pin": { lease: 0, truncate: -EDEADLOCK, punch: -EDEADLOCK },
      "exact-pincount": { lease: EINVAL, truncate: -EBUSY, punch: -EBUSY },
    },
    run(l) {
      const { holder, file, a, leaseRet } = leased(l, "exclusive");
      const pages = dioPin(l, holder, a, 2);
      const truncate = doTruncate(l.k, file, 0, holder.pid);
      const punch = doPunchHole(l.k, file, 0, PAGE_SIZE, holder.pid);
      l.check();
      l.gup.unpinUserPages(pages, 2);
      return { lease: leaseRet, truncate, punch };
    },
  },
  {
    row: "14b",
    title: "the lease holder truncates its own FS-DAX file, nothing pinned",
    machine: DAX,
    expect: {
      "legacy-get": { lease: EINVAL, truncate: 0, punch: 0 },
      "pin-bias": { lease: EINVAL, truncate: 0, punch: 0 },
      // The exclusive lease conflicts whether or not anything is pinned.
      "vaddr-pin": { lease: 0, truncate: -EDEADLOCK, punch: -EDEADLOCK },
      "exact-pincount": { lease: EINVAL, truncate: 0, punch: 0 },
    },
    run(l) {
      const { holder, file, leaseRet } = leased(l, "exclusive");
      const punch = doPunchHole(l.k, file, 0, PAGE_SIZE, holder.pid);
      const truncate = doTruncate(l.k, file, 0, holder.pid);
      return { lease: leaseRet, truncate, punch };
    },
  },
  {
    row: 15,
    title: "another process truncates an FS-DAX file under an exclusive lease, nothing pinned (ambiguous: an option)",
    machine: DAX,
    variants: [...BASE_VARIANTS, V_ALLOW_UNPINNED],
    expect: {
      "legacy-get": { lease: EINVAL, truncate: 0, punch: 0 },
      "pin-bias": { lease: EINVAL, truncate: 0, punch: 0 },
      // The RFC's code: __break_lease() fails any conflicting exclusive lease.
      "vaddr-pin": { lease: 0, truncate: -ETXTBSY, punch: -ETXTBSY },
      // The cover letter's wording: unpinned pages truncate normally.
      "vaddr-pin{exclusiveLeaseWithoutPins: allow}": { lease: 0, truncate: 0, punch: 0 },
      "exact-pincount": { lease: EINVAL, truncate: 0, punch: 0 },
    },
    run(l) {
      const { file, leaseRet } = leased(l, "exclusive");
      const other = l.spawn("other");
      const punch = doPunchHole(l.k, file, 0, PAGE_SIZE, other.pid);
      const truncate = doTruncate(l.k, file, 0, other.pid);
      return { lease: leaseRet, truncate, punch };
    },
  },
]);

rowTable<{ lease: number; truncate: number; broken: number[]; leases: number }>([
  {
    row: "15b",
    title: "truncate breaks a plain (non-exclusive) layout lease",
    machine: DAX,
    expect: {
      "legacy-get": { lease: EINVAL, truncate: 0, broken: [], leases: 0 },
      "pin-bias": { lease: EINVAL, truncate: 0, broken: [], leases: 0 },
      // break_layout(): the lease is removed, one `lease` event with op "broken".
      "vaddr-pin": { lease: 0, truncate: 0, broken: [1], leases: 0 },
      "exact-pincount": { lease: EINVAL, truncate: 0, broken: [], leases: 0 },
    },
    run(l) {
      const { file, leaseRet } = leased(l, "layout");
      const truncate = doTruncate(l.k, file, 0, l.spawn("other").pid);
      const broken = l.leaseEvents.filter((e) => e.op === "broken").map((e) => e.pid);
      return { lease: leaseRet, truncate, broken, leases: file.leases.all.length };
    },
  },
]);

type ReleaseOutcome = { lease: number; pin: number; unlock: number; pinsAfter: FilePinRecord[]; repin: number };

rowTable<ReleaseOutcome>([
  {
    row: 16,
    title: "the holder releases its lease (F_UNLCK) while its long-term pins remain, then pins again",
    machine: DAX,
    variants: [...BASE_VARIANTS, V_BLOCK_RELEASE],
    expect: {
      "legacy-get": { lease: EINVAL, pin: -EOPNOTSUPP, unlock: EINVAL, pinsAfter: [], repin: -EOPNOTSUPP },
      "pin-bias": { lease: EINVAL, pin: -EOPNOTSUPP, unlock: EINVAL, pinsAfter: [], repin: -EOPNOTSUPP },
      // RFC v2: release allowed, the pins persist, new pins of the file fail.
      "vaddr-pin": { lease: 0, pin: 4, unlock: 0, pinsAfter: [{ owner: "file:uverbs0", file: "pm", refs: 4 }], repin: -EPERM },
      // Jan Kara's plan: the release waits for the unpin (EBUSY here); the lease stays, so pinning goes on.
      "vaddr-pin{leaseRelease: block}": { lease: 0, pin: 4, unlock: EBUSY, pinsAfter: [{ owner: "file:uverbs0", file: "pm", refs: 4 }], repin: 4 },
      "exact-pincount": { lease: EINVAL, pin: -EOPNOTSUPP, unlock: EINVAL, pinsAfter: [], repin: -EOPNOTSUPP },
    },
    run(l) {
      const { holder, file, a, leaseRet } = leased(l, "exclusive");
      const owner = { file: "uverbs0" };
      const pages: number[] = [];
      const pin = l.gup.vaddrPinPages(holder, a, 4, FOLL_WRITE, pages, owner);
      l.check();
      const unlock = l.policy.setLease(file, holder.pid, "unlock");
      const pinsAfter = l.policy.filePins(holder.pid);
      const more: number[] = [];
      const repin = l.gup.vaddrPinPages(holder, a + 4 * PAGE_SIZE, 4, FOLL_WRITE, more, owner);
      l.check();
      if (repin > 0) l.gup.vaddrUnpinPages(more, repin, owner, holder.pid);
      if (pin > 0) l.gup.vaddrUnpinPages(pages, pin, owner, holder.pid);
      return { lease: leaseRet, pin, unlock, pinsAfter, repin };
    },
  },
]);

type ProcOutcome = { pinned: number[]; munmap: number; filePins: FilePinRecord[]; refsHeld: boolean; afterUnpin: FilePinRecord[] };

rowTable<ProcOutcome>([
  {
    row: 17,
    title: "the pinning process munmaps while pins remain; /proc/<pid>/file_pins lists file- and mm-owned pins",
    machine: DAX,
    expect: {
      "legacy-get": { pinned: [-EOPNOTSUPP, -EOPNOTSUPP], munmap: 8, filePins: [], refsHeld: false, afterUnpin: [] },
      "pin-bias": { pinned: [-EOPNOTSUPP, -EOPNOTSUPP], munmap: 8, filePins: [], refsHeld: false, afterUnpin: [] },
      // The listing shows owner and pinned file (no memory ranges); the pins outlive the mapping.
      "vaddr-pin": {
        pinned: [3, 2], munmap: 8, refsHeld: true, afterUnpin: [],
        filePins: [{ owner: "file:uverbs0", file: "pm", refs: 3 }, { owner: "mm:1", file: "pm", refs: 2 }],
      },
      "exact-pincount": { pinned: [-EOPNOTSUPP, -EOPNOTSUPP], munmap: 8, filePins: [], refsHeld: false, afterUnpin: [] },
    },
    run(l) {
      const { holder, a } = leased(l, "exclusive");
      const byFile: number[] = [];
      const byMm: number[] = [];
      const pinned = [
        l.gup.vaddrPinPages(holder, a, 3, FOLL_WRITE, byFile, { file: "uverbs0" }),
        l.gup.vaddrPinPages(holder, a + 4 * PAGE_SIZE, 2, FOLL_WRITE, byMm, { pid: holder.pid }),
      ];
      l.check();
      const munmap = doMunmap(l.k, holder, a, 8 * PAGE_SIZE);
      l.check();
      const filePins = l.policy.filePins(holder.pid);
      const refsHeld = pinned[0] > 0 && byFile.every((pfn) => l.policy.maybeDmaPinned(pfn));
      if (pinned[0] > 0) l.gup.vaddrUnpinPages(byFile, pinned[0], { file: "uverbs0" }, holder.pid);
      if (pinned[1] > 0) l.gup.vaddrUnpinPagesDirtyLock(byMm, pinned[1], { pid: holder.pid }, holder.pid, true);
      l.check();
      return { pinned, munmap, filePins, refsHeld, afterUnpin: l.policy.filePins(holder.pid) };
    },
  },
]);

