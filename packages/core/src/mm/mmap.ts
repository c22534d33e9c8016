/**
 * Creating, removing and changing mappings: `do_mmap`, `do_munmap`, `mprotect_fixup`,
 * `madvise` (mm/mmap.c, mm/vma.c, mm/mprotect.c, mm/madvise.c).
 * @module
 */
import { EEXIST, EINVAL, ENOENT, ENOMEM, EPERM } from "../errno.js";
import type { Inode } from "../fs/inode.js";
import type { Kernel } from "../kernel/kernel.js";
import { Gfp } from "../memory/physical-memory.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_RESERVED } from "../memory/page-flags.js";
import { HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { FAULT_FLAG_WRITE, handleMmFault, splitHugePmdAddress, type FaultStats } from "./fault.js";
import { MMAP_MIN_ADDR, TASK_SIZE, type MmStruct } from "./mm-struct.js";
import { PTE_DIRTY, PTE_SPECIAL, PTE_WRITE, PTE_YOUNG } from "./page-table.js";
import type { Process } from "./process.js";
import { zapRange } from "./pte-ops.js";
import {
  VM_DONTCOPY, VM_EXEC, VM_HUGEPAGE, VM_HUGETLB, VM_IO, VM_LOCKED, VM_MAYWRITE, VM_PFNMAP, VM_READ, VM_SHARED, VM_WRITE, Vma,
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

/** The live mm of `proc`, or null once it exited (operations on it then fail with ENOENT). */
function liveMm(proc: Process): MmStruct | null {
  return proc.alive && proc.mm !== null && proc.mm.live ? proc.mm : null;
}

/** `do_mmap`: create a mapping. Returns its start address or `-errno`. */
export function doMmap(k: Kernel, proc: Process, req: MmapRequest): number {
  const mm = liveMm(proc);
  if (mm === null) return -ENOENT;
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
    if (!Number.isSafeInteger(req.addr) || req.addr % align !== 0 || req.addr < 0 || req.addr + length > TASK_SIZE) return -EINVAL;
    // security_mmap_addr() -> cap_mmap_addr(): no mapping below mmap_min_addr without CAP_SYS_RAWIO.
    if (req.addr < MMAP_MIN_ADDR) return -EPERM;
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
  // mmap_region() -> vma_merge_new_range(): a new mapping that continues a neighbour with the
  // same flags (and file offsets) extends it instead of becoming a VMA of its own.
  mergeRange(k, mm, start, start + length);
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
    // __mm_populate: write-fault private writable mappings so COW happens now. do_mmap's caller
    // ignores populate errors (mm_populate(), ignore_errors = 1): the mapping stays and the
    // pages before the failing one stay populated.
    const write = (flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
    const merged = mm.findVma(start)!;
    faultInRange(k, proc, merged, start / PAGE_SIZE, (start + length) / PAGE_SIZE, write ? FAULT_FLAG_WRITE : 0, "populate");
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
 * Fault every page of [startVpn, endVpn) in `vma` (`populate_vma_page_range`, and `touch`).
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

/**
 * Split `vma` at `addr` (`split_vma`); returns the upper half. A THP PMD-mapped across `addr` is
 * remapped by PTEs first (`vma_adjust_trans_huge`). hugetlb VMAs split only on 2 MiB boundaries:
 * callers check {@link hugetlbSplitOk} first.
 */
export function splitVma(k: Kernel, vma: Vma, addr: number): Vma {
  splitHugePmdAddress(k, vma, addr);
  const upper = new Vma(vma.mm, addr, vma.end, vma.flags, vma.file, vma.pgoff + (addr - vma.start) / PAGE_SIZE, vma.anonymousMapping);
  upper.anonVma = vma.anonVma;
  vma.end = addr;
  vma.mm.insertVma(upper);
  k.linkVma(upper);
  return upper;
}

/** `hugetlb_vm_op_split()`: may `vma` be split at `addr`? (hugetlb VMAs only at huge page boundaries.) */
export function hugetlbSplitOk(vma: Vma, addr: number): boolean {
  return (vma.flags & VM_HUGETLB) === 0 || addr <= vma.start || addr >= vma.end || addr % HPAGE_PMD_SIZE === 0;
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

/**
 * `vma_modify_flags()`: give the part [start, end) of `vma` the flags `flags`, splitting it
 * (`split_vma`) as needed. Nothing changes when the flags are already right (`mprotect_fixup` and
 * `madvise_update_vma` return early). Returns the VMA now covering [start, end), or `-EINVAL`
 * when a hugetlb VMA would be split off a huge page boundary.
 */
function vmaModifyFlags(k: Kernel, vma: Vma, start: number, end: number, flags: number): Vma | number {
  if (flags === vma.flags) return vma;
  if (!hugetlbSplitOk(vma, start) || !hugetlbSplitOk(vma, end)) return -EINVAL;
  let v = vma;
  if (start > v.start) v = splitVma(k, v, start);
  if (end < v.end) splitVma(k, v, end);
  v.flags = flags;
  return v;
}

/**
 * Can `next` be merged into `prev` (`can_vma_merge_after` / `can_vma_merge_before`)? They must
 * touch, have the same flags and file, contiguous file offsets, compatible anon_vmas
 * (`is_mergeable_anon_vma`), and not be VM_SPECIAL (VM_IO | VM_PFNMAP).
 */
function canMerge(prev: Vma, next: Vma): boolean {
  if (prev.end !== next.start || prev.flags !== next.flags || prev.file !== next.file) return false;
  if (prev.anonymousMapping !== next.anonymousMapping || (prev.flags & (VM_IO | VM_PFNMAP)) !== 0) return false;
  if (prev.file !== null && prev.pgoff + prev.pages !== next.pgoff) return false;
  return prev.anonVma === null || next.anonVma === null || prev.anonVma === next.anonVma;
}

/**
 * After a flags change over [start, end), merge the VMAs there with each other and with the
 * neighbours just outside (`vma_merge_existing_range`, mm/vma.c), as mprotect and madvise do.
 */
function mergeRange(k: Kernel, mm: MmStruct, start: number, end: number): void {
  const cands = mm.vmasIn(Math.max(0, start - 1), end + 1);
  let prev = cands[0];
  for (let i = 1; i < cands.length; i++) {
    const next = cands[i];
    if (prev === undefined || !canMerge(prev, next)) {
      prev = next;
      continue;
    }
    prev.end = next.end;
    if (prev.anonVma === null && next.anonVma !== null) {
      prev.anonVma = next.anonVma;
      k.linkVma(prev);
    }
    k.unlinkVma(next);
    mm.removeVma(next);
  }
}

/** True when [start, end) of `mm` has an unmapped hole. */
function hasHole(mm: MmStruct, start: number, end: number): boolean {
  let at = start;
  for (const v of mm.vmasIn(start, end)) {
    if (v.start > at) return true;
    at = v.end;
  }
  return at < end;
}

function checkRange(addr: number, length: number): number {
  if (!Number.isSafeInteger(addr) || addr % PAGE_SIZE !== 0 || addr < 0) return -EINVAL;
  if (!Number.isSafeInteger(length) || length <= 0) return -EINVAL;
  if (addr + pageAlign(length) > TASK_SIZE) return -EINVAL;
  return 0;
}

/** `do_munmap`: remove [addr, addr + length). Returns pages unmapped or `-errno`. */
export function doMunmap(k: Kernel, proc: Process, addr: number, length: number): number {
  const mm = liveMm(proc);
  if (mm === null) return -ENOENT;
  const bad = checkRange(addr, length);
  if (bad < 0) return bad;
  const end = addr + pageAlign(length);
  for (const v of mm.vmasIn(addr, end)) {
    if (!hugetlbSplitOk(v, addr) || !hugetlbSplitOk(v, end)) return -EINVAL;
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

/** `mprotect`: change protection of [addr, addr + length). Returns 0 or `-errno`. */
export function doMprotect(k: Kernel, proc: Process, addr: number, length: number, prot: number): number {
  const mm = liveMm(proc);
  if (mm === null) return -ENOENT;
  const bad = checkRange(addr, length);
  if (bad < 0) return bad;
  if ((prot & ~PROT_MASK) !== 0) return -EINVAL;
  const end = addr + pageAlign(length);
  // do_mprotect_pkey(): the range must be mapped. A hole at the start changes nothing; VMAs
  // before a later hole are changed, then the call fails with ENOMEM all the same.
  const first = mm.vmasIn(addr, end)[0];
  if (first === undefined || first.start > addr) return -ENOMEM;
  let writeProtected = 0;
  let err = 0;
  let at = first.start;
  for (const old of mm.vmasIn(addr, end)) {
    if (old.start !== at) {
      err = -ENOMEM;
      break;
    }
    at = old.end;
    // mprotect_fixup(): split off the part in range; nothing to do when the flags do not change.
    const newFlags = (old.flags & ~PROT_MASK) | prot;
    // mprotect_fixup(): nothing to change, nothing to tell (no split, no PTE change, no notifier).
    if (newFlags === old.flags) continue;
    const r = vmaModifyFlags(k, old, Math.max(addr, old.start), Math.min(end, old.end), newFlags);
    if (typeof r === "number") {
      err = r;
      break;
    }
    const vma = r;
    k.notifiers.invalidateRange(mm, vma.start, vma.end, "protection_vma");
    const pt = mm.pageTable;
    // Shared mappings without write-notify (shmem, hugetlbfs) get writable PTEs from vm_page_prot
    // directly; the others upgrade PTE by PTE (`vma_wants_manual_pte_write_upgrade`).
    const writenotify = vma.isShared && vma.file !== null && vma.file.fs.dirtyTracking;
    pt.forEachPresent(vma.startVpn, vma.endVpn, (vpn, pfn, bits) => {
      if ((prot & VM_WRITE) === 0) {
        if ((bits & PTE_WRITE) !== 0) {
          pt.update(vpn, PTE_WRITE, 0);
          writeProtected++;
        }
        return;
      }
      if ((bits & PTE_WRITE) !== 0 || (bits & PTE_SPECIAL) !== 0) return;
      // can_change_pte_writable() (mm/mprotect.c): never make a non-exclusive anon page (or a
      // private file page) writable; a write-notify shared mapping only when the PTE is already
      // dirty (the filesystem was told of the write).
      if (vma.isShared) {
        if (!writenotify || (bits & PTE_DIRTY) !== 0) pt.update(vpn, 0, PTE_WRITE);
      } else if ((k.frames.flags[pfn] & (PG_ANON | PG_ANON_EXCLUSIVE)) === (PG_ANON | PG_ANON_EXCLUSIVE)) {
        pt.update(vpn, 0, PTE_WRITE);
      }
    });
  }
  mergeRange(k, mm, addr, end);
  if (err === 0 && at < end) err = -ENOMEM;
  if (err < 0) return err;
  k.events.emit("mprotect", { pid: proc.pid, start: addr, end, prot: protString(prot), writeProtected });
  return 0;
}

/** madvise advice pinlab models. */
export type MadviseAdvice = "dontneed" | "dontfork" | "dofork" | "hugepage" | "nohugepage";

/**
 * `madvise`. Returns pages affected or `-errno`. Like `madvise_walk_vmas()`, advice is applied to
 * the mapped parts of a range with holes and the call then fails with ENOMEM.
 */
export function doMadvise(k: Kernel, proc: Process, addr: number, length: number, advice: MadviseAdvice): number {
  const mm = liveMm(proc);
  if (mm === null) return -ENOENT;
  const bad = checkRange(addr, length);
  if (bad < 0) return bad;
  if (!["dontneed", "dontfork", "dofork", "hugepage", "nohugepage"].includes(advice)) return -EINVAL;
  const end = addr + pageAlign(length);
  if (mm.vmasIn(addr, end).length === 0) return -ENOMEM;
  let pages = 0;
  let err = 0;
  for (const vma of mm.vmasIn(addr, end)) {
    const s = Math.max(addr, vma.start);
    let e = Math.min(end, vma.end);
    if (advice === "dontneed") {
      // madvise_dontneed_free_valid_vma(): no VM_PFNMAP (or VM_LOCKED); hugetlb only from a huge
      // page aligned start, the end rounded down to whole huge pages.
      if ((vma.flags & (VM_PFNMAP | VM_LOCKED)) !== 0) {
        err = -EINVAL;
        break;
      }
      if ((vma.flags & VM_HUGETLB) !== 0) {
        if (s % HPAGE_PMD_SIZE !== 0) {
          err = -EINVAL;
          break;
        }
        e = Math.floor(e / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
        if (e <= s) continue;
      }
      k.notifiers.invalidateRange(mm, s, e, "clear");
      // zap_pmd_range(): a PMD mapping only partly inside the range is split first.
      splitHugePmdAddress(k, vma, s);
      splitHugePmdAddress(k, vma, e);
      pages += zapRange(k, vma, s / PAGE_SIZE, e / PAGE_SIZE);
      continue;
    }
    // madvise_vma_behavior(): MADV_DOFORK is refused on VM_IO (its pages must never be shared
    // with a child); MADV_(NO)HUGEPAGE leaves VM_HUGETLB and VM_SPECIAL VMAs alone
    // (hugepage_madvise(), VM_NO_KHUGEPAGED).
    let flags = vma.flags;
    if (advice === "dontfork") flags |= VM_DONTCOPY;
    else if (advice === "dofork") {
      if ((vma.flags & VM_IO) !== 0) {
        err = -EINVAL;
        break;
      }
      flags &= ~VM_DONTCOPY;
    } else if ((vma.flags & (VM_HUGETLB | VM_IO | VM_PFNMAP)) === 0) {
      flags = advice === "hugepage" ? flags | VM_HUGEPAGE : flags & ~VM_HUGEPAGE;
    }
    const r = vmaModifyFlags(k, vma, s, e, flags);
    if (typeof r === "number") {
      err = r;
      break;
    }
    pages += (e - s) / PAGE_SIZE;
  }
  if (advice !== "dontneed") mergeRange(k, mm, addr, end);
  if (err < 0) return err;
  k.events.emit("madvise", { pid: proc.pid, start: addr, end, advice, pages });
  return hasHole(mm, addr, end) ? -ENOMEM : pages;
}
