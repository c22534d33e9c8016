/**
 * `hmm_range_fault()` (mm/hmm.c, Linux v6.12): snapshot a range of a process's page table for a
 * device, faulting in what is missing. It takes **no** page reference (mm/hmm.c has no get_page,
 * folio_get, try_grab or pin call): the caller must check `mmu_interval_read_retry()` under its own
 * lock before trusting the result, and rely on its interval notifier afterwards. It lives with
 * the notifiers because a range is only as good as its interval notifier's sequence.
 * @module
 */
import { EBUSY, EFAULT, EPERM } from "../errno.js";
import type { MmContext } from "../mm/context.js";
import { FAULT_FLAG_WRITE, type FaultStats } from "../mm/fault-flags.js";
import { handleMmFault } from "../mm/fault.js";
import { devicePrivateEntryPfn } from "../mm/device-entry.js";
import { PTE_HUGE, PTE_PRESENT, PTE_PUD, PTE_SPECIAL, PTE_WRITE } from "../mm/page-table.js";
import { VM_IO, VM_PFNMAP, VM_READ, VM_WRITE } from "../mm/vm-flags.js";
import { HPAGE_PMD_ORDER, HPAGE_PUD_ORDER, PAGE_SIZE } from "../sim/units.js";
import type { MmuIntervalNotifier, MmuIntervalNotifiers } from "./mmu-notifiers.js";

/** `HMM_PFN_REQ_FAULT`: fault in pages that are not present. */
export const HMM_PFN_REQ_FAULT = 1 << 0;
/** `HMM_PFN_REQ_WRITE`: fault for write (a present read-only page is write-faulted). */
export const HMM_PFN_REQ_WRITE = 1 << 1;

/** `HMM_PFN_VALID` in {@link HmmRange.hmmFlags}: the entry maps a page the device may use (include/linux/hmm.h, v6.12). */
export const HMM_PFN_VALID = 1 << 0;
/** `HMM_PFN_WRITE` in {@link HmmRange.hmmFlags}: the CPU entry is writable. */
export const HMM_PFN_WRITE = 1 << 1;
/** `HMM_PFN_ERROR` in {@link HmmRange.hmmFlags}: no VMA, or one HMM cannot use (VM_IO, VM_PFNMAP, no VM_READ), or a special PTE. */
export const HMM_PFN_ERROR = 1 << 2;
/**
 * Where the mapping order sits in {@link HmmRange.hmmFlags} (`HMM_PFN_ORDER_SHIFT`, include/linux/hmm.h,
 * v6.12, packed into a byte here): 9 for a page a PMD leaf maps (`hmm_vma_handle_pmd()`,
 * `hmm_vma_walk_hugetlb_entry()`), 18 for one a PUD leaf maps (1 GiB hugetlb), 0 for a PTE.
 */
export const HMM_PFN_ORDER_SHIFT = 3;

/** `hmm_pfn_to_map_order()` (include/linux/hmm.h, v6.12): the CPU mapping order of one {@link HmmRange.hmmFlags} entry. */
export function hmmPfnToMapOrder(flags: number): number {
  return (flags >> HMM_PFN_ORDER_SHIFT) & 0x1f;
}

/** Faults on one page before giving up (the model's stand-in for VM_FAULT_ERROR on a fault that never resolves). */
const MAX_FAULTS_PER_PAGE = 4;

/** A range to snapshot (`struct hmm_range`). */
export interface HmmRange {
  /** The interval notifier covering the range (`range->notifier`; its mm is the one walked). */
  readonly notifier: MmuIntervalNotifier;
  /** The sequence read by `mmu_interval_read_begin()` before the walk. */
  readonly notifierSeq: number;
  /** First byte, page aligned. */
  readonly start: number;
  /** One past the last byte, page aligned. */
  readonly end: number;
  /** HMM_PFN_REQ_FAULT / HMM_PFN_REQ_WRITE for every page (`default_flags`; `pfn_flags_mask` is 0). */
  readonly defaultFlags: number;
  /** Output, one per page: the frame, or -1 (`HMM_PFN_ERROR` / not valid) when not faulted. */
  readonly hmmPfns: Int32Array;
  /** Output, one per page: 1 when the CPU PTE is writable (`HMM_PFN_WRITE`). */
  readonly hmmWrite: Uint8Array;
  /**
   * Optional output, one per page: the entry's HMM_PFN_VALID / HMM_PFN_WRITE / HMM_PFN_ERROR and
   * its mapping order (`hmm_pfn_to_map_order()`), which a snapshot without faulting reads
   * (`dmirror_mkentry()`, lib/test_hmm.c, v6.12): an error (no usable VMA) and a hole (nothing
   * mapped, HMM_PFN_VALID clear) differ there, while {@link HmmRange.hmmPfns} holds -1 for both.
   */
  readonly hmmFlags?: Uint8Array;
  /**
   * `range->dev_private_owner`: a device-private entry whose page this owner's pagemap holds is
   * reported as it is (its device frame, HMM_PFN_VALID, HMM_PFN_WRITE when the entry is writable)
   * instead of being faulted back or reported as not valid (`hmm_vma_handle_pte()`, v6.12).
   */
  readonly devPrivateOwner?: string;
}

/**
 * `hmm_range_fault()` (mm/hmm.c, v6.12): walk `range`, faulting where `defaultFlags` require.
 * Returns 0, or `-errno`:
 * - EBUSY: the interval was invalidated since `notifierSeq` (`mmu_interval_check_retry`); the
 *   caller starts over with a new `mmu_interval_read_begin()`;
 * - EFAULT: no VMA, a VM_IO / VM_PFNMAP or unreadable VMA, a special PTE, or a fault that failed;
 * - EPERM: a write fault in a VMA without VM_WRITE (`hmm_vma_fault`).
 * Faults go through `handle_mm_fault` like a CPU access (anon write allocates, shared file write
 * goes through page_mkwrite and dirties the page) and are reported as one `fault` event.
 */
export function hmmRangeFault(k: MmContext, notifiers: MmuIntervalNotifiers, range: HmmRange): number {
  const mm = range.notifier.mm;
  const pt = mm.pageTable;
  const wantFault = (range.defaultFlags & HMM_PFN_REQ_FAULT) !== 0;
  const wantWrite = wantFault && (range.defaultFlags & HMM_PFN_REQ_WRITE) !== 0;
  const npages = (range.end - range.start) / PAGE_SIZE;
  const stats: FaultStats = {};
  let ret = 0;
  let i = 0;
  let tries = 0;
  while (i < npages) {
    // "If range is no longer valid force retry." Checked before every (re)walk.
    if (notifiers.readRetry(range.notifier, range.notifierSeq)) {
      ret = -EBUSY;
      break;
    }
    const addr = range.start + i * PAGE_SIZE;
    const vpn = addr / PAGE_SIZE;
    const vma = mm.findVma(addr);
    const bits = pt.bits(vpn);
    const pfn = pt.pfn(vpn);
    const present = (bits & PTE_PRESENT) !== 0;
    // hmm_vma_walk_hole / hmm_vma_walk_test: no VMA, or one HMM cannot read; hmm_vma_handle_pte:
    // a special PTE other than the zero page has no struct page. Either is an error when a fault
    // was asked for, else reported as HMM_PFN_ERROR.
    const unusable = vma === undefined || (vma.flags & (VM_IO | VM_PFNMAP)) !== 0 || (vma.flags & VM_READ) === 0;
    if (unusable || (present && (bits & PTE_SPECIAL) !== 0 && pfn !== k.memory.zeroPfn)) {
      if (wantFault) {
        ret = -EFAULT;
        break;
      }
      range.hmmPfns[i] = -1;
      range.hmmWrite[i] = 0;
      if (range.hmmFlags !== undefined) range.hmmFlags[i] = HMM_PFN_ERROR;
      i++;
      continue;
    }
    const writable = (bits & PTE_WRITE) !== 0;
    // hmm_vma_handle_pte(): "Don't fault in device private pages owned by the caller, just report the PFN."
    const devPfn = present ? -1 : devicePrivateEntryPfn(pt, vpn);
    if (devPfn >= 0 && range.devPrivateOwner !== undefined && k.pgmaps.pgmapOf(devPfn)?.owner === range.devPrivateOwner) {
      range.hmmPfns[i] = devPfn;
      range.hmmWrite[i] = writable ? 1 : 0;
      if (range.hmmFlags !== undefined) range.hmmFlags[i] = HMM_PFN_VALID | (writable ? HMM_PFN_WRITE : 0);
      i++;
      tries = 0;
      continue;
    }
    if (present && (!wantWrite || writable)) {
      range.hmmPfns[i] = pfn;
      range.hmmWrite[i] = writable ? 1 : 0;
      // pte_to_hmm_pfn_flags() / pmd_to_hmm_pfn_flags(): a PMD leaf adds its order; a PUD leaf
      // (1 GiB hugetlb: hmm_vma_walk_hugetlb_entry(), huge_page_order(hstate_vma())) adds PUD order.
      if (range.hmmFlags !== undefined) {
        const order = (bits & PTE_PUD) !== 0 ? HPAGE_PUD_ORDER : (bits & PTE_HUGE) !== 0 ? HPAGE_PMD_ORDER : 0;
        range.hmmFlags[i] = HMM_PFN_VALID | (writable ? HMM_PFN_WRITE : 0) | (order << HMM_PFN_ORDER_SHIFT);
      }
      i++;
      tries = 0;
      continue;
    }
    if (!wantFault) {
      // hmm_vma_walk_hole() / pte_none: nothing mapped, HMM_PFN_VALID clear (0).
      range.hmmPfns[i] = -1;
      range.hmmWrite[i] = 0;
      if (range.hmmFlags !== undefined) range.hmmFlags[i] = 0;
      i++;
      continue;
    }
    // hmm_vma_fault: a write fault needs VM_WRITE; then handle_mm_fault and -EBUSY to re-walk here.
    if (wantWrite && (vma.flags & VM_WRITE) === 0) {
      ret = -EPERM;
      break;
    }
    if (++tries > MAX_FAULTS_PER_PAGE || handleMmFault(k, vma, vpn, wantWrite ? FAULT_FLAG_WRITE : 0, stats) < 0) {
      ret = -EFAULT;
      break;
    }
  }
  const faults = Object.values(stats).reduce((a, b) => a + b, 0);
  if (faults > 0 || ret === -EFAULT || ret === -EPERM) {
    k.events.emit("fault", {
      pid: mm.pid, start: range.start, pages: faults, write: wantWrite, source: "hmm_range_fault", counts: stats,
      ...(ret < 0 && ret !== -EBUSY ? { errno: String(-ret) } : {}),
    });
  }
  return ret;
}
