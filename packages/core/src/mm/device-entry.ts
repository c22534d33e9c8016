/**
 * Device-private entries in a page table (include/linux/swapops.h, v6.12): a non-present PTE
 * that names a ZONE_DEVICE page the CPU cannot address (`SWP_DEVICE_WRITE` / `SWP_DEVICE_READ`,
 * `make_writable_device_private_entry()` / `make_readable_device_private_entry()`). The kernel
 * keeps them among the swap entries (`is_swap_pte()` is true, `non_swap_entry()` says they name
 * no swap slot) and tells them apart by `swp_type()`. pinlab's PTE bits are all taken, so the
 * type sits in the bits a non-present entry leaves free: {@link PTE_SWAP} marks any non-present,
 * non-none entry, {@link PTE_SPECIAL} makes it a device-private one, {@link PTE_WRITE} makes it
 * writable ({@link PTE_HUGE} instead of PTE_SPECIAL makes it a device-exclusive entry,
 * `SWP_DEVICE_EXCLUSIVE_WRITE` / `_READ`, see device-exclusive.ts), and the pfn column holds the device page's frame (`swp_offset_pfn()`), never a swap
 * offset. Genuine swap code (swapops.ts) skips these entries; they count in the page's mapcount
 * and in the mm's rss like present anonymous pages (`folio_add_new_anon_rmap()` in
 * `migrate_vma_insert_page()`, `inc_mm_counter(mm, MM_ANONPAGES)`, mm/migrate_device.c).
 * @module
 */
import { clearNonPresentPteBits, forEachPteWhere, nonPresentPteValue, setNonPresentPte } from "./nonpresent-pte.js";
import { PTE_HUGE, PTE_PRESENT, PTE_SPECIAL, PTE_SWAP, PTE_WRITE, type PageTable } from "./page-table.js";

/** The bits of a device-private entry (`SWP_DEVICE_READ`); add {@link PTE_WRITE} for `SWP_DEVICE_WRITE`. */
export const PTE_DEVICE_PRIVATE = PTE_SWAP | PTE_SPECIAL;

/** The bits of a device-exclusive entry (`SWP_DEVICE_EXCLUSIVE_READ`); add {@link PTE_WRITE} for `_WRITE`. */
export const PTE_DEVICE_EXCLUSIVE = PTE_SWAP | PTE_HUGE;

/** `non_swap_entry()` (include/linux/swapops.h, v6.12) for PTE bits: a non-present entry that names no swap slot (a device entry). */
export function nonSwapEntry(bits: number): boolean {
  return (bits & (PTE_PRESENT | PTE_SWAP)) === PTE_SWAP && (bits & (PTE_SPECIAL | PTE_HUGE)) !== 0;
}

/** `is_device_exclusive_entry()` (include/linux/swapops.h, v6.12) for PTE bits. */
export function isDeviceExclusiveEntry(bits: number): boolean {
  return (bits & (PTE_PRESENT | PTE_DEVICE_EXCLUSIVE)) === PTE_DEVICE_EXCLUSIVE;
}

/** `make_{writable,readable}_device_exclusive_entry(pfn)` set at `vpn` (`page_make_device_exclusive_one()`, mm/rmap.c, v6.12). */
export function setDeviceExclusiveEntry(pt: PageTable, vpn: number, pfn: number, writable: boolean): void {
  setNonPresentPte(pt, vpn, pfn, PTE_DEVICE_EXCLUSIVE | (writable ? PTE_WRITE : 0), "a device-exclusive entry");
}

/** The page a device-exclusive entry at `vpn` names, or -1 when it is none. */
export function deviceExclusiveEntryPfn(pt: PageTable, vpn: number): number {
  return nonPresentPteValue(pt, vpn, isDeviceExclusiveEntry);
}

/** `is_device_private_entry()` (include/linux/swapops.h, v6.12) for PTE bits. */
export function isDevicePrivateEntry(bits: number): boolean {
  return (bits & (PTE_PRESENT | PTE_DEVICE_PRIVATE)) === PTE_DEVICE_PRIVATE;
}

/** `is_writable_device_private_entry()` (include/linux/swapops.h, v6.12) for PTE bits. */
export function isWritableDevicePrivateEntry(bits: number): boolean {
  return isDevicePrivateEntry(bits) && (bits & PTE_WRITE) !== 0;
}

/**
 * `set_pte_at(mm, addr, ptep, swp_entry_to_pte(make_{writable,readable}_device_private_entry(pfn)))`
 * (v6.12): make the (empty or just cleared) PTE at `vpn` a device-private entry for frame `pfn`.
 */
export function setDevicePrivateEntry(pt: PageTable, vpn: number, pfn: number, writable: boolean): void {
  setNonPresentPte(pt, vpn, pfn, PTE_DEVICE_PRIVATE | (writable ? PTE_WRITE : 0), "a device-private entry");
}

/**
 * `make_readable_device_private_entry()` (or `make_readable_device_exclusive_entry()`) in place
 * (`copy_nonpresent_pte()`, `change_pte_range()`, v6.12): the device entry at `vpn` loses write.
 */
export function makeReadableDevicePrivateEntry(pt: PageTable, vpn: number): void {
  clearNonPresentPteBits(pt, vpn, nonSwapEntry, PTE_WRITE);
}

/** `pfn_swap_entry_to_page()` (include/linux/swapops.h, v6.12) of the entry at `vpn`: the device page's frame, or -1 when it is no device-private entry. */
export function devicePrivateEntryPfn(pt: PageTable, vpn: number): number {
  return nonPresentPteValue(pt, vpn, isDevicePrivateEntry);
}

/** Visit every device-private entry in [startVpn, endVpn) in address order; `fn` may clear or replace the entry it is given. */
export function forEachDevicePrivateEntry(pt: PageTable, startVpn: number, endVpn: number, fn: (vpn: number, pfn: number, bits: number) => void): void {
  forEachPteWhere(pt, startVpn, endVpn, isDevicePrivateEntry, fn);
}

/** Visit every device entry (private or exclusive) in [startVpn, endVpn) in address order; `fn` may clear or replace the entry it is given. */
export function forEachDeviceEntry(pt: PageTable, startVpn: number, endVpn: number, fn: (vpn: number, pfn: number, bits: number) => void): void {
  forEachPteWhere(pt, startVpn, endVpn, nonSwapEntry, fn);
}
