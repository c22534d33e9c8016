/**
 * Why a `gup` step took fewer pages than it asked for, in words (issue 19: failures show their
 * cause). GUP itself says nothing when its walk stops (`__get_user_pages()` returns the pages
 * taken, or the errno of the first page it could not take), so the step asks afterwards: the
 * VMA at the first page not taken, and which of `check_vma_flags()`'s rules (mm/gup.c, v6.12)
 * refuses it, confirmed by calling the model's own {@link checkVmaFlags}. Side-effect free: no
 * event, no fault.
 * @module
 */
import { errnoName } from "../errno.js";
import { FOLL_ANON, FOLL_FORCE, FOLL_LONGTERM, FOLL_WRITE } from "../gup/foll-flags.js";
import { checkVmaFlags } from "../gup/slow.js";
import type { KernelContext } from "../kernel/context.js";
import type { Process } from "../mm/process.js";
import { VM_HUGETLB, VM_IO, VM_PFNMAP, VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { hex, PAGE_SIZE } from "../sim/units.js";

/**
 * Why GUP of `proc` with `flags` stopped at `addr` (the first page not taken), when the VMA rules
 * say why; undefined when they allow the page (the walk stopped for another reason: a fault that
 * did not resolve, a special PTE, the policy refusing the grab).
 */
export function gupStopReason(k: KernelContext, proc: Process, addr: number, flags: number): string | undefined {
  const mm = proc.mm;
  if (mm === null || !proc.alive) return `process ${proc.name} has no mm (it exited)`;
  const at = hex(Math.floor(addr / PAGE_SIZE) * PAGE_SIZE);
  const vma = mm.findVma(addr);
  if (vma === undefined) return `no VMA at ${at} (find_vma)`;
  const err = checkVmaFlags(k, vma, flags);
  if (err === 0) return undefined;
  const range = `the VMA ${hex(vma.start)}-${hex(vma.end)}`;
  const name = errnoName(-err) ?? String(-err);
  const vf = vma.flags;
  if ((vf & (VM_IO | VM_PFNMAP)) !== 0) return `${range} is VM_IO or VM_PFNMAP: no struct pages to take (check_vma_flags)`;
  if ((flags & FOLL_ANON) !== 0 && !vma.isAnonymous) return `${range} is not anonymous and the call passed FOLL_ANON (check_vma_flags)`;
  if ((flags & FOLL_WRITE) !== 0 && (vf & VM_WRITE) === 0) {
    if ((flags & FOLL_FORCE) === 0) return `${range} is not writable and the call passed FOLL_WRITE without FOLL_FORCE (check_vma_flags)`;
    if ((vf & VM_HUGETLB) !== 0) return `${range} is a read-only hugetlb mapping: FOLL_FORCE cannot write it (check_vma_flags)`;
    if (!vma.isCow) return `${range} is a read-only shared mapping: FOLL_FORCE writes only private (COW) mappings (check_vma_flags)`;
  }
  if ((flags & FOLL_WRITE) === 0 && (vf & VM_READ) === 0 && (flags & FOLL_FORCE) === 0) return `${range} is not readable (check_vma_flags)`;
  if ((flags & FOLL_LONGTERM) !== 0) return `the policy refuses a long-term pin of ${range} (${name}; check_vma_flags, vma_is_fsdax / the era's long-term rules)`;
  return `${range} refuses the call (${name}; check_vma_flags)`;
}
