/**
 * The hstate of a hugetlb mapping (`hstate_vma()`, include/linux/hugetlb.h, v6.12) and what
 * depends on it: the huge page order (2 MiB by default, 1 GiB for a `hugetlb: 1GiB` mapping,
 * MAP_HUGE_1GB), where a folio for it comes from (`alloc_hugetlb_folio()`), and the
 * reservations of a private 1 GiB mapping (`hugetlb_reserve_pages()`, `hugetlb_vm_op_close()`).
 * 2 MiB hugetlb folios come from the page allocator, as before pools were modelled; 1 GiB ones
 * only from the 1 GiB pool (memory/hugetlb-pool.ts).
 * @module
 */
import type { MmContext } from "./context.js";
import { HPAGE_PMD_ORDER, HPAGE_PUD_NR, HPAGE_PUD_ORDER, PAGE_SIZE } from "../sim/units.js";
import type { MappedFile, MmStruct, Vma } from "./mm-types.js";

/** `huge_page_order(hstate_vma(vma))` (include/linux/hugetlb.h, v6.12): 9 (2 MiB) or 18 (1 GiB). */
export function hugetlbOrder(vma: Vma): number {
  return vma.file?.hugetlbOrder ?? HPAGE_PMD_ORDER;
}

/** `pages_per_huge_page(hstate_vma(vma))` (include/linux/hugetlb.h, v6.12). */
export function pagesPerHugePage(vma: Vma): number {
  return 2 ** hugetlbOrder(vma);
}

/** `huge_page_size(hstate_vma(vma))` in bytes (include/linux/hugetlb.h, v6.12). */
export function hugePageSize(vma: Vma): number {
  return pagesPerHugePage(vma) * PAGE_SIZE;
}

/**
 * `hugetlb_reserve_pages()` (mm/hugetlb.c, v6.12) for a private 1 GiB mapping of `length` bytes
 * made by `mm` on `file`: reserve one pool folio per huge page (`hugetlb_acct_memory()`), the
 * mapping owning them (HPAGE_RESV_OWNER). False when the pool cannot (the mmap fails, -ENOMEM).
 */
export function hugetlbReservePages(k: MmContext, mm: MmStruct, file: MappedFile, length: number): boolean {
  const n = length / (HPAGE_PUD_NR * PAGE_SIZE);
  if (!k.memory.hugetlb1g.acctMemory(n)) return false;
  file.hugetlbResv = { owner: mm, pages: new Set(Array.from({ length: n }, (_, i) => i)) };
  return true;
}

/**
 * `alloc_hugetlb_folio()` (mm/hugetlb.c, v6.12) for the huge page of `vma` at `base`: a 2 MiB
 * folio from the page allocator; a 1 GiB one from the pool, consuming this page's reservation
 * when the mapping still holds one (`vma_needs_reservation()`: only the owner's first fault of the
 * page), else only a folio nobody reserved (a child's COW, a fork's early copy). -1 when none.
 */
export function allocHugetlbFolio(k: MmContext, vma: Vma, base: number): number {
  if (hugetlbOrder(vma) !== HPAGE_PUD_ORDER) return k.memory.allocFolio(HPAGE_PMD_ORDER);
  const resv = vma.file?.hugetlbResv;
  const idx = Math.floor(vma.fileIndex(base) / HPAGE_PUD_NR);
  const useReserve = resv !== undefined && resv.owner === vma.mm && resv.pages.has(idx);
  const head = k.memory.allocHugetlb1g(useReserve);
  if (head >= 0 && useReserve) resv.pages.delete(idx);
  return head;
}

/**
 * `hugetlb_vm_op_close()` (mm/hugetlb.c, v6.12) for `vma` going away (munmap, exit, MAP_FIXED
 * over it): the owner gives back the reservations of its pages never faulted
 * (`hugetlb_acct_memory(h, -gbl_reserve)`).
 */
export function hugetlbVmOpClose(k: MmContext, vma: Vma): void {
  const resv = vma.file?.hugetlbResv;
  if (resv === undefined || resv.owner !== vma.mm) return;
  let n = 0;
  const first = Math.floor(vma.fileIndex(vma.startVpn) / HPAGE_PUD_NR);
  const end = Math.ceil(vma.fileIndex(vma.endVpn) / HPAGE_PUD_NR);
  for (let idx = first; idx < end; idx++) if (resv.pages.delete(idx)) n++;
  k.memory.hugetlb1g.acctMemory(-n);
}
