/**
 * fork: `dup_mmap` and `copy_page_range` (kernel/fork.c, mm/memory.c, v6.12). VMAs are copied
 * except VM_DONTCOPY ones; a VM_WIPEONFORK one is copied empty (no anon_vma, no page table: the
 * child faults zeros in); page tables are copied only for VMAs that cannot simply refault
 * (those with anonymous pages or PFNMAP). A private anon page is shared write-protected with
 * the child and loses its anon-exclusive mark, unless the parent mm has pinned
 * (MMF_HAS_PINNED) and the policy says the page may be DMA-pinned: then the child gets its own
 * copy at once and the parent keeps the pinned page (`__folio_try_dup_anon_rmap` returning
 * -EBUSY -> `copy_present_page`). Swap entries are copied too, shared (swap-pte.ts).
 * @module
 */
import { EEXIST, ENOENT, ENOMEM } from "../errno.js";
import type { MmContext } from "./context.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_HUGE_ZERO, PG_HUGETLB } from "../memory/page-flags.js";
import { HPAGE_PMD_NR } from "../sim/units.js";
import { mapNewAnonPmd, mmGetHugeZeroFolio, mmPutHugeZeroFolio, splitHugePmd } from "./huge-memory.js";
import { MmStruct, Vma } from "./mm-types.js";
import { VM_DONTCOPY, VM_HUGETLB, VM_PFNMAP, VM_WIPEONFORK } from "./vm-flags.js";
import { PTE_DIRTY, PTE_HUGE, PTE_SPECIAL, PTE_WRITE, PTE_YOUNG, PUD_PAGES } from "./page-table.js";
import { Process } from "./process.js";
import { mapPage, mapPmd, zapRange } from "./pte-ops.js";
import { writeBits } from "./write-bits.js";
import { allocHugetlbFolio, hugetlbVmOpClose } from "./hugetlb-hstate.js";
import { copySwapEntries } from "./swap-pte.js";
import { copyDevicePrivateEntries } from "./device-entry-pte.js";
import { restoreExclusiveEntries } from "./device-exclusive.js";
import { copyPresentPage, forkCopiesForDma } from "./fork-dma-copy.js";

/**
 * Fork `parent` into a new process named `childName` (`dup_mmap` + `copy_page_range`, kernel/fork.c
 * and mm/memory.c, v6.12). Returns the child, or `-errno`: ENOENT for an exited parent, EEXIST when
 * the name is taken (process names are unique), ENOMEM when a page that must be copied (a
 * maybe-pinned one) cannot be allocated, whatever the inner error (a 1 GiB hugetlb page the pool
 * cannot give makes `copy_hugetlb_page_range()` fail with `alloc_hugetlb_folio()`'s -ENOSPC, but
 * `dup_mm()` only returns NULL and `copy_mm()` answers -ENOMEM, kernel/fork.c v6.12; measured on
 * 6.18 by `pinlab host`); then no child exists (`dup_mmap` failing makes `copy_process` undo everything).
 */
export function doFork(k: MmContext, parent: Process, childName: string): Process | number {
  const pmm = parent.mm;
  if (pmm === null || !parent.alive || !pmm.live) return -ENOENT;
  if (k.findProcess(childName) !== undefined) return -EEXIST;
  // dup_mmap(): mmap_write_lock_killable(oldmm), held to the end (the child's too, from its creation).
  k.preempt.mmapLock(pmm.id, "write");
  const pid = k.allocPid();
  const cmm = new MmStruct(k.newId(), pid, pmm.memlockLimit);
  const child = new Process(pid, childName, cmm, parent.pid);
  let sharedPages = 0;
  let copiedForDma = 0;
  let vmas = 0;
  let failed = 0;
  for (const pv of pmm.vmas) {
    if ((pv.flags & VM_DONTCOPY) !== 0) continue;
    const cv = new Vma(cmm, pv.start, pv.end, pv.flags, pv.file, pv.pgoff, pv.anonymousMapping);
    // dup_mmap(): "VM_WIPEONFORK gets a clean slate in the child" (tmp->anon_vma = NULL, no
    // anon_vma_fork(), and no copy_page_range()).
    const wipe = (pv.flags & VM_WIPEONFORK) !== 0;
    cv.anonVma = wipe ? null : pv.anonVma;
    cmm.insertVma(cv);
    k.linkVma(cv);
    vmas++;
    if (wipe || !vmaNeedsCopy(pv)) continue;
    // copy_page_range(): for a COW mapping, tell notifiers the parent's PTEs are being
    // write-protected (MMU_NOTIFY_PROTECTION_PAGE; copy_hugetlb_page_range() sends
    // MMU_NOTIFY_CLEAR for a hugetlb VMA) and hold write_protect_seq odd meanwhile
    // (raw_write_seqcount_begin), so GUP-fast pinning in the parent backs off to the slow path.
    if (pv.isCow) {
      k.notifiers.invalidateRange(pmm, pv.start, pv.end, (pv.flags & VM_HUGETLB) !== 0 ? "clear" : "protection_page");
      pmm.writeProtectSeq++;
    }
    copyPmdTables(pv, cmm);
    restoreExclusiveEntries(k, pv);
    const r = copyPageRange(k, pv, cv);
    if (!r.failed) {
      copySwapEntries(k, pv, cv);
      copyDevicePrivateEntries(k, pv, cv);
    }
    if (pv.isCow) pmm.writeProtectSeq++;
    sharedPages += r.shared;
    copiedForDma += r.copied;
    if (r.failed) {
      failed = ENOMEM;
      break;
    }
  }
  if (failed !== 0) {
    // dup_mmap() failed: the child's address space is torn down again (exit_mmap on it).
    for (const vma of [...cmm.vmas]) {
      zapRange(k, vma, vma.startVpn, vma.endVpn);
      k.unlinkVma(vma);
      cmm.removeVma(vma);
    }
    mmPutHugeZeroFolio(k, cmm);
    cmm.live = false;
    return -failed;
  }
  k.addProcess(child);
  k.vmstat.nr_fork_dma_copies += copiedForDma;
  k.events.emit("process", { pid, name: childName, parent: parent.pid });
  k.events.emit("fork", { parent: parent.pid, child: pid, vmas, sharedPages, copiedForDma });
  return child;
}

/**
 * `copy_pud_range()` -> `copy_pmd_range()` (mm/memory.c, v6.12; `huge_pte_alloc()` for hugetlb):
 * the child gets a PMD table under every PUD entry of `src` that has one, even where no PTE is
 * left to copy. A PUD leaf (1 GiB hugetlb) has none: `copyHugetlbEntry` copies the entry itself.
 */
function copyPmdTables(src: Vma, dst: MmStruct): void {
  const spt = src.mm.pageTable;
  for (let vpn = src.startVpn; vpn < src.endVpn; vpn = (Math.floor(vpn / PUD_PAGES) + 1) * PUD_PAGES) {
    if (spt.pudPresent(vpn) && !spt.isPudLeaf(vpn)) dst.pageTable.pmdAlloc(vpn);
  }
}

/** `vma_needs_copy()` (mm/memory.c, v6.12): only VMAs with anon pages or raw PFNs have their page tables copied; the others refault. */
export function vmaNeedsCopy(vma: Vma): boolean {
  return vma.anonVma !== null || (vma.flags & VM_PFNMAP) !== 0;
}

/** What copying a VMA's page tables did: pages shared, pages copied for DMA, and whether an allocation failed. */
interface CopyTally {
  shared: number;
  copied: number;
  failed: boolean;
}

/** `copy_page_range()` (mm/memory.c, v6.12) for one VMA: share or copy every present entry of `src` into `dst`. */
function copyPageRange(k: MmContext, src: Vma, dst: Vma): CopyTally {
  const tally: CopyTally = { shared: 0, copied: 0, failed: false };
  const spt = src.mm.pageTable;
  spt.forEachPresent(src.startVpn, src.endVpn, (vpn, pfn, bits) => {
    if (tally.failed) return;
    if ((bits & PTE_HUGE) === 0) {
      copyPresentPte(k, src, dst, vpn, pfn, bits, tally);
      return;
    }
    if ((k.frames.flags[pfn] & PG_HUGETLB) !== 0) {
      copyHugetlbEntry(k, src, dst, vpn, pfn, bits, tally);
      return;
    }
    if (copyHugePmd(k, src, dst, vpn, pfn, bits, tally)) return;
    // copy_pmd_range(): the leaf was split (-EAGAIN); copy its PTEs one by one.
    spt.forEachPresent(vpn, vpn + HPAGE_PMD_NR, (v, p, b) => {
      if (!tally.failed) copyPresentPte(k, src, dst, v, p, b, tally);
    });
  });
  return tally;
}

/**
 * `copy_present_ptes()` (mm/memory.c, v6.12) for one PTE of `src`: share it with the child, or copy
 * a maybe-pinned exclusive anon page. Sharing a writable PTE of a COW mapping passes the
 * preemption point `fork.copy_pte`: the page was found not maybe-pinned (its dup succeeded) and
 * the parent's PTE is not write-protected yet; GUP-fast in the parent, which takes neither lock
 * fork holds, can pin it there (the race `write_protect_seq` closes from v5.11).
 */
function copyPresentPte(k: MmContext, src: Vma, dst: Vma, vpn: number, pfn: number, bits: number, tally: CopyTally): void {
  const f = k.frames;
  if ((bits & PTE_SPECIAL) !== 0) {
    dst.mm.pageTable.set(vpn, pfn, bits & ~PTE_YOUNG);
    return;
  }
  const anon = (f.flags[pfn] & PG_ANON) !== 0;
  // __folio_try_dup_anon_rmap() refuses (-EBUSY) to share an exclusive anon page that may be
  // DMA-pinned: the child gets its own copy instead (the era decides: forkCopiesForDma).
  if (anon && forkCopiesForDma(k, src.mm, pfn)) {
    if (!copyPresentPage(k, src, dst, vpn, pfn)) tally.failed = true;
    else tally.copied++;
    return;
  }
  // Share: clear anon-exclusive (the dup succeeded), write-protect both sides of a COW mapping
  // (__copy_present_ptes(): wrprotect_ptes() on the parent), +1 mapping.
  if (anon) f.flags[pfn] &= ~PG_ANON_EXCLUSIVE;
  let cbits = bits & ~PTE_YOUNG;
  if (src.isCow && (bits & PTE_WRITE) !== 0) {
    k.preempt.point("fork.copy_pte", [{ mm: src.mm.id, mode: "write" }, { mm: dst.mm.id, mode: "write" }]);
    src.mm.pageTable.update(vpn, PTE_WRITE, 0);
    cbits &= ~PTE_WRITE;
  }
  if (!src.isCow) cbits &= ~PTE_DIRTY;
  mapPage(k, dst, vpn, pfn, cbits);
  tally.shared++;
}

/**
 * `copy_huge_pmd()` (mm/huge_memory.c, v6.12) for the anonymous THP leaf at `vpn`: the child
 * shares the PMD, both sides write-protected and the folio no longer exclusive
 * (`folio_try_dup_anon_rmap_pmd()`: +1 entire mapcount, +1 reference); the huge zero folio is
 * simply mapped again. An exclusive folio that may be DMA-pinned in an mm that has pinned cannot be
 * shared (-EBUSY): the parent's leaf is split and false returned, and `copy_pmd_range()` copies
 * the PTEs instead (-EAGAIN), where each maybe-pinned page gets its copy.
 */
function copyHugePmd(k: MmContext, src: Vma, dst: Vma, vpn: number, head: number, bits: number, tally: CopyTally): boolean {
  const f = k.frames;
  if ((f.flags[head] & PG_HUGE_ZERO) !== 0) {
    mmGetHugeZeroFolio(k, dst.mm);
    dst.mm.pageTable.setPmd(vpn, head, bits & ~PTE_WRITE);
    return true;
  }
  if (forkCopiesForDma(k, src.mm, head)) {
    splitHugePmd(k, src, vpn);
    return false;
  }
  f.flags[head] &= ~PG_ANON_EXCLUSIVE;
  src.mm.pageTable.updatePmd(vpn, PTE_WRITE, 0);
  mapPmd(k, dst, vpn, head, bits & ~(PTE_WRITE | PTE_YOUNG));
  tally.shared += HPAGE_PMD_NR;
  return true;
}

/**
 * `copy_hugetlb_page_range()` (mm/hugetlb.c, v6.12) for one hugetlb entry (PMD or, for 1 GiB, PUD): a file folio is mapped
 * again (`hugetlb_add_file_rmap()`); an anon one is shared unless it is exclusive and may be
 * DMA-pinned (`hugetlb_try_dup_anon_rmap()` answering -EBUSY), when the child gets its own copy,
 * writable (`hugetlb_install_folio()`); a COW mapping write-protects both sides.
 */
function copyHugetlbEntry(k: MmContext, src: Vma, dst: Vma, base: number, head: number, bits: number, tally: CopyTally): void {
  const f = k.frames;
  const nr = f.nrPages(head);
  const anon = (f.flags[head] & PG_ANON) !== 0;
  if (anon) {
    if (forkCopiesForDma(k, src.mm, head)) {
      // alloc_hugetlb_folio(dst_vma, addr, false) (copy_hugetlb_page_range(), mm/hugetlb.c, v6.12): outside any reservation (the child has none).
      const nh = allocHugetlbFolio(k, dst, base);
      if (nh < 0) {
        tally.failed = true;
        return;
      }
      for (let i = 0; i < nr; i++) k.memory.contents.copy(head + i, nh + i);
      mapNewAnonPmd(k, dst, base, nh, writeBits(dst), PG_HUGETLB);
      if (nr === PUD_PAGES) k.observe("onForkCopy", src.mm, base, head, nr);
      else for (let i = 0; i < nr; i++) k.observe("onForkCopy", src.mm, base + i, head + i);
      tally.copied += nr;
      return;
    }
    f.flags[head] &= ~PG_ANON_EXCLUSIVE;
  }
  let cbits = bits & ~PTE_YOUNG;
  if (src.isCow) {
    src.mm.pageTable.updatePmd(base, PTE_WRITE, 0);
    cbits &= ~PTE_WRITE;
  }
  mapPmd(k, dst, base, head, cbits);
  tally.shared += nr;
}

/**
 * `exit_mmap` (mm/mmap.c, v6.12): tear down a process's address space. Returns pages unmapped.
 * The notifiers hear it twice, in this order: `mmu_notifier_release()` calls every interval's
 * `invalidate` with MMU_NOTIFY_RELEASE over the whole address space (`mn_itree_release()`,
 * mm/mmu_notifier.c; the `->release` ops of `mmu_notifier_register()` subscribers, which the model
 * has none of, run then too) and leaves the intervals registered; then `unmap_vmas(&tlb, ..., 0,
 * ULONG_MAX, ...)` (mm/memory.c) sends MMU_NOTIFY_UNMAP over [0, ULONG_MAX) before zapping, when
 * the mm has a VMA at all.
 */
export function doExit(k: MmContext, proc: Process): number {
  const mm = proc.mm;
  if (mm === null || !proc.alive) return 0;
  k.notifiers.invalidateRange(mm, 0, Number.MAX_SAFE_INTEGER, "release");
  if (mm.vmas.length > 0) k.notifiers.invalidateRange(mm, 0, Number.MAX_SAFE_INTEGER, "unmap");
  let pages = 0;
  for (const vma of [...mm.vmas]) {
    pages += zapRange(k, vma, vma.startVpn, vma.endVpn);
    hugetlbVmOpClose(k, vma);
    k.unlinkVma(vma);
    mm.removeVma(vma);
  }
  k.notifiers.subscriptionsDestroy(mm);
  mmPutHugeZeroFolio(k, mm);
  k.policy.onExit?.(proc.pid);
  mm.live = false;
  proc.alive = false;
  k.events.emit("exit", { pid: proc.pid, pages });
  return pages;
}
