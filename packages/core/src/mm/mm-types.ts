/**
 * The mm's structures, which point at each other and so live together, as in
 * include/linux/mm_types.h (v6.12): the address space (`struct mm_struct`), its areas
 * (`struct vm_area_struct`), the reverse-mapping root of anonymous pages (`struct anon_vma`,
 * include/linux/rmap.h), and the file behind a mapping as the mm sees it (`vma->vm_file` with its
 * `struct address_space`). The mm never imports fs/: fs/inode.ts's `Inode` implements
 * {@link MappedFile}, and fs/fs-type.ts describes each filesystem with {@link FsOps}, the way
 * mm/memory.c reaches a filesystem through `vma->vm_ops`.
 * @module
 */
import { PAGE_SHIFT, PAGE_SIZE } from "../sim/units.js";
import { PageTable } from "./page-table.js";
import { VM_MAYWRITE, VM_SHARED } from "./vm-flags.js";

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
  /** MMF_HUGE_ZERO_PAGE: this mm counted itself a user of the huge zero folio (`mm_get_huge_zero_folio()`). */
  hugeZeroPage = false;
  /** `mm->pinned_vm`: pages charged by long-term pinners (RDMA umem, checked; io_uring registered buffers, not checked). */
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

  /** The VMA containing `addr` (`vma_lookup()`, include/linux/mm.h, v6.12), or undefined. */
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

  /** Insert a VMA that overlaps none (`vma_link()`, mm/vma.c, v6.12). */
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
   * (`arch_get_unmapped_area_topdown()`, mm/mmap.c, v6.12). Returns -1 when the address space is full.
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

/**
 * A virtual memory area (`struct vm_area_struct`): a page-aligned range of one mm with one set of
 * flags, backed by anonymous memory or by a file at page offset `pgoff`.
 */
export class Vma {
  /** Anon_vma for private pages of this VMA (created on the first anonymous fault). */
  anonVma: AnonVma | null = null;

  /** Describe a VMA; `start` and `end` are byte addresses, page aligned. */
  constructor(
    /** The owning mm. */
    readonly mm: MmStruct,
    /** First byte address. */
    public start: number,
    /** One past the last byte address. */
    public end: number,
    /** VM_* flags. */
    public flags: number,
    /** Backing file, or null for private anonymous memory. */
    readonly file: MappedFile | null,
    /** Page offset in the file of `start`. */
    public pgoff: number,
    /** True for MAP_ANONYMOUS mappings (a MAP_SHARED|MAP_ANONYMOUS one is backed by an internal shmem file). */
    readonly anonymousMapping: boolean,
  ) {}

  /** First virtual page number. */
  get startVpn(): number {
    return this.start / 2 ** PAGE_SHIFT;
  }

  /** One past the last virtual page number. */
  get endVpn(): number {
    return this.end / 2 ** PAGE_SHIFT;
  }

  /** Pages covered. */
  get pages(): number {
    return this.endVpn - this.startVpn;
  }

  /** True for private anonymous memory (`vma_is_anonymous`). */
  get isAnonymous(): boolean {
    return this.file === null;
  }

  /** True for MAP_SHARED. */
  get isShared(): boolean {
    return (this.flags & VM_SHARED) !== 0;
  }

  /** A private, may-write mapping whose pages are copied on write (`is_cow_mapping`). */
  get isCow(): boolean {
    return (this.flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
  }

  /** True when `addr` lies inside. */
  contains(addr: number): boolean {
    return addr >= this.start && addr < this.end;
  }

  /** File page index of virtual page `vpn` (`linear_page_index()`, include/linux/pagemap.h, v6.12). */
  fileIndex(vpn: number): number {
    return this.pgoff + (vpn - this.startVpn);
  }

  /** Virtual page number file page `index` would have in this VMA, inside or outside its range. */
  vpnForIndex(index: number): number {
    return this.startVpn + (index - this.pgoff);
  }

  /** Virtual page number of file page `index`, or -1 when this VMA does not map it. */
  vpnOfIndex(index: number): number {
    const off = index - this.pgoff;
    return off >= 0 && off < this.pages ? this.startVpn + off : -1;
  }
}

/**
 * The reverse-mapping root of anonymous pages (`struct anon_vma`). An anonymous page records its
 * anon_vma id and its virtual page number; every VMA that may map it (the original and its
 * copies made by fork) is listed here, so the rmap walk visits just those VMAs. pinlab keeps one
 * anon_vma per family instead of the kernel's chain of per-process anon_vmas: the walk visits a
 * few more VMAs but finds the same mappings.
 */
export class AnonVma {
  /** VMAs that may map pages of this anon_vma. */
  readonly vmas = new Set<Vma>();

  /** Create an anon_vma with a kernel-unique id. */
  constructor(readonly id: number) {}
}

/**
 * What a filesystem does, as flags the mm, GUP and the policies read: the model's
 * `vm_operations_struct` and `address_space_operations` (include/linux/mm.h,
 * include/linux/fs.h, v6.12).
 */
export interface FsOps {
  /** Pages live in a page cache (false for FS-DAX: the file's blocks are PMEM frames). */
  readonly pageCache: boolean;
  /** Has `->page_mkwrite` and writes back through the page cache: shared writable mappings need dirty tracking (`vma_needs_dirty_tracking`). */
  readonly dirtyTracking: boolean;
  /** Has a backing store that writeback writes to (`mapping_can_writeback`). */
  readonly writeback: boolean;
  /** Attaches buffer heads (PG_private) to pages it dirties (ext4). */
  readonly buffers: boolean;
  /** Pages are PMD-sized folios (hugetlbfs). */
  readonly huge: boolean;
  /** Direct access to persistent memory (`vma_is_fsdax`). */
  readonly dax: boolean;
  /** Swap-backed (shmem): GUP-fast treats it as safe for long-term writable pins (`gup_fast_folio_allowed`). */
  readonly swapBacked: boolean;
}

/**
 * A mapped file: `vma->vm_file` with its `struct address_space` (the page cache `i_pages`, the
 * mappings `i_mmap`) and the host inode's size, as the mm uses them.
 */
export interface MappedFile {
  /** Kernel-unique id (never 0): what a file frame's `mapping` records. */
  readonly id: number;
  /** Name, as scenarios refer to it. */
  readonly name: string;
  /** What its filesystem does. */
  readonly fs: FsOps;
  /** True for the internal file behind a MAP_SHARED|MAP_ANONYMOUS or anonymous MAP_HUGETLB mapping. */
  readonly internal: boolean;
  /**
   * (2.0) For a hugetlbfs file, its hstate's order (`huge_page_order(hstate_inode())`,
   * include/linux/hugetlb.h, v6.12): 18 for the internal file of a `hugetlb: 1GiB` mapping
   * (MAP_HUGE_1GB); absent = 9 (2 MiB, the default hstate).
   */
  readonly hugetlbOrder?: number;
  /**
   * (2.0) The reservation map of a private 1 GiB MAP_HUGETLB mapping (`resv_map` with
   * HPAGE_RESV_OWNER, mm/hugetlb.c, v6.12): the mm that made it and the huge page indexes it
   * reserved at mmap and has not faulted yet.
   */
  hugetlbResv?: { readonly owner: MmStruct; readonly pages: Set<number> };
  /** Size in bytes (`i_size`). */
  size: number;
  /** Number of pages covering `size` (the first index past EOF). */
  readonly sizePages: number;
  /** Page index -> frame (`mapping->i_pages`). For FS-DAX: the block frames. */
  readonly cache: Map<number, number>;
  /** Page index -> bytes written back (`disk`); absent = a hole or never written. */
  readonly backing: Map<number, Uint8Array>;
  /** VMAs mapping this file (`mapping->i_mmap`). */
  readonly mappings: Set<Vma>;
}
