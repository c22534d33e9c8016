/**
 * Splitting large folios on request (`split_huge_pages_pid()`, the debugfs `split_huge_pages`
 * file of mm/huge_memory.c, v6.12), so a test can set up a PTE-mapped THP or smaller folios.
 * @module
 */
import type { MmContext } from "./context.js";
import { PG_HUGE_ZERO, PG_HUGETLB } from "../memory/page-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { splitFolio } from "./huge-memory.js";
import type { MmStruct } from "./mm-types.js";
import { VM_HUGETLB, VM_IO, VM_PFNMAP } from "./vm-flags.js";

/** What one request split: large folios found in the range, and those split. */
export interface SplitResult {
  /** Pages of large folios of an order above the target the walk met (`total`: page by page, so a THP that stays whole counts 512 times). */
  total: number;
  /** Folios split (`split`). */
  split: number;
}

/**
 * `split_huge_pages_pid()` (mm/huge_memory.c, v6.12) over [start, end) of `mm`: every anonymous
 * large folio mapped there of an order above `newOrder` is split to it ({@link splitFolio}); a
 * pinned one is counted and left. hugetlb, PFNMAP and IO mappings are skipped
 * (`vma_not_suitable_for_thp_split()`), and so is the huge zero folio.
 */
export function splitHugePagesPid(k: MmContext, mm: MmStruct, start: number, end: number, newOrder: number): SplitResult {
  const res: SplitResult = { total: 0, split: 0 };
  const f = k.frames;
  for (let addr = start; addr < end; addr += PAGE_SIZE) {
    const vma = mm.findVma(addr);
    if (vma === undefined) break;
    // `addr = vma->vm_end; continue;`: the loop's own step then skips the next VMA's first page too.
    if ((vma.flags & (VM_HUGETLB | VM_IO | VM_PFNMAP)) !== 0) {
      addr = vma.end;
      continue;
    }
    const pfn = mm.pageTable.pfn(addr / PAGE_SIZE);
    if (pfn < 0 || !f.isLarge(pfn)) continue;
    const head = f.head(pfn);
    if ((f.flags[head] & (PG_HUGETLB | PG_HUGE_ZERO)) !== 0 || newOrder >= f.order[head]) continue;
    res.total++;
    if (splitFolio(k, head, newOrder) === 0) res.split++;
  }
  return res;
}
