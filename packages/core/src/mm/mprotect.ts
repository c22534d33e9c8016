/**
 * Changing the protection of a range: `do_mprotect_pkey()` and `mprotect_fixup()`
 * (mm/mprotect.c, v6.12).
 * @module
 */
import { EINVAL, ENOENT, ENOMEM } from "../errno.js";
import type { MmContext } from "./context.js";
import { PG_ANON, PG_ANON_EXCLUSIVE } from "../memory/page-flags.js";
import { checkUserRange, liveMm, pageAlign, PROT_MASK } from "./mm-args.js";
import { PTE_DIRTY, PTE_SPECIAL, PTE_WRITE } from "./page-table.js";
import type { Process } from "./process.js";
import { vmaModifyFlags, vmaMergeExistingRange } from "./vma-modify.js";
import type { Vma } from "./mm-types.js";
import { VM_WRITE, protString } from "./vm-flags.js";

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
      if (canChangePteWritable(k, vma, pfn, bits, writenotify)) pt.update(vpn, 0, PTE_WRITE);
    });
  }
  vmaMergeExistingRange(k, mm, addr, end);
  if (err === 0 && at < end) err = -ENOMEM;
  if (err < 0) return err;
  k.events.emit("mprotect", { pid: proc.pid, start: addr, end, prot: protString(prot), writeProtected });
  return 0;
}

