/**
 * Moving page-table entries from one range of an mm to another, as mremap does
 * (`move_page_tables()`, mm/mremap.c, v6.12). Entries move as they are: a present PTE keeps its
 * frame and bits, a swap entry its slot, a PMD leaf its folio; no reference, mapcount, pin or
 * rmap index changes (the moved VMA keeps the pgoff that finds them, `copy_vma()`), so a page a
 * device pins is still pinned, and now mapped at the new address.
 * @module
 */
import type { MmContext } from "./context.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { splitHugePmd } from "./huge-memory.js";
import type { Vma } from "./mm-types.js";
import { PTE_INDEX_MASK, PTE_PRESENT, PTRS_PER_PTE, PUD_PAGES, type PageTable } from "./page-table.js";
import { nonSwapEntry } from "./device-entry.js";
import { setNonPresentPte } from "./nonpresent-pte.js";
import { VM_HUGETLB } from "./vm-flags.js";

/** PUD_SIZE: 1 GiB of address space. */
const PUD_SIZE = PUD_PAGES * PAGE_SIZE;

/** What a move did: pages whose entries moved (present PTEs, swap entries, 512 per PMD leaf), and PMD leaves split first. */
export interface MoveResult {
  /** Present pages moved (a PMD leaf counts its 512). */
  readonly pages: number;
  /** Swap entries moved. */
  readonly swapEntries: number;
  /** PMD leaves moved whole (`move_huge_pmd()` or, for hugetlb, `move_huge_pte()`). */
  readonly pmdLeaves: number;
  /** THP PMD leaves split because the move was not PMD aligned on both sides (`split_huge_pmd()`). */
  readonly split: number;
}

interface Counts {
  pages: number;
  swapEntries: number;
  pmdLeaves: number;
  split: number;
}

/**
 * `get_extent()` (mm/mremap.c, v6.12): how far the next step may go from `oldAddr` without
 * crossing a `size` boundary on either side, nor `oldEnd`.
 */
export function getExtent(size: number, oldAddr: number, oldEnd: number, newAddr: number): number {
  return Math.min(size - (oldAddr % size), oldEnd - oldAddr, size - (newAddr % size));
}

/**
 * `can_align_down()` (mm/mremap.c, v6.12, not for the stack): `addr` is where `vma` starts and
 * nothing is mapped between the PMD boundary below it and it.
 */
function canAlignDown(vma: Vma, addr: number): boolean {
  if (vma.start !== addr) return false;
  const masked = addr - (addr % HPAGE_PMD_SIZE);
  return masked === addr || vma.mm.vmasIn(masked, addr).length === 0;
}

/**
 * `try_realign_addr()` (mm/mremap.c, v6.12): when the old and new addresses sit at the same
 * offset in their PMDs, both start their VMAs and nothing is mapped below them in those PMDs,
 * move from the PMD boundaries instead, so whole PTE tables can move. Returns the addresses.
 */
export function tryRealignAddr(oldAddr: number, oldVma: Vma, newAddr: number, newVma: Vma): [number, number] {
  const off = oldAddr % HPAGE_PMD_SIZE;
  if (off === 0 || off !== newAddr % HPAGE_PMD_SIZE) return [oldAddr, newAddr];
  if (!canAlignDown(oldVma, oldAddr) || !canAlignDown(newVma, newAddr)) return [oldAddr, newAddr];
  return [oldAddr - off, newAddr - off];
}

/** Present PTEs and swap entries of the PTE table covering `vpn` (what a moved table carries). */
function tableEntries(pt: PageTable, vpn: number, c: Counts): void {
  const t = pt.table(vpn)!;
  for (let i = 0; i < PTRS_PER_PTE; i++) if (t.bits[i] !== 0) countEntry(c, t.bits[i]);
}

/** Count one non-none entry: a page (present, or a device entry naming one) or a swap entry. */
function countEntry(c: Counts, bits: number): void {
  if ((bits & PTE_PRESENT) !== 0 || nonSwapEntry(bits)) c.pages++;
  else c.swapEntries++;
}

/**
 * `move_ptes()` (mm/mremap.c, v6.12): move each entry of [oldVpn, oldEnd) to the same offset
 * from `newVpn`, `ptep_get_and_clear()` then `set_pte_at()`: present PTEs with their frame and
 * bits, swap entries with their slot and exclusive marker, device-private and device-exclusive
 * entries as they are (their page counts in `pages`); none entries are skipped.
 */
function movePtes(pt: PageTable, oldVpn: number, oldEnd: number, newVpn: number, c: Counts): void {
  const t = pt.table(oldVpn);
  if (t === undefined) return;
  for (let v = oldVpn; v < oldEnd; v++) {
    const i = v & PTE_INDEX_MASK;
    const bits = t.bits[i];
    if (bits === 0) continue;
    const pfn = t.pfn[i];
    pt.clear(v);
    const to = newVpn + (v - oldVpn);
    if ((bits & PTE_PRESENT) === 0) setNonPresentPte(pt, to, pfn, bits, "a moved entry");
    else pt.set(to, pfn, bits);
    countEntry(c, bits);
  }
}

/**
 * `move_normal_pud()` (mm/mremap.c, v6.12; x86-64 has HAVE_MOVE_PUD): the PMD table of the GiB at
 * `oldVpn` becomes the new GiB's, when nothing is there yet. The old PUD entry is cleared.
 */
function moveNormalPud(pt: PageTable, oldVpn: number, newVpn: number, c: Counts): boolean {
  if (pt.pudPresent(newVpn)) return false;
  for (let i = 0; i < PUD_PAGES; i += PTRS_PER_PTE) {
    if (pt.pmdNone(oldVpn + i)) continue;
    if (pt.isLeaf(oldVpn + i)) {
      c.pages += HPAGE_PMD_NR;
      c.pmdLeaves++;
    } else {
      tableEntries(pt, oldVpn + i, c);
    }
    pt.movePmd(oldVpn + i, newVpn + i);
  }
  pt.pmdAlloc(newVpn);
  pt.freePgtables(oldVpn, oldVpn + PUD_PAGES, () => false);
  return true;
}

/**
 * `move_hugetlb_page_tables()` (mm/hugetlb.c, v6.12): one MMU_NOTIFY_CLEAR over the old range,
 * then each huge PTE (a 2 MiB PMD leaf in the model) moves to the same offset of the new range
 * (`move_huge_pte()`). PMD sharing (`huge_pmd_unshare()`) is not modelled.
 */
function moveHugetlbPageTables(k: MmContext, vma: Vma, oldAddr: number, newAddr: number, len: number): MoveResult {
  const c: Counts = { pages: 0, swapEntries: 0, pmdLeaves: 0, split: 0 };
  const pt = vma.mm.pageTable;
  k.notifiers.invalidateRange(vma.mm, oldAddr, oldAddr + len, "clear");
  for (let off = 0; off < len; off += HPAGE_PMD_SIZE) {
    const ov = (oldAddr + off) / PAGE_SIZE;
    if (!pt.isLeaf(ov)) continue;
    if (pt.movePmd(ov, (newAddr + off) / PAGE_SIZE)) {
      c.pages += HPAGE_PMD_NR;
      c.pmdLeaves++;
    }
  }
  return c;
}

/**
 * `move_page_tables()` (mm/mremap.c, v6.12): move the entries of [oldAddr, oldAddr + len) of
 * `vma` to `newAddr` in `newVma` (same mm). After `try_realign_addr()`, one MMU_NOTIFY_UNMAP
 * invalidation covers the old range (so interval notifiers, an ODP mirror, hear it); then, extent
 * by extent: a whole GiB moves its PMD table (`move_normal_pud()`); a THP PMD leaf moves whole
 * when the extent is a whole PMD on both sides (`move_huge_pmd()`), else it is split
 * (`split_huge_pmd()`) and its PTEs move; a whole PMD of PTEs moves its table
 * (`move_normal_pmd()`, HAVE_MOVE_PMD); the rest PTE by PTE (`move_ptes()`). hugetlb VMAs go
 * through `move_hugetlb_page_tables()` (moveHugetlbPageTables). Page-table allocation never fails in the model, so
 * everything moves.
 */
export function movePageTables(k: MmContext, vma: Vma, oldAddr: number, newVma: Vma, newAddr: number, len: number): MoveResult {
  const c: Counts = { pages: 0, swapEntries: 0, pmdLeaves: 0, split: 0 };
  if (len === 0) return c;
  if ((vma.flags & VM_HUGETLB) !== 0) return moveHugetlbPageTables(k, vma, oldAddr, newAddr, len);
  const oldEnd = oldAddr + len;
  if (len >= HPAGE_PMD_SIZE - (oldAddr % HPAGE_PMD_SIZE)) [oldAddr, newAddr] = tryRealignAddr(oldAddr, vma, newAddr, newVma);
  const pt = vma.mm.pageTable;
  k.notifiers.invalidateRange(vma.mm, oldAddr, oldEnd, "unmap");
  let extent: number;
  for (; oldAddr < oldEnd; oldAddr += extent, newAddr += extent) {
    extent = getExtent(PUD_SIZE, oldAddr, oldEnd, newAddr);
    const ov = oldAddr / PAGE_SIZE;
    const nv = newAddr / PAGE_SIZE;
    if (!pt.pudPresent(ov)) continue;
    if (extent === PUD_SIZE && moveNormalPud(pt, ov, nv, c)) continue;
    extent = getExtent(HPAGE_PMD_SIZE, oldAddr, oldEnd, newAddr);
    if (pt.pmdNone(ov)) continue;
    pt.pmdAlloc(nv);
    const whole = extent === HPAGE_PMD_SIZE;
    if (pt.isLeaf(ov)) {
      if (whole && pt.movePmd(ov, nv)) {
        c.pages += HPAGE_PMD_NR;
        c.pmdLeaves++;
        continue;
      }
      splitHugePmd(k, vma, ov);
      c.split++;
    } else if (whole && pt.pmdNone(nv)) {
      tableEntries(pt, ov, c);
      pt.movePmd(ov, nv);
      continue;
    }
    movePtes(pt, ov, ov + extent / PAGE_SIZE, nv, c);
  }
  return c;
}

