/**
 * PMD-mapped transparent huge pages (mm/huge_memory.c, v6.12): splitting a PMD leaf into PTEs
 * (`__split_huge_pmd()`), the write and unshare fault on a read-only leaf
 * (`do_huge_pmd_wp_page()`), and the read and write faults that map one
 * (`do_huge_pmd_anonymous_page()`: the huge zero folio on read, a new THP on write).
 * @module
 */
import { reuseSwapPageThp } from "./reuse-rules.js";
import type { MmContext } from "./context.js";
import { EINVAL, EAGAIN } from "../errno.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_HEAD, PG_HUGE_ZERO, PG_HUGETLB, PG_TAIL } from "../memory/page-flags.js";
import { rmapList } from "./rmap.js";
import { HPAGE_PMD_NR, HPAGE_PMD_ORDER, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { count, type FaultStats } from "./fault-flags.js";
import { PTE_HUGE, PTE_INDEX_MASK, PTE_SPECIAL, PTE_YOUNG, PUD_PAGES } from "./page-table.js";
import type { MmStruct, Vma } from "./mm-types.js";
import { thpVmaAllowableOrders, thpVmaSuitableOrder, TVA_ENFORCE_SYSFS, TVA_IN_PF } from "./thp-allowable.js";
import { VM_HUGETLB } from "./vm-flags.js";
import { writeBits } from "./write-bits.js";

/** What a PMD-level fault handler answers when the PTE level must take over (`VM_FAULT_FALLBACK`). */
export const VM_FAULT_FALLBACK = 1;

/**
 * `__split_huge_pmd()` (mm/huge_memory.c, v6.12) of the THP leaf covering `vpn` in `vma`: one
 * MMU-notifier CLEAR over the whole 2 MiB, then `__split_huge_pmd_locked()` fills the deposited
 * PTE table with 512 PTEs of the leaf's bits. Each PTE takes its own reference and mapcount
 * (`folio_ref_add(folio, HPAGE_PMD_NR - 1)`, `folio_add_anon_rmap_ptes()`) and the PMD's entire
 * mapcount goes; anon-exclusive, kept on the folio's first page while PMD-mapped, passes to every
 * subpage (RMAP_EXCLUSIVE). The huge zero folio's leaf becomes 512 PTEs of the 4 KiB zero page
 * (`__split_huge_zero_page_pmd()`). A hugetlb leaf is never split; nothing happens when no leaf
 * maps `vpn`.
 */
export function splitHugePmd(k: MmContext, vma: Vma, vpn: number): void {
  const pt = vma.mm.pageTable;
  if (!pt.isLeaf(vpn)) return;
  const base = vpn - (vpn & PTE_INDEX_MASK);
  const head = pt.pfn(base);
  const f = k.frames;
  if ((f.flags[head] & PG_HUGETLB) !== 0) return;
  k.notifiers.invalidateRange(vma.mm, base * PAGE_SIZE, base * PAGE_SIZE + HPAGE_PMD_SIZE, "clear");
  k.vmstat.thp_split_pmd++;
  if ((f.flags[head] & PG_HUGE_ZERO) !== 0) {
    pt.splitPmd(base, PTE_SPECIAL, k.memory.zeroPfn);
    return;
  }
  const bits = pt.bits(base) & ~PTE_HUGE;
  const exclusive = (f.flags[head] & PG_ANON_EXCLUSIVE) !== 0;
  pt.splitPmd(base, bits);
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    f.mapcount[head + i]++;
    if (exclusive) f.flags[head + i] |= PG_ANON_EXCLUSIVE;
  }
  f.entireMapcount[head]--;
  k.memory.get(head, HPAGE_PMD_NR - 1);
}

/**
 * `split_huge_pmd_address()` (mm/huge_memory.c, v6.12): if a THP is PMD-mapped across byte address `addr` of `vma` (which is
 * not PMD aligned), map it by ordinary PTEs instead, so a VMA split or a partial zap at `addr`
 * leaves no PMD mapping reaching past the boundary (`vma_adjust_trans_huge`, `zap_pmd_range`).
 * hugetlb mappings are never split this way (their ranges are 2 MiB aligned).
 */
export function splitHugePmdAddress(k: MmContext, vma: Vma, addr: number): void {
  if (addr % HPAGE_PMD_SIZE === 0 || (vma.flags & VM_HUGETLB) !== 0) return;
  splitHugePmd(k, vma, Math.floor(addr / PAGE_SIZE));
}

/**
 * `thp_vma_allowable_order(vma, vm_flags, TVA_IN_PF | TVA_ENFORCE_SYSFS, PMD_ORDER)` +
 * `thp_vma_suitable_order()` (include/linux/huge_mm.h, v6.12) for a PMD-sized anonymous THP at
 * `vpn`, as `__handle_mm_fault()` asks before `create_huge_pmd()`: the machine's THP settings
 * allow 2 MiB here (`always`, or `madvise` and MADV_HUGEPAGE), the aligned 2 MiB around `vpn` lies
 * inside the VMA, and the PMD is empty (`pmd_none()`: v6.12 keeps an emptied PTE table, so a range
 * once mapped by 4 KiB pages stays so).
 */
export function thpFaultAllowed(k: MmContext, vma: Vma, vpn: number): boolean {
  if (thpVmaAllowableOrders(k, vma, TVA_IN_PF | TVA_ENFORCE_SYSFS, 1 << HPAGE_PMD_ORDER) === 0) return false;
  if (!thpVmaSuitableOrder(vma, vpn, HPAGE_PMD_ORDER)) return false;
  return vma.mm.pageTable.pmdNone(vpn);
}

/**
 * Map the 2 MiB folio at `head`, freshly allocated for this mapping, as anonymous and exclusive
 * by the PMD covering `vpn` (`folio_add_new_anon_rmap()` at PMD level, mm/rmap.c;
 * `hugetlb_add_new_anon_rmap()`, v6.12): the allocation reference becomes the mapping's, the
 * entire mapcount is 1, and anon-exclusive is set on the folio's first page only
 * (`SetPageAnonExclusive(&folio->page)`), where a PMD mapping keeps it.
 */
export function mapNewAnonPmd(k: MmContext, vma: Vma, vpn: number, head: number, bits: number, extra = 0): void {
  const f = k.frames;
  const av = k.anonVmaPrepare(vma);
  // A 1 GiB hugetlb folio goes in a PUD leaf the same way (hugetlb_add_new_anon_rmap(), set_huge_pte_at()).
  const nr = f.nrPages(head);
  const base = vpn - (vpn % nr);
  const index = vma.fileIndex(base);
  for (let i = 0; i < nr; i++) {
    f.flags[head + i] |= PG_ANON | extra;
    f.mapping[head + i] = av.id;
    f.index[head + i] = index + i;
  }
  f.flags[head] |= PG_ANON_EXCLUSIVE;
  f.entireMapcount[head] = 1;
  if (nr === PUD_PAGES) vma.mm.pageTable.setPud(base, head, bits);
  else vma.mm.pageTable.setPmd(base, head, bits);
  vma.mm.rss += nr;
}

/**
 * `mm_get_huge_zero_folio()` (mm/huge_memory.c, v6.12): the huge zero folio, `mm` counted once
 * as its user (MMF_HUGE_ZERO_PAGE) however many PMDs map it. -1 when it cannot be allocated.
 */
export function mmGetHugeZeroFolio(k: MmContext, mm: MmStruct): number {
  if (mm.hugeZeroPage) return k.memory.hugeZeroPfn;
  const head = k.memory.getHugeZeroPage();
  if (head >= 0) mm.hugeZeroPage = true;
  return head;
}

/** `mm_put_huge_zero_folio()` (mm/huge_memory.c, v6.12), from `__mmput()`: `mm` no longer uses the huge zero folio. */
export function mmPutHugeZeroFolio(k: MmContext, mm: MmStruct): void {
  if (!mm.hugeZeroPage) return;
  mm.hugeZeroPage = false;
  k.memory.putHugeZeroPage();
}

/**
 * `do_huge_pmd_anonymous_page()` (mm/huge_memory.c, v6.12) on an empty PMD {@link thpFaultAllowed}
 * allows: a read maps the huge zero folio by one PMD (`set_huge_zero_folio()`, read-only, no
 * reference, no mapcount); a write maps a new exclusive THP (`__do_huge_pmd_anonymous_page()`).
 * Returns 0, or {@link VM_FAULT_FALLBACK} when no folio could be had (THP_FAULT_FALLBACK: the PTE
 * path maps a 4 KiB page instead).
 */
export function doHugePmdAnonymousPage(k: MmContext, vma: Vma, vpn: number, write: boolean, stats: FaultStats): number {
  const base = vpn - (vpn & PTE_INDEX_MASK);
  const pt = vma.mm.pageTable;
  // vmf_anon_prepare() comes first, read or write: a VMA that only maps the huge zero folio has
  // an anon_vma, so fork copies its page tables (copy_huge_pmd() maps the folio in the child).
  k.anonVmaPrepare(vma);
  if (!write) {
    const zero = mmGetHugeZeroFolio(k, vma.mm);
    if (zero < 0) return VM_FAULT_FALLBACK;
    pt.setPmd(base, zero, PTE_YOUNG);
    count(stats, "huge_zero");
    return 0;
  }
  const head = k.memory.allocFolio(HPAGE_PMD_ORDER);
  if (head < 0) return VM_FAULT_FALLBACK;
  mapNewAnonPmd(k, vma, base, head, writeBits(vma));
  count(stats, "thp");
  return 0;
}

/**
 * `do_huge_pmd_wp_page()` (mm/huge_memory.c, v6.12): a write fault (or, with `unshare`, an unshare
 * fault for a read-only long-term pin) on the read-only anonymous THP leaf covering `vpn`. The
 * folio is reused in place when its first page is anon-exclusive, or when the only reference is
 * this PMD's (`folio_ref_count() == 1`: the other mappings went, after fork and the child's exit),
 * which makes it exclusive; an unshare then leaves the leaf read-only, a write makes it writable
 * and dirty. Otherwise (a shared or referenced folio, the huge zero folio) the leaf is split and
 * {@link VM_FAULT_FALLBACK} hands the fault to the PTE path.
 */
export function doHugePmdWpPage(k: MmContext, vma: Vma, vpn: number, unshare: boolean, stats: FaultStats): number {
  const pt = vma.mm.pageTable;
  const head = pt.pfn(vpn - (vpn & PTE_INDEX_MASK));
  const f = k.frames;
  if ((f.flags[head] & PG_HUGE_ZERO) !== 0 || (f.flags[head] & PG_ANON) === 0) {
    splitHugePmd(k, vma, vpn);
    return VM_FAULT_FALLBACK;
  }
  // Before v5.19 no page is known exclusive; up to v5.17 the test is reuse_swap_page()'s mapcount (3bff7e3f1f16).
  if ((f.flags[head] & PG_ANON_EXCLUSIVE) === 0 || k.era.cowReuse !== "anon-exclusive") {
    if (k.era.thpReuse === "mapcount" ? !reuseSwapPageThp(k, head) : f.refcount[head] !== 1) {
      splitHugePmd(k, vma, vpn);
      return VM_FAULT_FALLBACK;
    }
    // folio_move_anon_rmap() + SetPageAnonExclusive(page).
    f.flags[head] |= PG_ANON_EXCLUSIVE;
  }
  count(stats, "reuse");
  if (unshare) return 0;
  pt.updatePmd(vpn, 0, writeBits(vma));
  return 0;
}

/**
 * `split_folio_to_order()` -> `split_huge_page_to_list_to_order()` (mm/huge_memory.c, v6.12) of
 * the anonymous large folio at `head` into folios of `newOrder` (0: small pages), as
 * `migrate_pages_batch()` does when no target of its size can be allocated (`try_split_folio()`)
 * and debugfs `split_huge_pages` on request: if nothing but the mappings holds a reference
 * (`can_split_folio()`: no GUP reference, no pin), every PMD mapping is split (`unmap_folio()` with
 * TTU_SPLIT_HUGE_PMD) and each piece becomes a folio keeping its pages'
 * PTE mappings' references and anon-exclusive marks; a piece nothing maps is freed. Returns 0, or
 * -EAGAIN when the folio is referenced beyond its mappings (it stays as it was), -EINVAL
 * for a folio that is not a splittable anonymous THP (small, hugetlb, the huge zero folio) or an
 * order it cannot take (not below its own; order 1, which anonymous memory never has).
 */
export function splitFolio(k: MmContext, head: number, newOrder = 0): number {
  const f = k.frames;
  const fl = f.flags[head];
  const order = f.order[head];
  if (order === 0 || (fl & (PG_HUGETLB | PG_HUGE_ZERO)) !== 0 || (fl & PG_ANON) === 0) return -EINVAL;
  if (newOrder >= order || newOrder === 1 || newOrder < 0) return -EINVAL;
  // can_split_folio() comes before unmap_folio(): a pinned folio keeps its PMD mappings too.
  if (f.refcount[head] !== f.folioMapcount(head)) return -EAGAIN;
  for (const { vma, vpn, bits } of rmapList(k, head)) if ((bits & PTE_HUGE) !== 0) splitHugePmd(k, vma, vpn);
  const nr = f.nrPages(head);
  const m = 1 << newOrder;
  for (let p = head; p < head + nr; p++) {
    const first = p - ((p - head) & (m - 1));
    f.flags[p] &= ~(PG_HEAD | PG_TAIL);
    if (newOrder > 0) f.flags[p] |= p === first ? PG_HEAD : PG_TAIL;
    f.order[p] = newOrder;
    f.pincount[p] = 0;
    f.refcount[p] = 0;
    f.refcount[first] += f.mapcount[p];
  }
  f.entireMapcount[head] = 0;
  k.vmstat.thp_split_page++;
  for (let p = head; p < head + nr; p += m) if (f.refcount[p] === 0) k.memory.freeFolio(p);
  if (newOrder === 0 && k.era.splitZeroRemap) remapZeroSubpages(k, head, nr);
  return 0;
}

/**
 * `remap_page(folio, nr, RMP_USE_SHARED_ZEROPAGE)` after a split to small pages (mm/huge_memory.c
 * `__split_huge_page()`, v6.12): each mapping of a piece that holds only zeros
 * (`try_to_map_unused_to_zeropage()`, mm/migrate.c: `pages_identical(page, ZERO_PAGE(0))`) is
 * replaced by a mapping of the shared zero page, the piece losing that mapping's reference (and
 * freed with its last). Measured on Linux 6.18 with `pinlab host`: a THP with two written
 * subpages paged out writes two pages and counts no `swpout_zero`.
 */
function remapZeroSubpages(k: MmContext, head: number, nr: number): void {
  const f = k.frames;
  for (let p = head; p < head + nr; p++) {
    if (f.mapcount[p] <= 0 || !k.memory.contents.isZeroPage(p)) continue;
    for (const { vma, vpn } of rmapList(k, p)) {
      // The piece's PTE goes (its mapcount, the mm's rss and the mapping's reference) and the zero page's comes.
      const pt = vma.mm.pageTable;
      pt.clear(vpn);
      f.mapcount[p]--;
      vma.mm.rss--;
      pt.set(vpn, k.memory.zeroPfn, PTE_SPECIAL | PTE_YOUNG);
      k.memory.put(p);
    }
  }
}
