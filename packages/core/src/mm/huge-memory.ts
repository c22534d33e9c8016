/**
 * Splitting PMD mappings of transparent huge pages into PTE mappings (mm/huge_memory.c, v6.12).
 * @module
 */
import type { MmContext } from "./context.js";
import { HPAGE_PMD_NR, PAGE_SIZE } from "../sim/units.js";
import { PTE_HUGE } from "./page-table.js";
import type { Vma } from "./mm-types.js";
import { VM_HUGETLB } from "./vm-flags.js";

/**
 * `__split_huge_pmd` (mm/huge_memory.c, v6.12): the folio mapped at `vpn` stays, but is now mapped by ordinary PTEs in this
 * mm. Only PTEs that map the matching subpage of this folio are changed.
 */
export function splitHugePmd(k: MmContext, vma: Vma, vpn: number, head: number): void {
  const pt = vma.mm.pageTable;
  const pfn = pt.pfn(vpn);
  const base = vpn - (pfn - head);
  for (let i = 0; i < k.frames.nrPages(head); i++) {
    if (pt.pfn(base + i) === head + i) pt.update(base + i, PTE_HUGE, 0);
  }
}

/**
 * `split_huge_pmd_address()` (mm/huge_memory.c, v6.12): if a THP is PMD-mapped across byte address `addr` of `vma` (which is
 * not PMD aligned), map it by ordinary PTEs instead, so a VMA split or a partial zap at `addr`
 * leaves no PMD mapping reaching past the boundary (`vma_adjust_trans_huge`, `zap_pmd_range`).
 * hugetlb mappings are never split this way (their ranges are 2 MiB aligned).
 */
export function splitHugePmdAddress(k: MmContext, vma: Vma, addr: number): void {
  if (addr % (HPAGE_PMD_NR * PAGE_SIZE) === 0 || (vma.flags & VM_HUGETLB) !== 0) return;
  const vpn = Math.floor(addr / PAGE_SIZE);
  const pt = vma.mm.pageTable;
  if ((pt.bits(vpn) & PTE_HUGE) === 0) return;
  splitHugePmd(k, vma, vpn, k.frames.head(pt.pfn(vpn)));
}
