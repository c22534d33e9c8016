/**
 * Non-present, non-none PTEs (`is_swap_pte()`, include/linux/swapops.h, v6.12): the kernel keeps
 * every such entry as a `swp_entry_t` whose type says what it is (a swap slot, a device-private or
 * device-exclusive page). pinlab's entries are PTE bits without PTE_PRESENT (PTE_SWAP plus type
 * bits, see swapops.ts and device-entry.ts) and a value in the table's pfn column (a swap offset
 * or a device page's frame). This module is the one place that reads and writes them; the kinds
 * differ only in the predicate they pass. They never sit inside a PMD or PUD leaf.
 * @module
 */
import { PTE_INDEX_MASK, PTE_PRESENT, PTRS_PER_PTE, type PageTable } from "./page-table.js";

/**
 * `set_pte_at(mm, addr, ptep, swp_entry_to_pte(entry))` (v6.12): make the (empty or just cleared)
 * PTE at `vpn` the non-present entry `bits` naming `value`. `what` names the kind for the error
 * thrown when a present PTE is there.
 */
export function setNonPresentPte(pt: PageTable, vpn: number, value: number, bits: number, what: string): void {
  const t = pt.tableAlloc(vpn);
  const i = vpn & PTE_INDEX_MASK;
  if ((t.bits[i] & PTE_PRESENT) !== 0) throw new Error(`page table: ${what} over the present PTE at vpn ${vpn}`);
  t.pfn[i] = value;
  t.bits[i] = bits;
}

/** The value (swap offset or frame) of the PTE at `vpn` when its bits satisfy `is`, else -1. */
export function nonPresentPteValue(pt: PageTable, vpn: number, is: (bits: number) => boolean): number {
  const t = pt.table(vpn);
  if (t === undefined || t.leafBits !== 0) return -1;
  const i = vpn & PTE_INDEX_MASK;
  return is(t.bits[i]) ? t.pfn[i] : -1;
}

/** Clear the bits `clear` of the PTE at `vpn` when its bits satisfy `is` (`pte_swp_clear_exclusive()`, `make_readable_*_entry()` in place). */
export function clearNonPresentPteBits(pt: PageTable, vpn: number, is: (bits: number) => boolean, clear: number): void {
  const t = pt.table(vpn);
  if (t === undefined || t.leafBits !== 0) return;
  const i = vpn & PTE_INDEX_MASK;
  if (is(t.bits[i])) t.bits[i] &= ~clear;
}

/**
 * Visit every PTE in [startVpn, endVpn) whose bits satisfy `is`, in address order, with its value
 * and bits; `fn` may clear or replace the entry it is given. Walks only the PTE tables that exist.
 */
export function forEachPteWhere(pt: PageTable, startVpn: number, endVpn: number, is: (bits: number) => boolean, fn: (vpn: number, value: number, bits: number) => void): void {
  const first = Math.floor(startVpn / PTRS_PER_PTE);
  for (const key of pt.tableKeys()) {
    if (key < first || key * PTRS_PER_PTE >= endVpn) continue;
    const t = pt.table(key * PTRS_PER_PTE)!;
    if (t.leafBits !== 0) continue;
    const end = Math.min(endVpn, (key + 1) * PTRS_PER_PTE);
    for (let v = Math.max(startVpn, key * PTRS_PER_PTE); v < end; v++) {
      const b = t.bits[v & PTE_INDEX_MASK];
      if (is(b)) fn(v, t.pfn[v & PTE_INDEX_MASK], b);
    }
  }
}
