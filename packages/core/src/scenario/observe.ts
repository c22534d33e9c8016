/**
 * Side-effect-free views of the model for expectations: a page's state as `page:` checks it, and
 * what a process would read at an address (without faulting anything in).
 * @module
 */
import { readFileData } from "../mm/filemap.js";
import type { KernelInstance } from "../instance/create-kernel.js";
import {
  PG_ANON, PG_ANON_EXCLUSIVE, PG_DIRTY, PG_FILE, PG_HUGE_ZERO, PG_HUGETLB, PG_ORPHAN, PG_WRITEBACK, PG_ZERO,
} from "../memory/page-flags.js";
import { PTE_DIRTY, PTE_HUGE, PTE_PRESENT, PTE_PUD, PTE_WRITE } from "../mm/page-table.js";
import { peekSwapped } from "../mm/swap-state.js";
import { isSwapPte, pteSwpOffset } from "../mm/swapops.js";
import { deviceExclusiveEntryPfn, devicePrivateEntryPfn, nonSwapEntry } from "../mm/device-entry.js";
import type { Process } from "../mm/process.js";
import { forEachPageChunk, PAGE_SIZE } from "../sim/units.js";

/** A page's state as `page:` expectations see it (`present` and `swapped` and nothing else when not mapped). */
export interface PageState {
  /** A PTE is present. */
  present: boolean;
  /** (2.0) The PTE is a swap entry: the page is swapped out (`/proc/PID/pagemap` bit 62, PM_SWAP). */
  swapped?: boolean;
  /**
   * (2.0) The PTE is a device-private entry: the page lives in device memory the CPU cannot
   * address (`is_device_private_entry()`, include/linux/swapops.h, v6.12); pfn, refcount,
   * mapcount and zone are the device page's.
   */
  device_private?: boolean;
  /** The frame (for display and same_frame_as). */
  pfn?: number;
  /** Folio refcount. */
  refcount?: number;
  /** The page's mappings as /proc/kpagecount counts them: its PTEs plus its folio's PMD mappings (`folio_precise_page_mapcount()`). */
  mapcount?: number;
  /** The folio's PMD- or PUD-level mappings (`folio_entire_mapcount()`; 0 for a small folio). */
  entire_mapcount?: number;
  /** This address is mapped by a PMD leaf (a THP or 2 MiB hugetlb folio mapped whole). */
  pmd_mapped?: boolean;
  /** (2.0) This address is mapped by a PUD leaf (a 1 GiB hugetlb folio mapped whole, `pud_leaf()`). */
  pud_mapped?: boolean;
  /** The folio's order (`folio_order()`: 0 for 4 KiB, 9 for 2 MiB, 18 for 1 GiB). */
  folio_order?: number;
  /** The huge zero folio (not `is_zero_folio()`: GUP pins it). */
  huge_zero_page?: boolean;
  /** Pins as the policy counts them. */
  pincount?: number;
  /** The policy's `folio_maybe_dma_pinned()`. */
  maybe_dma_pinned?: boolean;
  /** The folio or the PTE is dirty. */
  dirty?: boolean;
  /** PG_writeback. */
  writeback?: boolean;
  /** The PTE is writable. */
  writable?: boolean;
  /** PG_anon_exclusive. */
  anon_exclusive?: boolean;
  /** The shared zero page. */
  zero_page?: boolean;
  /** The zone of the frame. */
  zone?: string;
  /** The page left its file but is still referenced. */
  orphan?: boolean;
  /** Anonymous page. */
  anon?: boolean;
  /** File page. */
  file?: boolean;
}

/** The state of the page mapped at `addr` in `proc`. */
export function pageState(inst: KernelInstance, proc: Process, addr: number): PageState {
  const mm = proc.mm;
  if (mm === null || !proc.alive) return { present: false, swapped: false };
  const vpn = Math.floor(addr / PAGE_SIZE);
  const bits = mm.pageTable.bits(vpn);
  const k = inst.kernel;
  if ((bits & PTE_PRESENT) === 0) {
    const dev = devicePrivateEntryPfn(mm.pageTable, vpn);
    if (dev < 0) return { present: false, swapped: isSwapPte(bits) && !nonSwapEntry(bits), device_private: false };
    return {
      present: false, swapped: false, device_private: true, pfn: dev, refcount: k.frames.refcount[dev], mapcount: k.frames.mapcount[dev],
      writable: (bits & PTE_WRITE) !== 0, anon_exclusive: (k.frames.flags[dev] & PG_ANON_EXCLUSIVE) !== 0, zone: k.memory.zoneName(dev),
    };
  }
  const f = k.frames;
  const pfn = mm.pageTable.pfn(vpn);
  const head = f.head(pfn);
  const fl = f.flags[pfn];
  const large = f.isLarge(pfn);
  // PageAnonExclusive(): hugetlb keeps it on the head page; a PMD-mapped THP on its first page.
  const exclusiveOn = (bits & PTE_HUGE) !== 0 || (f.flags[head] & PG_HUGETLB) !== 0 ? head : pfn;
  return {
    present: true,
    swapped: false,
    device_private: false,
    pfn,
    refcount: f.refcount[head],
    mapcount: f.pageMapcount(pfn),
    entire_mapcount: large ? f.entireMapcount[head] : 0,
    pmd_mapped: (bits & (PTE_HUGE | PTE_PUD)) === PTE_HUGE,
    pud_mapped: (bits & PTE_PUD) !== 0,
    folio_order: f.order[head],
    huge_zero_page: (fl & PG_HUGE_ZERO) !== 0,
    pincount: k.policy.pinCount(head),
    maybe_dma_pinned: k.policy.maybeDmaPinned(pfn),
    dirty: (f.flags[head] & PG_DIRTY) !== 0 || (bits & PTE_DIRTY) !== 0,
    writeback: (f.flags[head] & PG_WRITEBACK) !== 0,
    writable: (bits & PTE_WRITE) !== 0,
    anon_exclusive: (f.flags[exclusiveOn] & PG_ANON_EXCLUSIVE) !== 0,
    zero_page: (fl & PG_ZERO) !== 0,
    zone: k.memory.zoneName(pfn),
    orphan: (fl & PG_ORPHAN) !== 0,
    anon: (fl & PG_ANON) !== 0,
    file: (fl & PG_FILE) !== 0,
  };
}

/**
 * What `proc` would read at [addr, addr + length), without faulting: the mapped frame if
 * present, else what a fault would bring (a swapped-out page's bytes from the swap cache or the
 * swap device, zeros for anonymous memory, the file's data for a file mapping). Returns undefined
 * when the address is not mapped at all.
 */
export function peekUser(inst: KernelInstance, proc: Process, addr: number, length: number): Uint8Array | undefined {
  const mm = proc.mm;
  if (mm === null || !proc.alive) return undefined;
  const k = inst.kernel;
  const out = new Uint8Array(length);
  const read = forEachPageChunk(addr, length, (vpn, off, done, len) => {
    const vma = mm.findVma(addr + done);
    if (vma === undefined) return false;
    // A device-private page's bytes are in its device frame (where migrate_to_ram would copy them from).
    const pt = mm.pageTable;
    const mapped = pt.pfn(vpn);
    const pfn = mapped >= 0 ? mapped : Math.max(devicePrivateEntryPfn(pt, vpn), deviceExclusiveEntryPfn(pt, vpn));
    const slot = pfn >= 0 ? -1 : pteSwpOffset(pt, vpn);
    if (pfn >= 0) k.memory.contents.read(pfn, off, len, out, done);
    else if (slot >= 0) peekSwapped(k, slot, off, len, out, done);
    else if (vma.file !== null) out.set(readFileData(k, vma.file, vma.fileIndex(vpn) * PAGE_SIZE + off, len), done);
    return true;
  });
  if (read < length) return read === 0 ? undefined : out.subarray(0, read);
  return out;
}
