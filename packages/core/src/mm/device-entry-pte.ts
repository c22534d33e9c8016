/**
 * Device-private entries where page tables are torn down or copied (mm/memory.c, v6.12):
 * `zap_pte_range()` drops the device page's mapping and reference, and fork's
 * `copy_nonpresent_pte()` shares the page with the child, making a writable entry of a COW
 * mapping readable on both sides so that either side's write faults the page back to system
 * memory and copies it there.
 * @module
 */
import type { MmContext } from "./context.js";
import { PG_ANON_EXCLUSIVE } from "../memory/page-flags.js";
import { forEachDeviceEntry, forEachDevicePrivateEntry, isDevicePrivateEntry, isWritableDevicePrivateEntry, makeReadableDevicePrivateEntry, setDevicePrivateEntry } from "./device-entry.js";
import type { Vma } from "./mm-types.js";

/**
 * `zap_pte_range()`'s device-private and device-exclusive branch for [startVpn, endVpn) of `vma`
 * (mm/memory.c, v6.12): clear each entry, `folio_remove_rmap_pte()` (a device-private one), one page fewer in the mm's rss, `folio_put()` (the
 * last reference hands the page back to its driver, `free_zone_device_folio()`). Returns the
 * entries zapped.
 */
export function zapDevicePrivateRange(k: MmContext, vma: Vma, startVpn: number, endVpn: number): number {
  const pt = vma.mm.pageTable;
  let n = 0;
  forEachDeviceEntry(pt, startVpn, endVpn, (vpn, pfn, bits) => {
    pt.clear(vpn);
    // A device-exclusive entry holds the page's reference but no mapcount.
    if (isDevicePrivateEntry(bits)) k.frames.mapcount[pfn]--;
    vma.mm.rss--;
    k.memory.put(pfn);
    n++;
  });
  return n;
}

/**
 * `copy_nonpresent_pte()` (mm/memory.c, v6.12) for every device-private entry of `src`:
 * `folio_get()`, one more page in the child's rss, `folio_try_dup_anon_rmap_pte()` ("cannot fail
 * as these pages cannot get pinned": the page is now shared, no longer PageAnonExclusive) and,
 * for a writable entry of a COW mapping, `make_readable_device_private_entry()` in the parent; the
 * child gets the same entry. Returns the entries copied.
 */
export function copyDevicePrivateEntries(k: MmContext, src: Vma, dst: Vma): number {
  const spt = src.mm.pageTable;
  let n = 0;
  forEachDevicePrivateEntry(spt, src.startVpn, src.endVpn, (vpn, pfn, bits) => {
    k.memory.get(pfn);
    k.frames.mapcount[pfn]++;
    k.frames.flags[pfn] &= ~PG_ANON_EXCLUSIVE;
    dst.mm.rss++;
    let writable = isWritableDevicePrivateEntry(bits);
    if (writable && src.isCow) {
      makeReadableDevicePrivateEntry(spt, vpn);
      writable = false;
    }
    setDevicePrivateEntry(dst.mm.pageTable, vpn, pfn, writable);
    n++;
  });
  return n;
}
