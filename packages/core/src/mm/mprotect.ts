/**
 * Changing the protection of a range: `do_mprotect_pkey()` and `mprotect_fixup()`
 * (mm/mprotect.c, v6.12).
 * @module
 */
import { forEachDeviceEntry, makeReadableDevicePrivateEntry } from "./device-entry.js";
import { EINVAL, ENOENT, ENOMEM } from "../errno.js";
import type { MmContext } from "./context.js";
import { PG_ANON, PG_ANON_EXCLUSIVE } from "../memory/page-flags.js";
import { checkUserRange, liveMm, pageAlign, PROT_MASK } from "./mm-args.js";
import { leafPages, PTE_DIRTY, PTE_HUGE, PTE_SPECIAL, PTE_WRITE, PTRS_PER_PMD, PUD_PAGES } from "./page-table.js";
import type { Process } from "./process.js";
import { vmaModifyFlags, vmaMergeExistingRange } from "./vma-modify.js";
import type { Vma } from "./mm-types.js";
import { VM_HUGETLB, VM_WRITE, protString } from "./vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";

/**
 * `can_change_pte_writable()` (mm/mprotect.c, v6.12): may mprotect make the read-only PTE of
 * `pfn` writable at once? Never a non-exclusive anon page (or a private file page): the next
 * write must fault and COW; in a write-notify shared mapping only when the PTE is already dirty
 * (the filesystem was told of the write).
 */
export function canChangePteWritable(k: MmContext, vma: Vma, pfn: number, bits: number, writenotify: boolean): boolean {
  if (vma.isShared) return !writenotify || (bits & PTE_DIRTY) !== 0;
  return (k.frames.flags[pfn] & (PG_ANON | PG_ANON_EXCLUSIVE)) === (PG_ANON | PG_ANON_EXCLUSIVE);
}

/** Bytes under one PUD entry (PUD_SIZE, 1 GiB). */
const PUD_SIZE = PUD_PAGES * PAGE_SIZE;
/** Bytes under one PGD entry (PGDIR_SIZE, 512 GiB with 4-level paging; the p4d level is folded). */
const PGDIR_SIZE = PUD_SIZE * PTRS_PER_PMD;

/**
 * The MMU-notifier calls `change_protection()` (mm/mprotect.c, v6.12) makes for [start, end) of `vma`:
 * - hugetlb: `hugetlb_change_protection()` (mm/hugetlb.c) always sends MMU_NOTIFY_PROTECTION_VMA
 *   over the range, widened to whole GiBs where PMD sharing is possible
 *   (`adjust_range_if_pmd_sharing_possible()`);
 * - otherwise `change_pud_range()` starts the range at the first PUD entry that has a PMD table
 *   (`!pud_none()`), once per PGD entry (`change_protection_range()`), and ends it at the end of
 *   that PGD entry's part of the range. A range with no page table below it sends nothing.
 * Returns how many ranges were sent.
 */
export function changeProtectionNotify(k: MmContext, vma: Vma, start: number, end: number): number {
  const mm = vma.mm;
  if ((vma.flags & VM_HUGETLB) !== 0) {
    let s = start;
    let e = end;
    const vStart = Math.ceil(vma.start / PUD_SIZE) * PUD_SIZE;
    const vEnd = Math.floor(vma.end / PUD_SIZE) * PUD_SIZE;
    if (vma.isShared && vEnd > vStart && e > vStart && s < vEnd) {
      if (s > vStart) s = Math.floor(s / PUD_SIZE) * PUD_SIZE;
      if (e < vEnd) e = Math.ceil(e / PUD_SIZE) * PUD_SIZE;
    }
    k.notifiers.invalidateRange(mm, s, e, "protection_vma");
    return 1;
  }
  let sent = 0;
  for (let addr = start; addr < end; ) {
    const next = Math.min(end, (Math.floor(addr / PGDIR_SIZE) + 1) * PGDIR_SIZE);
    for (let pud = addr; pud < next; pud = (Math.floor(pud / PUD_SIZE) + 1) * PUD_SIZE) {
      if (!mm.pageTable.pudPresent(pud / PAGE_SIZE)) continue;
      k.notifiers.invalidateRange(mm, pud, next, "protection_vma");
      sent++;
      break;
    }
    addr = next;
  }
  return sent;
}

/** `mprotect()` (`do_mprotect_pkey()` + `mprotect_fixup()`, mm/mprotect.c, v6.12): change protection of [addr, addr + length). Returns 0 or `-errno`. */
export function doMprotect(k: MmContext, proc: Process, addr: number, length: number, prot: number): number {
  const mm = liveMm(proc);
  if (mm === null) return -ENOENT;
  const bad = checkUserRange(addr, length);
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
    changeProtectionNotify(k, vma, vma.start, vma.end);
    const pt = mm.pageTable;
    // Shared mappings without write-notify (shmem, hugetlbfs) get writable PTEs from vm_page_prot
    // directly; the others upgrade PTE by PTE (`vma_wants_manual_pte_write_upgrade`).
    const writenotify = vma.isShared && vma.file !== null && vma.file.fs.dirtyTracking;
    // change_pte_range(), and change_huge_pmd() for a PMD leaf (whole: the VMA split above split any
    // THP leaf crossing the range's ends; can_change_pmd_writable() asks what the PTE check asks,
    // of the folio's first page).
    pt.forEachPresent(vma.startVpn, vma.endVpn, (vpn, pfn, bits) => {
      const leaf = (bits & PTE_HUGE) !== 0;
      if ((prot & VM_WRITE) === 0) {
        if ((bits & PTE_WRITE) !== 0) {
          if (leaf) pt.updatePmd(vpn, PTE_WRITE, 0);
          else pt.update(vpn, PTE_WRITE, 0);
          writeProtected += leaf ? leafPages(bits) : 1;
        }
        return;
      }
      if ((bits & PTE_WRITE) !== 0 || (bits & PTE_SPECIAL) !== 0) return;
      if (!canChangePteWritable(k, vma, pfn, bits, writenotify)) return;
      if (leaf) pt.updatePmd(vpn, 0, PTE_WRITE);
      else pt.update(vpn, 0, PTE_WRITE);
    });
    // change_pte_range(): writable device-private and device-exclusive entries become readable,
    // whatever the new protection (a later write fault makes them writable again).
    forEachDeviceEntry(pt, vma.startVpn, vma.endVpn, (vpn) => makeReadableDevicePrivateEntry(pt, vpn));
  }
  vmaMergeExistingRange(k, mm, addr, end);
  if (err === 0 && at < end) err = -ENOMEM;
  if (err < 0) return err;
  k.events.emit("mprotect", { pid: proc.pid, start: addr, end, prot: protString(prot), writeProtected });
  return 0;
}

