/**
 * `madvise()` (mm/madvise.c, v6.12): MADV_DONTNEED, MADV_DONTFORK / MADV_DOFORK,
 * MADV_WIPEONFORK / MADV_KEEPONFORK, MADV_HUGEPAGE / MADV_NOHUGEPAGE, MADV_COLLAPSE (khugepaged.ts)
 * and MADV_PAGEOUT (madvise-pageout.ts).
 * @module
 */
import { EINVAL, ENOENT, ENOMEM } from "../errno.js";
import type { MmContext } from "./context.js";
import { PAGE_SIZE } from "../sim/units.js";
import { hugePageSize } from "./hugetlb-hstate.js";
import { madviseCollapse } from "./khugepaged.js";
import { madvisePageout } from "./madvise-pageout.js";
import { checkUserRange, liveMm, pageAlign } from "./mm-args.js";
import type { Process } from "./process.js";
import { zapRange } from "./pte-ops.js";
import { hasHole, vmaModifyFlags, vmaMergeExistingRange } from "./vma-modify.js";
import type { Vma } from "./mm-types.js";
import { VM_DONTCOPY, VM_HUGEPAGE, VM_HUGETLB, VM_IO, VM_LOCKED, VM_NOHUGEPAGE, VM_PFNMAP, VM_SHARED, VM_WIPEONFORK } from "./vm-flags.js";

/** madvise advice pinlab models. */
export type MadviseAdvice = "dontneed" | "dontfork" | "dofork" | "wipeonfork" | "keeponfork" | "hugepage" | "nohugepage" | "collapse" | "pageout";

/** Every advice of {@link MadviseAdvice} (`madvise_behavior_valid()` accepts these, anything else is -EINVAL). */
const ADVICE: readonly MadviseAdvice[] = ["dontneed", "dontfork", "dofork", "wipeonfork", "keeponfork", "hugepage", "nohugepage", "collapse", "pageout"];

/**
 * `madvise_dontneed_free_valid_vma()` (mm/madvise.c, v6.12) for [start, end) of `vma`: -EINVAL
 * on VM_PFNMAP (or VM_LOCKED), and on hugetlb unless `start` is huge-page aligned; otherwise
 * where MADV_DONTNEED stops (`end`, rounded down to whole huge pages for hugetlb).
 */
export function madviseDontneedFreeValidVma(vma: Vma, start: number, end: number): number {
  if ((vma.flags & (VM_PFNMAP | VM_LOCKED)) !== 0) return -EINVAL;
  if ((vma.flags & VM_HUGETLB) === 0) return end;
  const size = hugePageSize(vma);
  if (start % size !== 0) return -EINVAL;
  return Math.floor(end / size) * size;
}

/**
 * `madvise_vma_behavior()` (mm/madvise.c, v6.12): the VMA flags `advice` asks for, or -EINVAL.
 * MADV_DOFORK is refused on VM_IO (its pages must never be shared with a child);
 * MADV_WIPEONFORK only on private anonymous memory ("if (vma->vm_file || vma->vm_flags &
 * VM_SHARED) return -EINVAL": a shared anonymous or an anonymous hugetlb mapping has an internal
 * file; a pfnmap VMA stands for a driver's mapping of its device file); MADV_KEEPONFORK clears
 * the flag (v6.12 refuses it only on VM_DROPPABLE, which the model has not);
 * MADV_(NO)HUGEPAGE leaves VM_HUGETLB and VM_SPECIAL VMAs alone (`hugepage_madvise()`,
 * VM_NO_KHUGEPAGED).
 */
export function madviseVmaBehavior(vma: Vma, advice: Exclude<MadviseAdvice, "dontneed" | "collapse" | "pageout">): number {
  const flags = vma.flags;
  if (advice === "dontfork") return flags | VM_DONTCOPY;
  if (advice === "dofork") return (flags & VM_IO) !== 0 ? -EINVAL : flags & ~VM_DONTCOPY;
  if (advice === "wipeonfork") return vma.file !== null || (flags & (VM_SHARED | VM_PFNMAP)) !== 0 ? -EINVAL : flags | VM_WIPEONFORK;
  if (advice === "keeponfork") return flags & ~VM_WIPEONFORK;
  if ((flags & (VM_HUGETLB | VM_IO | VM_PFNMAP)) !== 0) return flags;
  // hugepage_madvise() (mm/khugepaged.c): each advice sets its flag and clears the other.
  return advice === "hugepage" ? (flags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE : (flags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
}

/**
 * `madvise()` (`do_madvise()`, mm/madvise.c, v6.12). Returns pages affected (for MADV_PAGEOUT: freed to swap) or `-errno`. Like `madvise_walk_vmas()`, advice is applied to
 * the mapped parts of a range with holes and the call then fails with ENOMEM.
 */
export function doMadvise(k: MmContext, proc: Process, addr: number, length: number, advice: MadviseAdvice): number {
  const mm = liveMm(proc);
  if (mm === null) return -ENOENT;
  const bad = checkUserRange(addr, length);
  if (bad < 0) return bad;
  if (!ADVICE.includes(advice)) return -EINVAL;
  const end = addr + pageAlign(length);
  if (mm.vmasIn(addr, end).length === 0) return -ENOMEM;
  let pages = 0;
  let err = 0;
  for (const vma of mm.vmasIn(addr, end)) {
    const s = Math.max(addr, vma.start);
    let e = Math.min(end, vma.end);
    if (advice === "dontneed") {
      const valid = madviseDontneedFreeValidVma(vma, s, e);
      if (valid < 0) {
        err = valid;
        break;
      }
      e = valid;
      if (e <= s) continue;
      k.notifiers.invalidateRange(mm, s, e, "clear");
      // zapRange() splits a PMD leaf only partly inside the range first (zap_pmd_range()).
      pages += zapRange(k, vma, s / PAGE_SIZE, e / PAGE_SIZE);
      continue;
    }
    if (advice === "pageout" || advice === "collapse") {
      // madvise_pageout() / madvise_collapse(), one VMA at a time (madvise_walk_vmas() stops at
      // the first error).
      const r = advice === "pageout" ? madvisePageout(k, vma, s, e) : madviseCollapse(k, vma, s, e);
      if (r < 0) {
        err = r;
        break;
      }
      pages += advice === "pageout" ? r : (e - s) / PAGE_SIZE;
      continue;
    }
    const flags = madviseVmaBehavior(vma, advice);
    if (flags < 0) {
      err = flags;
      break;
    }
    const r = vmaModifyFlags(k, vma, s, e, flags);
    if (typeof r === "number") {
      err = r;
      break;
    }
    pages += (e - s) / PAGE_SIZE;
  }
  if (advice !== "dontneed" && advice !== "collapse" && advice !== "pageout") vmaMergeExistingRange(k, mm, addr, end);
  if (err < 0) return err;
  k.events.emit("madvise", { pid: proc.pid, start: addr, end, advice, pages });
  return hasHole(mm, addr, end) ? -ENOMEM : pages;
}
