/**
 * `migrate_vma_insert_page()` (mm/migrate_device.c, Linux v6.12): a page migrated to where nothing
 * (or the zero page) was mapped is inserted straight into the page table.
 * @module
 */
import type { MigrateContext } from "./context.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_DEVICE_PRIVATE } from "../memory/page-flags.js";
import { setDevicePrivateEntry } from "../mm/device-entry.js";
import type { Vma } from "../mm/mm-types.js";
import { PTE_DIRTY, PTE_PRESENT, PTE_WRITE, PTE_YOUNG } from "../mm/page-table.js";
import { VM_WRITE } from "../mm/vm-flags.js";

/**
 * `migrate_vma_insert_page()` (mm/migrate_device.c, v6.12): map the new page `page` at `vpn` of
 * the anonymous `vma`: a device-private entry for a device-private page (writable when the VMA
 * is), a present PTE otherwise (writable and dirty when the VMA is writable). Only over an empty
 * PTE or the zero page, never in a PMD leaf; the page joins the anon rmap exclusive, counts in
 * the mm's rss and takes a reference. False when it aborts (the page then stops migrating).
 */
export function insertDevicePage(k: MigrateContext, vma: Vma, vpn: number, page: number): boolean {
  const f = k.frames;
  if (!vma.isAnonymous) return false;
  const pt = vma.mm.pageTable;
  if (pt.isLeaf(vpn)) return false;
  const orig = pt.bits(vpn);
  if ((orig & PTE_PRESENT) !== 0) {
    if (pt.pfn(vpn) !== k.memory.zeroPfn) return false;
  } else if (orig !== 0) {
    return false;
  }
  const av = k.anonVmaPrepare(vma);
  vma.mm.rss++;
  // folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE), folio_get().
  f.flags[page] |= PG_ANON | PG_ANON_EXCLUSIVE;
  f.mapping[page] = av.id;
  f.index[page] = vma.fileIndex(vpn);
  f.mapcount[page]++;
  k.memory.get(page);
  if ((orig & PTE_PRESENT) !== 0) pt.clear(vpn);
  const writable = (vma.flags & VM_WRITE) !== 0;
  if ((f.flags[page] & PG_DEVICE_PRIVATE) !== 0) setDevicePrivateEntry(pt, vpn, page, writable);
  else pt.set(vpn, page, PTE_YOUNG | (writable ? PTE_WRITE | PTE_DIRTY : 0));
  return true;
}
