/**
 * Device-exclusive entries (mm/rmap.c, mm/memory.c, Linux v6.12): a device that needs atomic
 * access to an anonymous page has its CPU mappings replaced by non-present entries
 * (`make_device_exclusive_range()`, `page_make_device_exclusive_one()`); the page keeps the
 * mapping's reference but no mapcount. Any CPU access faults and gets the page back
 * (`remove_device_exclusive_entry()`, after an MMU_NOTIFY_EXCLUSIVE invalidation that tells the
 * device its access is revoked); fork restores the entry in the parent before copying it
 * (`try_restore_exclusive_pte()`), zap drops its reference.
 * @module
 */
import type { MmContext } from "./context.js";
import { PG_ANON, PG_DIRTY, PG_HUGETLB } from "../memory/page-flags.js";
import { deviceExclusiveEntryPfn, forEachDeviceEntry, isDeviceExclusiveEntry, setDeviceExclusiveEntry } from "./device-entry.js";
import type { MmStruct, Vma } from "./mm-types.js";
import { PTE_DIRTY, PTE_PRESENT, PTE_WRITE } from "./page-table.js";
import { rmapList } from "./rmap.js";
import { PAGE_SIZE } from "../sim/units.js";
import { VM_WRITE } from "./vm-flags.js";

/**
 * `folio_make_device_exclusive()` + `page_make_device_exclusive_one()` (mm/rmap.c, v6.12): every
 * present PTE mapping the anonymous, non-hugetlb page `page` becomes a device-exclusive entry
 * (writable where the PTE was; MMU_NOTIFY_EXCLUSIVE per mapping, the dirty bit moved to the
 * folio, `folio_remove_rmap_pte()`). True when the entry at (`mm`, `vpn`) was writable and the page
 * is no longer mapped; a mapping that is not present stops the walk (false).
 */
export function folioMakeDeviceExclusive(k: MmContext, page: number, mm: MmStruct, vpn: number): boolean {
  const f = k.frames;
  if ((f.flags[page] & PG_ANON) === 0 || (f.flags[page] & PG_HUGETLB) !== 0) return false;
  let valid = false;
  for (const { vma, vpn: v, bits } of rmapList(k, page)) {
    if ((bits & PTE_PRESENT) === 0) return false;
    const addr = v * PAGE_SIZE;
    k.notifiers.invalidateRange(vma.mm, addr, Math.min(vma.end, addr + PAGE_SIZE), "exclusive");
    const pt = vma.mm.pageTable;
    pt.clear(v);
    if ((bits & PTE_DIRTY) !== 0) f.flags[page] |= PG_DIRTY;
    const write = (bits & PTE_WRITE) !== 0;
    if (vma.mm === mm && v === vpn && write) valid = true;
    setDeviceExclusiveEntry(pt, v, page, write);
    f.mapcount[page]--;
  }
  return valid && f.folioMapcount(page) === 0;
}

/**
 * `restore_exclusive_pte()` (mm/memory.c, v6.12): the device-exclusive entry at `vpn` becomes a
 * present PTE of its page again, old (not young), writable and dirty when the entry was writable
 * and the VMA may be written (`maybe_mkwrite()`), back in the anon rmap (RMAP_NONE); the entry's
 * reference becomes the mapping's.
 */
export function restoreExclusivePte(k: MmContext, vma: Vma, vpn: number): void {
  const pt = vma.mm.pageTable;
  const page = deviceExclusiveEntryPfn(pt, vpn);
  if (page < 0) return;
  const old = pt.clear(vpn);
  const write = (old & PTE_WRITE) !== 0 && (vma.flags & VM_WRITE) !== 0;
  pt.set(vpn, page, write ? PTE_WRITE | PTE_DIRTY : 0);
  k.frames.mapcount[page]++;
}

/**
 * `remove_device_exclusive_entry()` (mm/memory.c, v6.12), the CPU fault on a device-exclusive
 * entry: an MMU_NOTIFY_EXCLUSIVE invalidation of the page (the device loses its atomic access),
 * then `restore_exclusive_pte()`. The access then retries on the present PTE.
 */
export function removeDeviceExclusiveEntry(k: MmContext, vma: Vma, vpn: number): void {
  const addr = vpn * PAGE_SIZE;
  k.notifiers.invalidateRange(vma.mm, addr, addr + PAGE_SIZE, "exclusive");
  restoreExclusivePte(k, vma, vpn);
}

/**
 * `copy_nonpresent_pte()`'s device-exclusive branch (mm/memory.c, v6.12) for all of `vma` before
 * fork copies its PTEs: "make device exclusive entries present by restoring the original entry
 * then copying as for a present pte" (`try_restore_exclusive_pte()`). Returns the entries restored.
 */
export function restoreExclusiveEntries(k: MmContext, vma: Vma): number {
  let n = 0;
  forEachDeviceEntry(vma.mm.pageTable, vma.startVpn, vma.endVpn, (vpn, _pfn, bits) => {
    if (!isDeviceExclusiveEntry(bits)) return;
    restoreExclusivePte(k, vma, vpn);
    n++;
  });
  return n;
}
