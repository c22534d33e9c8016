/**
 * Creating and removing mappings: `do_mmap()` and `do_munmap()` (mm/mmap.c, mm/vma.c, v6.12).
 * Changing them is mprotect.ts's and madvise.ts's; splitting and merging VMAs is vma-modify.ts's.
 * @module
 */
import { EEXIST, EINVAL, ENOENT, ENOMEM } from "../errno.js";
import type { MmContext } from "./context.js";
import { Gfp } from "../memory/physical-memory.js";
import { PG_RESERVED } from "../memory/page-flags.js";
import { HPAGE_PMD_SIZE, HPAGE_PUD_ORDER, HPAGE_PUD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { FAULT_FLAG_WRITE, type FaultStats } from "./fault-flags.js";
import { handleMmFault } from "./fault.js";
import { getUnmappedArea, type MmapPlacement } from "./get-unmapped-area.js";
import { hugetlbReservePages, hugetlbVmOpClose, pagesPerHugePage } from "./hugetlb-hstate.js";
import { type MappedFile, TASK_SIZE, type MmStruct, Vma } from "./mm-types.js";
import { VM_DONTCOPY, VM_HUGETLB, VM_IO, VM_MAYWRITE, VM_PFNMAP, VM_SHARED, VM_WRITE, protString, vmFlagNames } from "./vm-flags.js";
import { checkUserRange, liveMm, pageAlign, PROT_MASK } from "./mm-args.js";
import { PTE_SPECIAL, PTE_WRITE, PTE_YOUNG } from "./page-table.js";
import type { Process } from "./process.js";
import { zapRange } from "./pte-ops.js";
import { hugetlbSplitOk, isolateRange, vmaMergeExistingRange } from "./vma-modify.js";

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
  readonly file?: MappedFile;
  /** Byte offset in the file (page aligned). */
  readonly offset?: number;
  /** MAP_POPULATE. */
  readonly populate?: boolean;
  /** MAP_HUGETLB (anonymous only). */
  readonly hugetlb?: boolean;
  /** (2.0) The MAP_HUGE_* page size of a MAP_HUGETLB mapping in bytes: 2 MiB (the default hstate) or 1 GiB (MAP_HUGE_1GB). */
  readonly hugetlbSize?: number;
  /** Set VM_DONTCOPY at once (as MADV_DONTFORK would). */
  readonly dontcopy?: boolean;
  /** Map raw device memory: VM_IO | VM_PFNMAP (`remap_pfn_range`). Model extension. */
  readonly pfnmap?: boolean;
  /** The address asked for: MAP_FIXED_NOREPLACE there unless `placement` says otherwise. */
  readonly addr?: number;
  /** How `addr` is taken (default `noreplace`): MAP_FIXED, MAP_FIXED_NOREPLACE or a hint. */
  readonly placement?: MmapPlacement;
  /** (model) A power-of-two alignment for an address the kernel chooses (`UnmappedAreaRequest.align`). */
  readonly align?: number;
}

/**
 * The granule of a mapping: the huge page size for hugetlb (MAP_HUGETLB: 2 MiB, or 1 GiB with
 * MAP_HUGE_1GB; a hugetlbfs file: 2 MiB), else a page. Its length is rounded up to it
 * (`ksys_mmap_pgoff()`: `len = ALIGN(len, huge_page_size(hs))`, mm/mmap.c, v6.12).
 */
export function mmapGranule(req: Pick<MmapRequest, "hugetlb" | "hugetlbSize" | "file">): number {
  if (req.hugetlb === true) return req.hugetlbSize ?? HPAGE_PMD_SIZE;
  return req.file?.fs.huge === true ? HPAGE_PMD_SIZE : PAGE_SIZE;
}

/**
 * How `__get_unmapped_area()` (mm/mmap.c, v6.12) would THP-align a mapping of `file` (null:
 * anonymous memory; `sharedAnon`: shared anonymous, about to get its shmem file) at byte `offset`,
 * if at all (`UnmappedAreaRequest.thp`); for mmap and mremap's moves alike.
 */
export function thpPlacement(hugetlb: boolean, file: MappedFile | null, offset: number, sharedAnon = false): { thp?: { kind: "anon" | "file"; offset: number } } {
  if (hugetlb) return {};
  if (file === null) return sharedAnon ? {} : { thp: { kind: "anon", offset: 0 } };
  // ext4 (and FS-DAX ext4) set ->get_unmapped_area = thp_get_unmapped_area; shmem and hugetlbfs place their own way.
  return file.fs.huge || file.fs.swapBacked ? {} : { thp: { kind: "file", offset } };
}

/**
 * `do_mmap()` (mm/mmap.c, v6.12): create a mapping. Returns its start address or `-errno`. The
 * address comes from {@link getUnmappedArea}; MAP_FIXED_NOREPLACE over a mapped range is -EEXIST;
 * MAP_FIXED over one unmaps it first, as munmap would (`__mmap_region()`, mm/mmap.c: the VMAs
 * there are gathered and split by `vms_gather_munmap_vmas()`, their PTEs cleared by
 * `vms_clean_up_area()` before the new VMA goes in; pinned pages stay pinned, no longer mapped).
 */
export function doMmap(k: MmContext, proc: Process, req: MmapRequest): number {
  const mm = liveMm(proc);
  if (mm === null) return -ENOENT;
  const align = mmapGranule(req);
  const hugetlb = align >= HPAGE_PMD_SIZE;
  // hstate_sizelog(): a size with no hstate is -EINVAL (x86-64 has 2 MiB and 1 GiB).
  if (req.hugetlbSize !== undefined && (req.hugetlb !== true || (align !== HPAGE_PMD_SIZE && align !== HPAGE_PUD_SIZE))) return -EINVAL;
  // (model) 1 GiB pages are modelled for private mappings only: a shared one would need a 1 GiB page cache.
  if (align === HPAGE_PUD_SIZE && req.shared) return -EINVAL;
  if (!Number.isSafeInteger(req.length) || req.length <= 0) return -EINVAL;
  const length = pageAlign(req.length, align);
  if (length > TASK_SIZE) return -ENOMEM;
  const offset = req.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset % align !== 0) return -EINVAL;
  if ((req.prot & ~PROT_MASK) !== 0) return -EINVAL;
  if (req.anonymous && req.file !== undefined) return -EINVAL;
  if (!req.anonymous && req.file === undefined && req.pfnmap !== true) return -EINVAL;
  if (req.hugetlb === true && !req.anonymous) return -EINVAL;
  const placement = req.placement ?? "noreplace";
  const start = getUnmappedArea(mm, { length, addr: req.addr, placement, hugetlb, hugePageSize: align, align: req.align, ...thpPlacement(req.hugetlb === true, req.file ?? null, offset, req.shared && req.pfnmap !== true) });
  if (start < 0) return start;
  // hugetlbfs_file_mmap() -> hugetlb_reserve_pages() (fs/hugetlbfs/inode.c, mm/hugetlb.c): a 1 GiB
  // mapping the pool cannot back is -ENOMEM. (v6.12 reserves after MAP_FIXED gathered what it
  // replaces and restores it on failure; the model checks first and leaves it alone.)
  if (align === HPAGE_PUD_SIZE && k.memory.hugetlb1g.available() < length / HPAGE_PUD_SIZE) return -ENOMEM;
  if (req.addr !== undefined && placement !== "hint" && !mm.isFree(start, start + length)) {
    if (placement === "noreplace") return -EEXIST;
    const unmapped = doMunmap(k, proc, start, length);
    if (unmapped < 0) return unmapped;
  }
  let file = req.file ?? null;
  // do_mmap(): a private anonymous mapping's vm_pgoff is its address in pages (`pgoff = addr >>
  // PAGE_SHIFT`), the base anonymous page indices count from (linear_page_index()).
  let pgoff = file === null && !req.shared && req.pfnmap !== true ? start / PAGE_SIZE : offset / PAGE_SIZE;
  // A shared anonymous mapping is backed by an internal shmem file (shmem_zero_setup); an
  // anonymous hugetlb mapping by an internal hugetlbfs file (hugetlb_file_setup).
  if (req.anonymous && (req.shared || hugetlb)) {
    file = k.internalFileSetup(hugetlb ? "hugetlbfs" : "shmem", length, align === HPAGE_PUD_SIZE ? HPAGE_PUD_ORDER : undefined);
    pgoff = 0;
    if (align === HPAGE_PUD_SIZE) hugetlbReservePages(k, mm, file, length);
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
  vmaMergeExistingRange(k, mm, start, start + length);
  k.events.emit("mmap", {
    pid: proc.pid, start, end: start + length, prot: protString(flags), flags: vmFlagNames(flags & ~PROT_MASK),
    ...(file !== null && !file.internal ? { file: file.name, pgoff } : {}),
  });
  if (req.pfnmap === true) {
    const r = remapPfnRange(k, vma);
    if (r < 0) {
      doMunmap(k, proc, start, length);
      return r;
    }
  }
  // do_mmap's caller ignores populate errors (mm_populate(), ignore_errors = 1): the mapping
  // stays and the pages before the failing one stay populated.
  if (req.populate === true) mmPopulate(k, proc, mm, start, length, flags);
  return start;
}

/**
 * `__mm_populate()` (mm/gup.c, v6.12) for a new mapping of `length` bytes at `start` with VMA
 * flags `flags`: fault every page in, write-faulting private writable mappings so COW happens
 * now. Returns what {@link faultInRange} returns.
 */
export function mmPopulate(k: MmContext, proc: Process, mm: MmStruct, start: number, length: number, flags: number): number {
  const write = (flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
  const vma = mm.findVma(start)!;
  return faultInRange(k, proc, vma, start / PAGE_SIZE, (start + length) / PAGE_SIZE, write ? FAULT_FLAG_WRITE : 0, "populate");
}

/** `remap_pfn_range()` (mm/memory.c, v6.12) as a driver's mmap does it: map fresh reserved device frames behind a VM_PFNMAP VMA. They stay allocated. */
export function remapPfnRange(k: MmContext, vma: Vma): number {
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
export function faultInRange(k: MmContext, proc: Process, vma: Vma, startVpn: number, endVpn: number, fflags: number, source: string): number {
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
    // __get_user_pages() steps over the rest of a hugetlb page at once (page_increm from
    // follow_huge_pud()/follow_huge_pmd()'s page_mask): its one entry is mapped now.
    if ((vma.flags & VM_HUGETLB) !== 0) {
      const huge = pagesPerHugePage(vma);
      const rest = Math.min(endVpn, vpn - (vpn % huge) + huge) - vpn - 1;
      n += rest;
      vpn += rest;
    }
  }
  k.events.emit("fault", {
    pid: proc.pid, start: startVpn * PAGE_SIZE, pages: n, write: (fflags & FAULT_FLAG_WRITE) !== 0, source, counts: stats,
    ...(err < 0 ? { errno: String(-err) } : {}),
  });
  return err < 0 ? err : n;
}

/** `do_munmap()` (mm/mmap.c, v6.12): remove [addr, addr + length). Returns pages unmapped or `-errno`. */
export function doMunmap(k: MmContext, proc: Process, addr: number, length: number): number {
  const mm = liveMm(proc);
  if (mm === null) return -ENOENT;
  const bad = checkUserRange(addr, length);
  if (bad < 0) return bad;
  const end = addr + pageAlign(length);
  const pages = doVmiMunmap(k, mm, addr, end);
  if (pages < 0) return pages;
  k.events.emit("munmap", { pid: proc.pid, start: addr, end, pages });
  return pages;
}

/**
 * `do_vmi_munmap()` (mm/vma.c, v6.12) of [addr, end), both page aligned, in `mm`: split the VMAs at
 * the ends (-EINVAL when a hugetlb VMA would split off a huge page boundary), invalidate, zap and
 * remove them, free the page tables left unused. Returns pages unmapped or `-EINVAL`; emits no event.
 */
export function doVmiMunmap(k: MmContext, mm: MmStruct, addr: number, end: number): number {
  for (const v of mm.vmasIn(addr, end)) {
    if (!hugetlbSplitOk(v, addr) || !hugetlbSplitOk(v, end)) return -EINVAL;
  }
  let pages = 0;
  for (const vma of isolateRange(k, mm, addr, end)) {
    k.notifiers.invalidateRange(mm, vma.start, vma.end, "unmap");
    pages += zapRange(k, vma, vma.startVpn, vma.endVpn);
    hugetlbVmOpClose(k, vma);
    k.unlinkVma(vma);
    mm.removeVma(vma);
  }
  // vms_clear_ptes() -> free_pgtables() (mm/vma.c): page tables of a GiB with no VMA left go too.
  mm.pageTable.freePgtables(addr / PAGE_SIZE, end / PAGE_SIZE, (s, e) => !mm.isFree(s * PAGE_SIZE, e * PAGE_SIZE));
  return pages;
}

