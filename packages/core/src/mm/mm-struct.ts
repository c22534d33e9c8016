import { PAGE_SIZE } from "../sim/units.js";
import { PageTable } from "./page-table.js";
import type { Vma } from "./vma.js";

/** Lowest address mmap hands out (`mmap_min_addr`-like floor). */
export const MMAP_MIN_ADDR = 0x10000;
/** Top of the user address space in the model (16 TiB, so page numbers fit in 32 bits). */
export const TASK_SIZE = 2 ** 44;
/** Where top-down mmap placement starts (`mm->mmap_base`). */
export const MMAP_BASE = 0x7f0_0000_0000;

/**
 * An address space (`struct mm_struct`): the VMAs in address order, the page table, the
 * MMF_HAS_PINNED flag, the `pinned_vm` counter and the RLIMIT_MEMLOCK that bounds it, and the
 * `write_protect_seq` that fork holds odd while it write-protects (GUP-fast checks it).
 */
export class MmStruct {
  /** VMAs sorted by start address, non-overlapping. */
  readonly vmas: Vma[] = [];
  /** The page table. */
  readonly pageTable = new PageTable();
  /** MMF_HAS_PINNED: set on first FOLL_PIN, never cleared. */
  hasPinned = false;
  /** `mm->pinned_vm`: pages charged by long-term pinners (RDMA umem). */
  pinnedVm = 0;
  /** `mm->write_protect_seq`: odd while fork is write-protecting this mm. */
  writeProtectSeq = 0;
  /** False once the mm was torn down by exit. */
  live = true;
  /** Pages currently mapped (present PTEs), kept up to date by the mm code. */
  rss = 0;

  /** Create an empty mm for process `pid` with an RLIMIT_MEMLOCK of `memlockLimit` bytes (Infinity = unlimited). */
  constructor(
    /** Kernel-unique id. */
    readonly id: number,
    /** Owning process id. */
    readonly pid: number,
    /** RLIMIT_MEMLOCK in bytes. */
    public memlockLimit: number,
  ) {}

  /** RLIMIT_MEMLOCK in pages. */
  get memlockPages(): number {
    return this.memlockLimit === Infinity ? Infinity : Math.floor(this.memlockLimit / PAGE_SIZE);
  }

  /** The VMA containing `addr` (`vma_lookup`, v6.12), or undefined. */
  findVma(addr: number): Vma | undefined {
    const i = this.indexAfter(addr) - 1;
    const v = i >= 0 ? this.vmas[i] : undefined;
    return v !== undefined && addr < v.end ? v : undefined;
  }

  /** VMAs overlapping [start, end), in address order. */
  vmasIn(start: number, end: number): Vma[] {
    const out: Vma[] = [];
    let i = Math.max(0, this.indexAfter(start) - 1);
    for (; i < this.vmas.length; i++) {
      const v = this.vmas[i];
      if (v.start >= end) break;
      if (v.end > start) out.push(v);
    }
    return out;
  }

  /** Insert a VMA that overlaps none (`vma_link`, v6.12). */
  insertVma(vma: Vma): void {
    const i = this.indexAfter(vma.start);
    this.vmas.splice(i, 0, vma);
  }

  /** Remove a VMA from the mm's VMA tree (`mm->mm_mt`, a maple tree in v6.12). */
  removeVma(vma: Vma): void {
    const i = this.vmas.indexOf(vma);
    if (i >= 0) this.vmas.splice(i, 1);
  }

  /** True when [start, end) overlaps no VMA. */
  isFree(start: number, end: number): boolean {
    return this.vmasIn(start, end).length === 0;
  }

  /**
   * Find a free range of `length` bytes aligned to `align`, top-down from MMAP_BASE
   * (`arch_get_unmapped_area_topdown`, v6.12). Returns -1 when the address space is full.
   */
  getUnmappedArea(length: number, align: number): number {
    let top = MMAP_BASE;
    for (let i = this.vmas.length - 1; i >= -1; i--) {
      const v = i >= 0 ? this.vmas[i] : undefined;
      if (v !== undefined && v.start >= top) continue;
      const floor = v === undefined ? MMAP_MIN_ADDR : Math.max(v.end, MMAP_MIN_ADDR);
      if (floor < top) {
        const cand = Math.floor((top - length) / align) * align;
        if (cand >= floor) return cand;
      }
      if (v === undefined) break;
      top = Math.min(top, v.start);
    }
    return -1;
  }

  /** Index of the first VMA whose start is greater than `addr`. */
  private indexAfter(addr: number): number {
    let lo = 0;
    let hi = this.vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.vmas[mid].start <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
