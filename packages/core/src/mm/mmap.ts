/**
 * Creating, removing and changing mappings: `do_mmap`, `do_munmap`, `mprotect_fixup`,
 * `madvise` (mm/mmap.c, mm/vma.c, mm/mprotect.c, mm/madvise.c).
 * @module
 */
import { EEXIST, EINVAL, ENOMEM } from "../errno.js";
import type { Inode } from "../fs/inode.js";
import type { Kernel } from "../kernel/kernel.js";
import { Gfp } from "../memory/physical-memory.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_RESERVED } from "../memory/page-flags.js";
import { HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { FAULT_FLAG_WRITE, handleMmFault, type FaultStats } from "./fault.js";
import { TASK_SIZE, type MmStruct } from "./mm-struct.js";
import { PTE_DIRTY, PTE_SPECIAL, PTE_WRITE, PTE_YOUNG } from "./page-table.js";
import type { Process } from "./process.js";
import { zapRange } from "./pte-ops.js";
import {
  VM_DONTCOPY, VM_EXEC, VM_HUGEPAGE, VM_HUGETLB, VM_IO, VM_MAYWRITE, VM_PFNMAP, VM_READ, VM_SHARED, VM_WRITE, Vma,
  protString, vmFlagNames,
} from "./vma.js";

/** An mmap request. */
export interface MmapRequest {
  /** Length in bytes (rounded up to pages, or to 2 MiB for hugetlb). */
  readonly length: number;
  /** Protection bits: VM_READ | VM_WRITE | VM_EXEC. */
  readonly prot: number;
  /** MAP_SHARED (else MAP_PRIVATE). */
  readonly shared: boolean;
  /** MAP_ANONYMOUS. */
  readonly anonymous: boolean;
  /** The file, for file mappings. */
  readonly file?: Inode;
  /** Byte offset in the file (page aligned). */
  readonly offset?: number;
  /** MAP_POPULATE. */
  readonly populate?: boolean;
  /** MAP_HUGETLB (anonymous only). */
  readonly hugetlb?: boolean;
  /** Set VM_DONTCOPY at once (as MADV_DONTFORK would). */
  readonly dontcopy?: boolean;
  /** Map raw device memory: VM_IO | VM_PFNMAP (`remap_pfn_range`). Model extension. */
  readonly pfnmap?: boolean;
  /** MAP_FIXED_NOREPLACE at this address (page aligned). */
  readonly addr?: number;
}

const PROT_MASK = VM_READ | VM_WRITE | VM_EXEC;

function pageAlign(n: number, a = PAGE_SIZE): number {
  return Math.ceil(n / a) * a;
}

/** `do_mmap` (mm/mmap.c, v6.12): create a mapping. Returns its start address or `-errno`. */
export function doMmap(k: Kernel, proc: Process, req: MmapRequest): number {
  const mm = proc.mm;
  if (mm === null) return -EINVAL;
  const hugetlb = req.hugetlb === true || req.file?.fs.huge === true;
  const align = hugetlb ? HPAGE_PMD_SIZE : PAGE_SIZE;
  if (!Number.isSafeInteger(req.length) || req.length <= 0) return -EINVAL;
  const length = pageAlign(req.length, align);
  if (length > TASK_SIZE) return -ENOMEM;
  const offset = req.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset % align !== 0) return -EINVAL;
  if ((req.prot & ~PROT_MASK) !== 0) return -EINVAL;
  if (req.anonymous && req.file !== undefined) return -EINVAL;
  if (!req.anonymous && req.file === undefined && req.pfnmap !== true) return -EINVAL;
  if (req.hugetlb === true && !req.anonymous) return -EINVAL;
  let start: number;
  if (req.addr !== undefined) {
    if (req.addr % align !== 0 || req.addr < 0 || req.addr + length > TASK_SIZE) return -EINVAL;
    if (!mm.isFree(req.addr, req.addr + length)) return -EEXIST;
    start = req.addr;
  } else {
    start = mm.getUnmappedArea(length, align);
    if (start < 0) return -ENOMEM;
  }
  let file = req.file ?? null;
  let pgoff = offset / PAGE_SIZE;
  // A shared anonymous mapping is backed by an internal shmem file (shmem_zero_setup); an
  // anonymous hugetlb mapping by an internal hugetlbfs file (hugetlb_file_setup).
  if (req.anonymous && (req.shared || hugetlb)) {
    file = k.createFile(`[anon:${k.newId()}]`, hugetlb ? "hugetlbfs" : "shmem", length, { internal: true });
    pgoff = 0;
  }
  let flags = req.prot | VM_MAYWRITE;
  if (req.shared) flags |= VM_SHARED;
  if (hugetlb) flags |= VM_HUGETLB;
  if (req.dontcopy === true) flags |= VM_DONTCOPY;
  if (req.pfnmap === true) flags |= VM_IO | VM_PFNMAP;
  const vma = new Vma(mm, start, start + length, flags, file, pgoff, req.anonymous);
  mm.insertVma(vma);
  k.linkVma(vma);
  k.events.emit("mmap", {
    pid: proc.pid, start, end: start + length, prot: protString(flags), flags: vmFlagNames(flags & ~PROT_MASK),
    ...(file !== null && !file.internal ? { file: file.name, pgoff } : {}),
  });
  if (req.pfnmap === true) {
    const r = populatePfnmap(k, vma);
    if (r < 0) {
      doMunmap(k, proc, start, length);
      return r;
    }
  }
  if (req.populate === true) {
    // __mm_populate: write-fault private writable mappings so COW happens now.
    const write = (flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
    const r = faultInRange(k, proc, vma, vma.startVpn, vma.endVpn, write ? FAULT_FLAG_WRITE : 0, "populate");
    if (r < 0) return r;
  }
  return start;
}

/** Map fresh reserved device frames behind a VM_PFNMAP VMA (`remap_pfn_range`). They stay allocated. */
function populatePfnmap(k: Kernel, vma: Vma): number {
  const w = (vma.flags & VM_WRITE) !== 0 ? PTE_WRITE : 0;
  for (let vpn = vma.startVpn; vpn < vma.endVpn; vpn++) {
    const pfn = k.memory.allocFolio(0, Gfp.PINNABLE);
    if (pfn < 0) return -ENOMEM;
    k.frames.flags[pfn] |= PG_RESERVED;
    vma.mm.pageTable.set(vpn, pfn, PTE_SPECIAL | w | PTE_YOUNG);
  }
  return 0;
}

/**
 * Fault every page of [startVpn, endVpn) in `vma` (`populate_vma_page_range`, mm/gup.c, v6.12; and the `touch` op).
 * Emits one `fault` event. Returns pages faulted or resolved, or `-errno` at the first failure.
 */
export function faultInRange(k: Kernel, proc: Process, vma: Vma, startVpn: number, endVpn: number, fflags: number, source: string): number {
  const stats: FaultStats = {};
  let n = 0;
  let err = 0;
  for (let vpn = startVpn; vpn < endVpn; vpn++) {
    const r = handleMmFault(k, vma, vpn, fflags, stats);
    if (r < 0) {
      err = r;
      break;
    }
    n++;
  }
  k.events.emit("fault", {
    pid: proc.pid, start: startVpn * PAGE_SIZE, pages: n, write: (fflags & FAULT_FLAG_WRITE) !== 0, source, counts: stats,
    ...(err < 0 ? { errno: String(-err) } : {}),
  });
  return err < 0 ? err : n;
}

/** Split `vma` at `addr` (`split_vma`, v6.12); returns the upper half. */
export function splitVma(k: Kernel, vma: Vma, addr: number): Vma {
  const upper = new Vma(vma.mm, addr, vma.end, vma.flags, vma.file, vma.pgoff + (addr - vma.start) / PAGE_SIZE, vma.anonymousMapping);
  upper.anonVma = vma.anonVma;
  vma.end = addr;
  vma.mm.insertVma(upper);
  k.linkVma(upper);
  return upper;
}

/** Split VMAs so that `start` and `end` fall on VMA boundaries; return the VMAs inside [start, end). */
function isolateRange(k: Kernel, mm: MmStruct, start: number, end: number): Vma[] {
  for (const v of mm.vmasIn(start, end)) {
    if (v.start < start) splitVma(k, v, start);
  }
  for (const v of mm.vmasIn(start, end)) {
    if (v.end > end) splitVma(k, v, end);
  }
  return mm.vmasIn(start, end);
}

function checkRange(addr: number, length: number): number {
  if (!Number.isSafeInteger(addr) || addr % PAGE_SIZE !== 0 || addr < 0) return -EINVAL;
  if (!Number.isSafeInteger(length) || length <= 0) return -EINVAL;
  if (addr + pageAlign(length) > TASK_SIZE) return -EINVAL;
  return 0;
}

/** `do_munmap` (mm/mmap.c, v6.12): remove [addr, addr + length). Returns pages unmapped or `-errno`. */
export function doMunmap(k: Kernel, proc: Process, addr: number, length: number): number {
  const mm = proc.mm;
  if (mm === null) return -EINVAL;
  const bad = checkRange(addr, length);
  if (bad < 0) return bad;
  const end = addr + pageAlign(length);
  for (const v of mm.vmasIn(addr, end)) {
    if ((v.flags & VM_HUGETLB) !== 0 && (addr % HPAGE_PMD_SIZE !== 0 || end % HPAGE_PMD_SIZE !== 0)) return -EINVAL;
  }
  let pages = 0;
  for (const vma of isolateRange(k, mm, addr, end)) {
    k.notifiers.invalidateRange(mm, vma.start, vma.end, "unmap");
    pages += zapRange(k, vma, vma.startVpn, vma.endVpn);
    k.unlinkVma(vma);
    mm.removeVma(vma);
  }
  k.events.emit("munmap", { pid: proc.pid, start: addr, end, pages });
  return pages;
}

/** `mprotect` (`do_mprotect_pkey` + `mprotect_fixup`, mm/mprotect.c, v6.12): change protection of [addr, addr + length). Returns 0 or `-errno`. */
export function doMprotect(k: Kernel, proc: Process, addr: number, length: number, prot: number): number {
  const mm = proc.mm;
  if (mm === null) return -EINVAL;
  const bad = checkRange(addr, length);
  if (bad < 0) return bad;
  if ((prot & ~PROT_MASK) !== 0) return -EINVAL;
  const end = addr + pageAlign(length);
  // The whole range must be mapped (ENOMEM otherwise), as mprotect(2) requires.
  let at = addr;
  for (const v of mm.vmasIn(addr, end)) {
    if (v.start > at) return -ENOMEM;
    at = v.end;
  }
  if (at < end) return -ENOMEM;
  let writeProtected = 0;
  for (const vma of isolateRange(k, mm, addr, end)) {
    const old = vma.flags;
    vma.flags = (old & ~PROT_MASK) | prot;
    k.notifiers.invalidateRange(mm, vma.start, vma.end, "protection_vma");
    const pt = mm.pageTable;
    pt.forEachPresent(vma.startVpn, vma.endVpn, (vpn, pfn, bits) => {
      if ((prot & VM_WRITE) === 0) {
        if ((bits & PTE_WRITE) !== 0) {
          pt.update(vpn, PTE_WRITE, 0);
          writeProtected++;
        }
        return;
      }
      if ((bits & PTE_WRITE) !== 0 || (bits & PTE_SPECIAL) !== 0) return;
      // can_change_pte_writable(): never make a non-exclusive anon page writable; shared
      // mappings only when the PTE is already dirty (no write-notify needed).
      if (vma.isShared) {
        if ((bits & PTE_DIRTY) !== 0) pt.update(vpn, 0, PTE_WRITE);
      } else if ((k.frames.flags[pfn] & (PG_ANON | PG_ANON_EXCLUSIVE)) === (PG_ANON | PG_ANON_EXCLUSIVE)) {
        pt.update(vpn, 0, PTE_WRITE);
      }
    });
  }
  k.events.emit("mprotect", { pid: proc.pid, start: addr, end, prot: protString(prot), writeProtected });
  return 0;
}

/** madvise advice pinlab models. */
export type MadviseAdvice = "dontneed" | "dontfork" | "dofork" | "hugepage" | "nohugepage";

/** `madvise` (`do_madvise`, mm/madvise.c, v6.12) for MADV_DONTNEED, MADV_DONTFORK / DOFORK, MADV_HUGEPAGE / NOHUGEPAGE. Returns pages affected or `-errno`. */
export function doMadvise(k: Kernel, proc: Process, addr: number, length: number, advice: MadviseAdvice): number {
  const mm = proc.mm;
  if (mm === null) return -EINVAL;
  const bad = checkRange(addr, length);
  if (bad < 0) return bad;
  const end = addr + pageAlign(length);
  if (mm.vmasIn(addr, end).length === 0) return -ENOMEM;
  let pages = 0;
  switch (advice) {
    case "dontneed":
      for (const vma of mm.vmasIn(addr, end)) {
        if ((vma.flags & (VM_PFNMAP | VM_HUGETLB)) !== 0) return -EINVAL;
        const s = Math.max(addr, vma.start);
        const e = Math.min(end, vma.end);
        k.notifiers.invalidateRange(mm, s, e, "clear");
        pages += zapRange(k, vma, s / PAGE_SIZE, e / PAGE_SIZE);
      }
      break;
    case "dontfork":
    case "dofork":
    case "hugepage":
    case "nohugepage": {
      const [set, clear] =
        advice === "dontfork" ? [VM_DONTCOPY, 0] : advice === "dofork" ? [0, VM_DONTCOPY] : advice === "hugepage" ? [VM_HUGEPAGE, 0] : [0, VM_HUGEPAGE];
      for (const vma of isolateRange(k, mm, addr, end)) {
        if (advice === "dontfork" && (vma.flags & VM_IO) !== 0) return -EINVAL;
        vma.flags = (vma.flags | set) & ~clear;
        pages += vma.pages;
      }
      break;
    }
    default:
      return -EINVAL;
  }
  k.events.emit("madvise", { pid: proc.pid, start: addr, end, advice, pages });
  return pages;
}

