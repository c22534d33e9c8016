/**
 * The GUP slow path (mm/gup.c, v6.12): under the mmap lock, walk the range page by page, check
 * each new VMA (`check_vma_flags()`), follow the page table (`follow_page_mask()`), fault in what
 * is missing, not writable enough or must be unshared (`faultin_page()`), and grab each run of
 * one folio (`try_grab_folio()`).
 * @module
 */
import { EFAULT, ENOMEM, EOPNOTSUPP } from "../errno.js";
import type { KernelContext } from "../kernel/context.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_FILE } from "../memory/page-flags.js";
import { FAULT_FLAG_UNSHARE, FAULT_FLAG_WRITE, type FaultStats } from "../mm/fault-flags.js";
import { handleMmFault } from "../mm/fault.js";
import { splitHugePmd } from "../mm/huge-memory.js";
import { PTE_DIRTY, PTE_HUGE, PTE_INDEX_MASK, PTE_PRESENT, PTE_PUD, PTE_SPECIAL, PTE_WRITE, PTRS_PER_PTE, PUD_INDEX_MASK, PUD_PAGES } from "../mm/page-table.js";
import type { Process } from "../mm/process.js";
import type { Vma } from "../mm/mm-types.js";
import { VM_HUGETLB, VM_IO, VM_MAYWRITE, VM_PFNMAP, VM_READ, VM_SHARED, VM_WRITE } from "../mm/vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { grabMode, type GupOptions, type PageArray } from "./call.js";
import { FOLL_ANON, FOLL_COW, FOLL_FORCE, FOLL_GET, FOLL_LONGTERM, FOLL_NOFAULT, FOLL_PIN, FOLL_SPLIT_PMD, FOLL_WRITE } from "./foll-flags.js";
import { folioRun, gupStatAcquired, tryGrabFolio, ungrabFolio, type GupState } from "./grab.js";

/** `follow_page_mask()` (mm/gup.c, v6.12) found nothing it may take: fault the page in (`faultin_page()`), then look again. */
export const FOLLOW_FAULT = -1;
/** `follow_page_mask()`'s `-EMLINK` (mm/gup.c, v6.12): the page is there but must be unshared first (`faultin_page(..., unshare)`). */
export const FOLLOW_UNSHARE = -2;

/** Fault-ins of one page before GUP gives up with EFAULT (the model's stand-in for a fault that never resolves). */
const MAX_FAULTS_PER_PAGE = 3;

/** `check_vma_flags()` (mm/gup.c, v6.12): may GUP with `flags` touch `vma`? 0 or -errno; the era-dependent long-term rules are the policy's. */
export function checkVmaFlags(k: KernelContext, vma: Vma, flags: number): number {
  const vf = vma.flags;
  const write = (flags & FOLL_WRITE) !== 0;
  if ((vf & (VM_IO | VM_PFNMAP)) !== 0) return -EFAULT;
  if ((flags & FOLL_ANON) !== 0 && !vma.isAnonymous) return -EFAULT;
  if ((flags & FOLL_LONGTERM) !== 0) {
    const err = k.policy.checkLongtermVma(vma, flags);
    if (err !== 0) return -err;
  }
  if ((flags & FOLL_SPLIT_PMD) !== 0 && (vf & VM_HUGETLB) !== 0) return -EOPNOTSUPP;
  if (write) {
    if ((vf & VM_WRITE) === 0) {
      if ((flags & FOLL_FORCE) === 0) return -EFAULT;
      if ((vf & VM_HUGETLB) !== 0) return -EFAULT;
      if (!vma.isCow) return -EFAULT;
    }
  } else if ((vf & VM_READ) === 0 && (flags & FOLL_FORCE) === 0) {
    return -EFAULT;
  }
  return 0;
}

/**
 * `can_follow_write_pte()` (mm/gup.c, v6.12): may GUP write through this PTE without a write
 * fault? By the era (`EraRules.forceWrite`): up to v4.8 only through a writable PTE (the FOLL_WRITE
 * games drop the write instead); v4.9 to v5.19 also a dirty PTE once `faultin_page()` set
 * FOLL_COW, for FOLL_FORCE (v4.9, 19be0eaffa3a) or, in v5.8, any GUP that broke COW; from v6.0
 * an exclusive anonymous page of a private mapping without VM_WRITE, for FOLL_FORCE.
 */
export function canFollowWritePte(k: KernelContext, bits: number, pfn: number, vma: Vma, flags: number): boolean {
  if ((bits & PTE_WRITE) !== 0) return true;
  const rule = k.era.forceWrite;
  if (rule === "games") return false;
  if (rule === "foll-cow") return (flags & FOLL_COW) !== 0 && ((flags & FOLL_FORCE) !== 0 || k.era.gupReadCow) && (bits & PTE_DIRTY) !== 0;
  if ((flags & FOLL_FORCE) === 0) return false;
  if ((vma.flags & VM_SHARED) !== 0) return false;
  if ((vma.flags & VM_MAYWRITE) === 0) return false;
  if ((vma.flags & VM_WRITE) !== 0) return false;
  const fl = k.frames.flags[pfn];
  return (fl & PG_ANON) !== 0 && (fl & PG_ANON_EXCLUSIVE) !== 0;
}

/**
 * `follow_page_mask()` -> `follow_page_pte()` (mm/gup.c, v6.12): the frame mapped at `vpn` when
 * GUP may take it as it is; {@link FOLLOW_FAULT} when it is not present or not writable enough
 * (`can_follow_write_pte()`); {@link FOLLOW_UNSHARE} when the policy says a read-only pin must
 * unshare it first (`gup_must_unshare()`).
 */
export function followPageMask(k: KernelContext, vma: Vma, vpn: number, flags: number): number {
  const pt = vma.mm.pageTable;
  let bits = pt.bits(vpn);
  if ((bits & PTE_PRESENT) === 0) return FOLLOW_FAULT;
  // follow_pmd_mask(): FOLL_SPLIT_PMD splits a THP leaf and follows the PTE instead.
  if ((bits & PTE_HUGE) !== 0 && (flags & FOLL_SPLIT_PMD) !== 0) {
    splitHugePmd(k, vma, vpn);
    bits = pt.bits(vpn);
  }
  const pfn = pt.pfn(vpn);
  // follow_huge_pmd() asks can_follow_write_pmd() and gup_must_unshare() of the leaf's page,
  // pmd_page(): the folio's first, where a PMD mapping keeps anon-exclusive.
  // follow_huge_pud() for a 1 GiB hugetlb leaf: the same questions, of the folio's first page too
  // (hugetlb keeps PageAnonExclusive on its head).
  const page = (bits & PTE_HUGE) !== 0 ? pt.pfn(pt.leafStart(vpn)) : pfn;
  if ((flags & FOLL_WRITE) !== 0 && !canFollowWritePte(k, bits, page, vma, flags)) return FOLLOW_FAULT;
  if ((bits & PTE_WRITE) === 0 && k.policy.countsPins && k.policy.mustUnshare(vma, flags, page)) return FOLLOW_UNSHARE;
  return pfn;
}

/**
 * `faultin_page()` (mm/gup.c, v6.12): `handle_mm_fault()` with FAULT_FLAG_UNSHARE when unsharing,
 * FAULT_FLAG_WRITE for FOLL_WRITE. Returns 0 or -errno.
 */
export function faultinPage(k: KernelContext, vma: Vma, vpn: number, flags: number, unshare: boolean, stats: FaultStats): number {
  const fflags = unshare ? FAULT_FLAG_UNSHARE : (flags & FOLL_WRITE) !== 0 ? FAULT_FLAG_WRITE : 0;
  return handleMmFault(k, vma, vpn, fflags, stats);
}

/**
 * The flags `__get_user_pages()` looks pages up with: the caller's, plus FOLL_WRITE in v5.8 for
 * a FOLL_GET or FOLL_PIN on a COW mapping (`should_force_cow_break()`, 17839856fd58: "we need to
 * force a COW break at GUP time even for reads"). The references taken stay as the caller asked.
 */
function lookupFlags(k: KernelContext, vma: Vma, flags: number): number {
  return k.era.gupReadCow && vma.isCow && (flags & (FOLL_GET | FOLL_PIN)) !== 0 ? flags | FOLL_WRITE : flags;
}

/**
 * What `faultin_page()` does to the lookup flags after a write fault on a VMA without VM_WRITE
 * (a FOLL_FORCE write, or v5.8's forced COW break), by the era: up to v4.8 it drops FOLL_WRITE
 * and the lookup is retried as a read (the Dirty COW window: a page zapped now is looked up
 * again as a read and the file's page is found); v4.9 to v5.19 it sets FOLL_COW; from v6.0
 * nothing (an exclusive anonymous page is enough). `opts.raceAfterFault` runs in that window, as
 * another thread of the process would.
 */
function afterCowFault(k: KernelContext, vma: Vma, vpn: number, lookup: number, opts: GupOptions): number {
  const rule = k.era.forceWrite;
  const next = rule === "games" ? lookup & ~FOLL_WRITE : rule === "foll-cow" ? lookup | FOLL_COW : lookup;
  opts.raceAfterFault?.(vma, vpn * PAGE_SIZE);
  return next;
}

/**
 * `__get_user_pages()` (mm/gup.c, v6.12), with `__get_user_pages_locked()` around it: walk
 * `nrPages` pages from the page-aligned `start` under the mmap lock, writing the frames from
 * `pages[offset]` on. Each new VMA is checked (`check_vma_flags()`); each page is followed
 * (`follow_page_mask()`) and faulted in until it can be taken (`faultin_page()`, at most a few
 * times, never under FOLL_NOFAULT); then the run of pages of its folio mapped in a row is grabbed
 * at once (`try_grab_folio(folio, refs)`). Returns the pages done, or -errno when none (a
 * partial result stands: the caller releases it).
 */
export function getUserPagesSlow(
  s: GupState, task: Process, start: number, nrPages: number, flags: number, pages: PageArray | undefined, offset: number, opts: GupOptions,
  stats: FaultStats,
): number {
  const k = s.k;
  const mm = task.mm!;
  const mode = grabMode(flags);
  const grab = (flags & (FOLL_GET | FOLL_PIN)) !== 0;
  const f = k.frames;
  const pt = mm.pageTable;
  let vma: Vma | undefined;
  let i = 0;
  while (i < nrPages) {
    const addr = start + i * PAGE_SIZE;
    const vpn = addr / PAGE_SIZE;
    if (vma === undefined || !vma.contains(addr)) {
      vma = mm.findVma(addr);
      if (vma === undefined) return i > 0 ? i : -EFAULT;
      const err = checkVmaFlags(k, vma, flags);
      if (err !== 0) return i > 0 ? i : err;
    }
    let tries = 0;
    let lookup = lookupFlags(k, vma, flags);
    let pfn = followPageMask(k, vma, vpn, lookup);
    while (pfn < 0) {
      if ((flags & FOLL_NOFAULT) !== 0 || ++tries > MAX_FAULTS_PER_PAGE) return i > 0 ? i : -EFAULT;
      const unshare = pfn === FOLLOW_UNSHARE;
      const r = faultinPage(k, vma, vpn, lookup, unshare, stats);
      if (r < 0) return i > 0 ? i : r;
      if (!unshare && (lookup & FOLL_WRITE) !== 0 && (vma.flags & VM_WRITE) === 0) lookup = afterCowFault(k, vma, vpn, lookup, opts);
      // The `retry:` of __get_user_pages(): cond_resched(), then follow_page_mask() again, under
      // the mmap lock held for read (issue 21: another thread can run here).
      k.preempt.point("gup.faultin", [{ mm: mm.id, mode: "read" }]);
      pfn = followPageMask(k, vma, vpn, lookup);
    }
    const t = pt.table(vpn)!;
    const idx = vpn & PTE_INDEX_MASK;
    // vm_normal_page(): a special PTE has no struct page, except the shared zero page.
    if (t.leafBits === 0 && (t.bits[idx] & PTE_SPECIAL) !== 0 && pfn !== k.memory.zeroPfn) return i > 0 ? i : -EFAULT;
    // The rest of the run is in the same PTE table: a folio is mapped at an address aligned as its
    // frames are, so no run crosses a table. A PMD leaf is one lookup for the rest of its 2 MiB
    // (follow_huge_pmd()'s ctx->page_mask: __get_user_pages() takes page_increm pages at once).
    // A PUD leaf is one lookup for the rest of its GiB (follow_huge_pud(): HPAGE_PUD_NR - 1).
    const inTable = (t.leafBits & PTE_PUD) !== 0 ? PUD_PAGES - (vpn & PUD_INDEX_MASK) : PTRS_PER_PTE - idx;
    const max = Math.min(nrPages - i, (vma.end - addr) / PAGE_SIZE, inTable);
    const run = t.leafBits !== 0 ? max : folioRun(f, pfn, max, t.pfn, idx, t.bits, PTE_PRESENT);
    if (grab) {
      const head = f.head(pfn);
      if (!tryGrabFolio(s, head, run, mode)) return i > 0 ? i : -ENOMEM;
      if ((flags & FOLL_LONGTERM) !== 0 && (f.flags[pfn] & PG_FILE) !== 0) {
        const inode = k.inodes.get(f.mapping[pfn]);
        if (inode !== undefined) {
          const err = k.policy.longtermFilePage({ vma, inode, pfn, pid: task.pid, flags, owner: opts.owner, fast: false, nrPages: run });
          if (err !== 0) {
            ungrabFolio(s, head, run, mode);
            return i > 0 ? i : -err;
          }
        }
      }
      gupStatAcquired(k, head, run, mode);
    }
    if (pages !== undefined) for (let j = 0; j < run; j++) pages[offset + i + j] = pfn + j;
    i += run;
  }
  return i;
}
