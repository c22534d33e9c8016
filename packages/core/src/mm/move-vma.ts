/**
 * Moving a range of a VMA to a new address (`move_vma()`, mm/mremap.c, and `copy_vma()`,
 * mm/vma.c, v6.12): a VMA for the new range that keeps the old one's page offset, the
 * page-table entries moved into it, and the old range unmapped, or with MREMAP_DONTUNMAP left
 * mapped and empty.
 * @module
 */
import type { MmContext } from "./context.js";
import { PAGE_SIZE } from "../sim/units.js";
import { type MmStruct, Vma } from "./mm-types.js";
import { doVmiMunmap } from "./mmap.js";
import { movePageTables, type MoveResult } from "./move-page-tables.js";
import { canVmaMerge } from "./vma-modify.js";
import { VM_LOCKED } from "./vm-flags.js";

/** The VMA of `mm` ending exactly at `addr`, or undefined. */
function vmaEndingAt(mm: MmStruct, addr: number): Vma | undefined {
  const v = mm.vmasIn(addr - 1, addr)[0];
  return v !== undefined && v.end === addr ? v : undefined;
}

/**
 * `copy_vma()` (mm/vma.c, v6.12): a VMA for [addr, addr + len) like `vma`, at page offset
 * `pgoff`, sharing its anon_vma (`anon_vma_clone()`) and file. An anonymous VMA never faulted
 * (no anon_vma) takes the new address as its pgoff instead, to merge more easily. The new range
 * first tries to merge with its neighbours (`vma_merge_new_range()`: a neighbour before it grows
 * over it, else one after it grows down to it), never with `vma` itself when `keepSource`
 * (MREMAP_DONTUNMAP). Returns the VMA that now covers the new range.
 */
export function copyVma(k: MmContext, vma: Vma, addr: number, len: number, pgoff: number, keepSource: boolean): Vma {
  const mm = vma.mm;
  if (vma.isAnonymous && vma.anonVma === null) pgoff = addr / PAGE_SIZE;
  const end = addr + len;
  const nv = new Vma(mm, addr, end, vma.flags, vma.file, pgoff, vma.anonymousMapping);
  nv.anonVma = vma.anonVma;
  const ok = (v: Vma | undefined): v is Vma => v !== undefined && !(keepSource && v === vma);
  const prev = vmaEndingAt(mm, addr);
  const next = mm.findVma(end);
  const mergePrev = ok(prev) && canVmaMerge(prev, nv);
  const mergeNext = ok(next) && next.start === end && canVmaMerge(nv, next);
  if (mergePrev) {
    prev.end = end;
    if (prev.anonVma === null && nv.anonVma !== null) {
      prev.anonVma = nv.anonVma;
      k.linkVma(prev);
    }
    if (mergeNext && (next.anonVma === null || next.anonVma === prev.anonVma)) {
      prev.end = next.end;
      k.unlinkVma(next);
      mm.removeVma(next);
    }
    return prev;
  }
  if (mergeNext) {
    next.start = addr;
    next.pgoff = pgoff;
    if (next.anonVma === null && nv.anonVma !== null) {
      next.anonVma = nv.anonVma;
      k.linkVma(next);
    }
    return next;
  }
  mm.insertVma(nv);
  k.linkVma(nv);
  return nv;
}

/**
 * `move_vma()` (mm/mremap.c, v6.12): move [oldAddr, oldAddr + oldLen) of `vma` to `newAddr`,
 * `newLen` long (longer when growing: the rest starts empty). The new VMA's pgoff is the old
 * range's (`new_pgoff = vm_pgoff + (old_addr - vm_start) >> PAGE_SHIFT`), so anonymous pages
 * keep their index and the rmap walk finds them at the new address; {@link movePageTables} moves
 * the entries. Without `dontunmap` the old range is then unmapped (`do_vmi_munmap()`: nothing is
 * left to zap, but the VMA goes and neighbours split). With MREMAP_DONTUNMAP the old VMA stays,
 * without VM_LOCKED; when the move took all of it, it drops its anon_vma (`unlink_anon_vmas()`)
 * and an anonymous one gets `vm_start >> PAGE_SHIFT` as pgoff again, so a fault there maps a new
 * page. VM_ACCOUNT (overcommit accounting) and `vm_ops->mremap` are not modelled.
 */
export function moveVma(k: MmContext, vma: Vma, oldAddr: number, oldLen: number, newLen: number, newAddr: number, dontunmap: boolean): MoveResult {
  const mm = vma.mm;
  const newPgoff = vma.pgoff + (oldAddr - vma.start) / PAGE_SIZE;
  const newVma = copyVma(k, vma, newAddr, newLen, newPgoff, dontunmap);
  // copy_vma() may have merged the source into the new VMA (*vmap = new_vma).
  const src = mm.findVma(oldAddr) ?? vma;
  const moved = movePageTables(k, src, oldAddr, newVma, newAddr, oldLen);
  k.observe("onMremap", mm, oldAddr, newAddr, oldLen);
  if (dontunmap) {
    src.flags &= ~VM_LOCKED;
    if (src.start === oldAddr && src.end === oldAddr + oldLen) {
      src.anonVma?.vmas.delete(src);
      src.anonVma = null;
      if (src.file === null) src.pgoff = src.start / PAGE_SIZE;
    }
    return moved;
  }
  // do_vmi_munmap() of an empty range (old_len 0, the shared-mapping duplicate) fails; move_vma() goes on.
  if (oldLen > 0) doVmiMunmap(k, mm, oldAddr, oldAddr + oldLen);
  return moved;
}
