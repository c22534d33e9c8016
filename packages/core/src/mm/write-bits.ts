/**
 * The PTE (or PMD) bits of a fresh mapping a write fault installs.
 * @module
 */
import { PTE_DIRTY, PTE_WRITE, PTE_YOUNG } from "./page-table.js";
import type { Vma } from "./mm-types.js";
import { VM_WRITE } from "./vm-flags.js";

/** Bits for a fresh writable-if-allowed, dirty, young mapping (`maybe_mkwrite(pte_mkdirty())`, include/linux/mm.h; `maybe_pmd_mkwrite(pmd_mkdirty())`, v6.12). */
export function writeBits(vma: Vma): number {
  return ((vma.flags & VM_WRITE) !== 0 ? PTE_WRITE : 0) | PTE_DIRTY | PTE_YOUNG;
}
