/**
 * Swap entries in a page table (include/linux/swapops.h and the `pte_swp_*` helpers of
 * include/linux/pgtable.h, v6.12). A swap PTE is neither present nor none: its bits are
 * {@link PTE_SWAP} (plus {@link PTE_SWP_EXCLUSIVE} when the page was anon-exclusive as it went out,
 * `pte_swp_mkexclusive()`), and the pfn column of its PTE table holds the swap offset
 * (`swp_offset()`). pinlab has one swap device, so an entry is its offset (`swp_type()` is 0). A
 * swap PTE never sits inside a PMD leaf, and the code that walks present entries
 * (`PageTable.forEachPresent`, `pfn()`) never sees one.
 * @module
 */
import { clearNonPresentPteBits, forEachPteWhere, nonPresentPteValue, setNonPresentPte } from "./nonpresent-pte.js";
import { PTE_HUGE, PTE_SPECIAL, PTE_SWAP, PTE_SWP_EXCLUSIVE, type PageTable } from "./page-table.js";

/** A genuine swap entry's bits: PTE_SWAP without a device type (PTE_SPECIAL or PTE_HUGE, see device-entry.ts). */
function isSwapSlotEntry(bits: number): boolean {
  return (bits & (PTE_SWAP | PTE_SPECIAL | PTE_HUGE)) === PTE_SWAP;
}

/**
 * `is_swap_pte()` (include/linux/swapops.h, v6.12): PTE bits of a swap entry, genuine or not: as
 * in the kernel, a device-private entry is one too (`non_swap_entry()`, device-entry.ts, tells
 * them apart); the helpers below see only genuine ones.
 */
export function isSwapPte(bits: number): boolean {
  return (bits & PTE_SWAP) !== 0;
}

/** `pte_swp_exclusive()` (include/linux/pgtable.h, v6.12): the swap entry's page was exclusive to this mm. */
export function pteSwpExclusive(bits: number): boolean {
  return (bits & PTE_SWP_EXCLUSIVE) !== 0;
}

/**
 * `set_pte_at(mm, addr, ptep, swp_entry_to_pte(entry))` (v6.12): make the (empty or just cleared)
 * PTE at `vpn` a swap entry for `offset`, exclusive or not (`pte_swp_mkexclusive()`).
 */
export function setSwapPte(pt: PageTable, vpn: number, offset: number, exclusive: boolean): void {
  setNonPresentPte(pt, vpn, offset, PTE_SWAP | (exclusive ? PTE_SWP_EXCLUSIVE : 0), "a swap entry");
}

/** `swp_offset(pte_to_swp_entry(pte))` (include/linux/swapops.h, v6.12) of the PTE at `vpn`, or -1 when it is no genuine swap entry. */
export function pteSwpOffset(pt: PageTable, vpn: number): number {
  return nonPresentPteValue(pt, vpn, isSwapSlotEntry);
}

/** `pte_swp_clear_exclusive()` on the swap entry at `vpn` (`copy_nonpresent_pte()` marks it shared, mm/memory.c, v6.12). */
export function pteSwpClearExclusive(pt: PageTable, vpn: number): void {
  clearNonPresentPteBits(pt, vpn, isSwapSlotEntry, PTE_SWP_EXCLUSIVE);
}

/**
 * Visit every genuine swap entry (not a device entry) in [startVpn, endVpn) in address order, with its offset and bits. `fn`
 * may clear or replace the entry it is given. Walks only the PTE tables that exist.
 */
export function forEachSwapPte(pt: PageTable, startVpn: number, endVpn: number, fn: (vpn: number, offset: number, bits: number) => void): void {
  forEachPteWhere(pt, startVpn, endVpn, isSwapSlotEntry, fn);
}
