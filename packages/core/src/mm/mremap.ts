/**
 * The mremap system call (`SYSCALL_DEFINE5(mremap)`, mm/mremap.c, v6.12): shrink a mapping in
 * place, grow it in place when the space after it is free, or move it (MREMAP_MAYMOVE, to an
 * address of the kernel's choosing or, with MREMAP_FIXED, of the caller's), optionally leaving
 * the old range mapped and empty (MREMAP_DONTUNMAP). Moved pages keep their frames, references,
 * mapcounts and pins (move-page-tables.ts).
 * @module
 */
import { EFAULT, EINVAL, ENOENT, ENOMEM } from "../errno.js";
import type { MmContext } from "./context.js";
import { HPAGE_PMD_ORDER, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { hugetlbOrder } from "./hugetlb-hstate.js";
import { getUnmappedArea, type UnmappedAreaRequest } from "./get-unmapped-area.js";
import { TASK_SIZE, type MmStruct, type Vma } from "./mm-types.js";
import { liveMm, pageAlign } from "./mm-args.js";
import { doVmiMunmap, thpPlacement } from "./mmap.js";
import type { MoveResult } from "./move-page-tables.js";
import { moveVma } from "./move-vma.js";
import type { Process } from "./process.js";
import { vmaMergeExistingRange } from "./vma-modify.js";
import { VM_HUGETLB, VM_PFNMAP, VM_SHARED } from "./vm-flags.js";

/** MREMAP_MAYMOVE (include/uapi/linux/mman.h): the mapping may move. */
export const MREMAP_MAYMOVE = 1;
/** MREMAP_FIXED: move to `new_addr`, unmapping what is there (needs MREMAP_MAYMOVE). */
export const MREMAP_FIXED = 2;
/** MREMAP_DONTUNMAP: move the pages but leave the old range mapped, empty (needs MREMAP_MAYMOVE, same length). */
export const MREMAP_DONTUNMAP = 4;

/** An mremap call's arguments. */
export interface MremapRequest {
  /** Start of the old range (page aligned). */
  readonly addr: number;
  /** Its length in bytes (rounded up to pages; 0 duplicates a shared mapping). */
  readonly oldLength: number;
  /** The new length in bytes (rounded up to pages). */
  readonly newLength: number;
  /** MREMAP_* flags. */
  readonly flags: number;
  /** Where to move: taken as given with MREMAP_FIXED, a hint with MREMAP_DONTUNMAP alone, ignored otherwise (0 when absent). */
  readonly newAddr?: number;
}

/** How an mremap ended: the new start and what happened. */
export interface MremapOutcome {
  /** The mapping's start now. */
  readonly addr: number;
  /** `same` (nothing to do), `shrink` (tail unmapped in place), `expand` (grown in place) or `move`. */
  readonly how: "same" | "shrink" | "expand" | "move";
  /** For a move: what moved. */
  readonly moved?: MoveResult;
}

/** The address request `get_unmapped_area(vma->vm_file, ...)` makes for a new range of `vma` at file page `pgoff`, as do_mmap()'s placement would. */
function placementOf(vma: Vma, pgoff: number): Pick<UnmappedAreaRequest, "hugetlb" | "thp"> {
  const hugetlb = (vma.flags & VM_HUGETLB) !== 0;
  return { hugetlb, ...thpPlacement(hugetlb, vma.file, pgoff * PAGE_SIZE) };
}

/**
 * VM_DONTEXPAND | VM_PFNMAP, as the model derives them: VM_DONTEXPAND is no flag of its own here,
 * but the mappings that have it do: hugetlbfs sets it with VM_HUGETLB (`hugetlbfs_file_mmap()`,
 * fs/hugetlbfs/inode.c) and `remap_pfn_range()` with VM_PFNMAP (mm/memory.c), v6.12.
 */
function dontExpandOrPfnmap(vma: Vma): boolean {
  return (vma.flags & (VM_HUGETLB | VM_PFNMAP)) !== 0;
}

/**
 * `vma_to_resize()` (mm/mremap.c, v6.12): the VMA at `addr` that may become `newLen` long, or
 * -errno: no VMA (-EFAULT); a zero `oldLen` of a private mapping (-EINVAL); MREMAP_DONTUNMAP on
 * VM_DONTEXPAND or VM_PFNMAP, so on hugetlb too (-EINVAL); an old range past the VMA's end
 * (-EFAULT); a page offset that would overflow (-EINVAL; the model's frame index holds 32 bits);
 * growing VM_DONTEXPAND / VM_PFNMAP (-EFAULT). RLIMIT_MEMLOCK for VM_LOCKED (-EAGAIN) and
 * RLIMIT_AS (-ENOMEM) are not modelled: nothing sets VM_LOCKED, and there is no address-space limit.
 */
export function vmaToResize(mm: MmStruct, addr: number, oldLen: number, newLen: number, flags: number): Vma | number {
  const vma = mm.findVma(addr);
  if (vma === undefined) return -EFAULT;
  if (oldLen === 0 && (vma.flags & VM_SHARED) === 0) return -EINVAL;
  if ((flags & MREMAP_DONTUNMAP) !== 0 && dontExpandOrPfnmap(vma)) return -EINVAL;
  if (oldLen > vma.end - addr) return -EFAULT;
  if (newLen === oldLen) return vma;
  if (vma.pgoff + (addr - vma.start) / PAGE_SIZE + newLen / PAGE_SIZE > 2 ** 32) return -EINVAL;
  if (dontExpandOrPfnmap(vma)) return -EFAULT;
  return vma;
}

/**
 * `vma_expandable()` (mm/mremap.c, v6.12): nothing is mapped in the `delta` bytes after `vma`, and
 * the grown range passes `get_unmapped_area(NULL, vm_start, len, 0, MAP_FIXED)` (below TASK_SIZE).
 */
export function vmaExpandable(vma: Vma, delta: number): boolean {
  const end = vma.end + delta;
  if (!vma.mm.isFree(vma.end, end)) return false;
  return getUnmappedArea(vma.mm, { length: end - vma.start, addr: vma.start, placement: "fixed", hugetlb: false }) >= 0;
}

/** `vma_merge_extend()` (mm/vma.c, v6.12): grow `vma` by `delta` in place, merging with the VMA it now touches when they are compatible. */
function vmaMergeExtend(k: MmContext, vma: Vma, delta: number): void {
  const oldEnd = vma.end;
  vma.end += delta;
  // Only `vma` and the VMA after it lie within a page of [oldEnd, end).
  vmaMergeExistingRange(k, vma.mm, oldEnd, vma.end);
}

/**
 * `mremap_to()` (mm/mremap.c, v6.12), for MREMAP_FIXED or MREMAP_DONTUNMAP: `newAddr` must be page
 * aligned, the new range below TASK_SIZE and apart from the old one (-EINVAL each); with
 * MREMAP_FIXED whatever is mapped there is unmapped first (`do_munmap()`); a shrinking move
 * unmaps the old tail first; then {@link vmaToResize}, the placement (`get_unmapped_area()`:
 * MAP_FIXED's checks, or `newAddr` as a hint) and {@link moveVma}.
 */
function mremapTo(k: MmContext, mm: MmStruct, addr: number, oldLen: number, newAddr: number, newLen: number, flags: number): MremapOutcome | number {
  if (!Number.isSafeInteger(newAddr) || newAddr % PAGE_SIZE !== 0) return -EINVAL;
  if (newLen > TASK_SIZE || newAddr < 0 || newAddr > TASK_SIZE - newLen) return -EINVAL;
  if (addr + oldLen > newAddr && newAddr + newLen > addr) return -EINVAL;
  const fixed = (flags & MREMAP_FIXED) !== 0;
  if (fixed) {
    const r = doVmiMunmap(k, mm, newAddr, newAddr + newLen);
    if (r < 0) return r;
  }
  if (oldLen > newLen) {
    const r = doVmiMunmap(k, mm, addr + newLen, addr + oldLen);
    if (r < 0) return r;
    oldLen = newLen;
  }
  const vma = vmaToResize(mm, addr, oldLen, newLen, flags);
  if (typeof vma === "number") return vma;
  const pgoff = vma.pgoff + (addr - vma.start) / PAGE_SIZE;
  const at = getUnmappedArea(mm, { length: newLen, addr: newAddr, placement: fixed ? "fixed" : "hint", ...placementOf(vma, pgoff) });
  if (at < 0) return at;
  const to = fixed ? newAddr : at;
  return { addr: to, how: "move", moved: moveVma(k, vma, addr, oldLen, newLen, to, (flags & MREMAP_DONTUNMAP) !== 0) };
}

/**
 * `SYSCALL_DEFINE5(mremap)` (mm/mremap.c, v6.12). Checks in the kernel's order: unknown flags,
 * MREMAP_FIXED without MREMAP_MAYMOVE, MREMAP_DONTUNMAP without it or with a size change, an
 * unaligned `addr`, a zero new length (-EINVAL each); no VMA at `addr` (-EFAULT); for hugetlb the
 * lengths round up to 2 MiB, both addresses must be 2 MiB aligned and it may not grow (-EINVAL).
 * Then: MREMAP_FIXED / MREMAP_DONTUNMAP go to `mremap_to()` (mremapTo); a shrink unmaps the tail
 * (`do_vmi_munmap()`: pins keep the frames, as munmap); a grow of a range reaching its VMA's end
 * extends it when the space after is free ({@link vmaExpandable}); otherwise with MREMAP_MAYMOVE
 * the range moves where `get_unmapped_area()` puts it, and without it the call fails (-ENOMEM).
 * Returns the outcome, or `-errno`; a success emits one `mremap` event.
 */
export function sysMremap(k: MmContext, proc: Process, req: MremapRequest): MremapOutcome | number {
  const mm = liveMm(proc);
  if (mm === null) return -ENOENT;
  const r = mremap(k, mm, req);
  if (typeof r === "number") return r;
  k.events.emit("mremap", {
    pid: proc.pid, start: req.addr, oldLength: req.oldLength, newStart: r.addr, newLength: req.newLength, how: r.how, ...r.moved,
  });
  return r;
}

function mremap(k: MmContext, mm: MmStruct, req: MremapRequest): MremapOutcome | number {
  const { addr, flags } = req;
  const newAddr = req.newAddr ?? 0;
  if (!Number.isInteger(flags) || (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) !== 0) return -EINVAL;
  if ((flags & MREMAP_FIXED) !== 0 && (flags & MREMAP_MAYMOVE) === 0) return -EINVAL;
  if ((flags & MREMAP_DONTUNMAP) !== 0 && ((flags & MREMAP_MAYMOVE) === 0 || req.oldLength !== req.newLength)) return -EINVAL;
  if (!Number.isSafeInteger(addr) || addr % PAGE_SIZE !== 0) return -EINVAL;
  // (model) Lengths are unsigned longs: a negative or fractional one is refused as a bad argument.
  if (!Number.isSafeInteger(req.oldLength) || !Number.isSafeInteger(req.newLength) || req.oldLength < 0 || req.newLength < 0) return -EINVAL;
  let oldLen = pageAlign(req.oldLength);
  let newLen = pageAlign(req.newLength);
  if (newLen === 0) return -EINVAL;
  const vma = mm.findVma(addr);
  if (vma === undefined) return -EFAULT;
  if ((vma.flags & VM_HUGETLB) !== 0) {
    // (model) 1 GiB hugetlb pages do not move: their pool reservation would have to follow the
    // VMA (clear_vma_resv_huge_pages()), which the model does not do; refused as a bad argument.
    if (hugetlbOrder(vma) !== HPAGE_PMD_ORDER) return -EINVAL;
    oldLen = pageAlign(oldLen, HPAGE_PMD_SIZE);
    newLen = pageAlign(newLen, HPAGE_PMD_SIZE);
    if (addr % HPAGE_PMD_SIZE !== 0 || newAddr % HPAGE_PMD_SIZE !== 0) return -EINVAL;
    if (newLen > oldLen) return -EINVAL;
  }
  if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) !== 0) return mremapTo(k, mm, addr, oldLen, newAddr, newLen, flags);
  if (oldLen >= newLen) {
    if (oldLen === newLen) return { addr, how: "same" };
    const r = doVmiMunmap(k, mm, addr + newLen, addr + oldLen);
    return r < 0 ? r : { addr, how: "shrink" };
  }
  const grow = vmaToResize(mm, addr, oldLen, newLen, flags);
  if (typeof grow === "number") return grow;
  if (oldLen === grow.end - addr && vmaExpandable(grow, newLen - oldLen)) {
    vmaMergeExtend(k, grow, newLen - oldLen);
    return { addr, how: "expand" };
  }
  if ((flags & MREMAP_MAYMOVE) === 0) return -ENOMEM;
  const pgoff = grow.pgoff + (addr - grow.start) / PAGE_SIZE;
  const at = getUnmappedArea(mm, { length: newLen, placement: "hint", ...placementOf(grow, pgoff) });
  if (at < 0) return at;
  return { addr: at, how: "move", moved: moveVma(k, grow, addr, oldLen, newLen, at, false) };
}
