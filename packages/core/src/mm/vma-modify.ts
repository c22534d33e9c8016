/**
 * Splitting and merging VMAs (mm/vma.c, v6.12): `split_vma()`, `vma_modify_flags()` and the
 * merge of neighbours with the same flags, which mmap, munmap, mprotect and madvise share.
 * @module
 */
import { EINVAL } from "../errno.js";
import type { MmContext } from "./context.js";
import { PAGE_SIZE } from "../sim/units.js";
import { splitHugePmdAddress } from "./huge-memory.js";
import { hugePageSize } from "./hugetlb-hstate.js";
import { type MmStruct, Vma } from "./mm-types.js";
import { VM_HUGETLB, VM_IO, VM_PFNMAP } from "./vm-flags.js";

/**
 * Split `vma` at `addr` (`split_vma()`, mm/vma.c, v6.12); returns the upper half. A THP PMD-mapped across `addr` is
 * remapped by PTEs first (`vma_adjust_trans_huge`). hugetlb VMAs split only on huge page boundaries:
 * callers check {@link hugetlbSplitOk} first.
 */
export function splitVma(k: MmContext, vma: Vma, addr: number): Vma {
  splitHugePmdAddress(k, vma, addr);
  const upper = new Vma(vma.mm, addr, vma.end, vma.flags, vma.file, vma.pgoff + (addr - vma.start) / PAGE_SIZE, vma.anonymousMapping);
  upper.anonVma = vma.anonVma;
  vma.end = addr;
  vma.mm.insertVma(upper);
  k.linkVma(upper);
  return upper;
}

/** `hugetlb_vm_op_split()` (mm/hugetlb.c, v6.12): may `vma` be split at `addr`? (hugetlb VMAs only at huge page boundaries.) */
export function hugetlbSplitOk(vma: Vma, addr: number): boolean {
  return (vma.flags & VM_HUGETLB) === 0 || addr <= vma.start || addr >= vma.end || addr % hugePageSize(vma) === 0;
}

/** Split VMAs so that `start` and `end` fall on VMA boundaries (the `split_vma()` calls of `do_vmi_align_munmap()`, mm/vma.c, v6.12); return the VMAs inside [start, end). */
export function isolateRange(k: MmContext, mm: MmStruct, start: number, end: number): Vma[] {
  for (const v of mm.vmasIn(start, end)) {
    if (v.start < start) splitVma(k, v, start);
  }
  for (const v of mm.vmasIn(start, end)) {
    if (v.end > end) splitVma(k, v, end);
  }
  return mm.vmasIn(start, end);
}

/**
 * `vma_modify_flags()` (mm/vma.c, v6.12): give the part [start, end) of `vma` the flags `flags`, splitting it
 * (`split_vma`) as needed. Nothing changes when the flags are already right (`mprotect_fixup` and
 * `madvise_update_vma` return early). Returns the VMA now covering [start, end), or `-EINVAL`
 * when a hugetlb VMA would be split off a huge page boundary.
 */
export function vmaModifyFlags(k: MmContext, vma: Vma, start: number, end: number, flags: number): Vma | number {
  if (flags === vma.flags) return vma;
  if (!hugetlbSplitOk(vma, start) || !hugetlbSplitOk(vma, end)) return -EINVAL;
  let v = vma;
  if (start > v.start) v = splitVma(k, v, start);
  if (end < v.end) splitVma(k, v, end);
  v.flags = flags;
  return v;
}

/**
 * `can_vma_merge_after()` / `can_vma_merge_before()` (mm/vma.c, v6.12): can `next` be merged into `prev`? They must
 * touch, have the same flags and file, contiguous page offsets (anonymous ones too: an anonymous
 * VMA mremap moved keeps its old `vm_pgoff`), compatible anon_vmas
 * (`is_mergeable_anon_vma`), and not be VM_SPECIAL (VM_IO | VM_PFNMAP).
 */
export function canVmaMerge(prev: Vma, next: Vma): boolean {
  if (prev.end !== next.start || prev.flags !== next.flags || prev.file !== next.file) return false;
  if (prev.anonymousMapping !== next.anonymousMapping || (prev.flags & (VM_IO | VM_PFNMAP)) !== 0) return false;
  if (prev.pgoff + prev.pages !== next.pgoff) return false;
  return prev.anonVma === null || next.anonVma === null || prev.anonVma === next.anonVma;
}

/**
 * After a flags change over [start, end), merge the VMAs there with each other and with the
 * neighbours just outside (`vma_merge_existing_range()`, mm/vma.c, v6.12), as mprotect and madvise do;
 * mmap does the same for a new mapping (`vma_merge_new_range()`).
 */
export function vmaMergeExistingRange(k: MmContext, mm: MmStruct, start: number, end: number): void {
  const cands = mm.vmasIn(Math.max(0, start - 1), end + 1);
  let prev = cands[0];
  for (let i = 1; i < cands.length; i++) {
    const next = cands[i];
    if (prev === undefined || !canVmaMerge(prev, next)) {
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
export function hasHole(mm: MmStruct, start: number, end: number): boolean {
  let at = start;
  for (const v of mm.vmasIn(start, end)) {
    if (v.start > at) return true;
    at = v.end;
  }
  return at < end;
}

