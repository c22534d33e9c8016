import type { Inode } from "../fs/inode.js";
import { PAGE_SHIFT } from "../sim/units.js";
import type { AnonVma } from "./anon-vma.js";
import type { MmStruct } from "./mm-struct.js";

/** VM_READ. */
export const VM_READ = 1 << 0;
/** VM_WRITE. */
export const VM_WRITE = 1 << 1;
/** VM_EXEC. */
export const VM_EXEC = 1 << 2;
/** VM_SHARED: MAP_SHARED. */
export const VM_SHARED = 1 << 3;
/** VM_MAYWRITE: mprotect may add write (required for FOLL_FORCE COW). */
export const VM_MAYWRITE = 1 << 4;
/** VM_IO: memory-mapped I/O. GUP refuses it. */
export const VM_IO = 1 << 5;
/** VM_PFNMAP: raw PFNs without struct page semantics. GUP refuses it. */
export const VM_PFNMAP = 1 << 6;
/** VM_DONTCOPY: not copied at fork (MADV_DONTFORK). */
export const VM_DONTCOPY = 1 << 7;
/** VM_HUGETLB: a hugetlbfs mapping. */
export const VM_HUGETLB = 1 << 8;
/** VM_HUGEPAGE: MADV_HUGEPAGE, faults may allocate PMD-sized THPs. */
export const VM_HUGEPAGE = 1 << 9;
/** VM_LOCKED: mlock'ed. */
export const VM_LOCKED = 1 << 10;

const NAMES: [number, string][] = [
  [VM_READ, "read"], [VM_WRITE, "write"], [VM_EXEC, "exec"], [VM_SHARED, "shared"], [VM_MAYWRITE, "maywrite"],
  [VM_IO, "io"], [VM_PFNMAP, "pfnmap"], [VM_DONTCOPY, "dontcopy"], [VM_HUGETLB, "hugetlb"], [VM_HUGEPAGE, "hugepage"],
  [VM_LOCKED, "locked"],
];

/** Names of the VM_* flags set in `flags`. */
export function vmFlagNames(flags: number): string[] {
  return NAMES.filter(([b]) => (flags & b) !== 0).map(([, n]) => n);
}

/** `rwx` string for a VMA's protection bits. */
export function protString(flags: number): string {
  return `${flags & VM_READ ? "r" : "-"}${flags & VM_WRITE ? "w" : "-"}${flags & VM_EXEC ? "x" : "-"}`;
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
    readonly file: Inode | null,
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

  /** File page index of virtual page `vpn` (`linear_page_index`). */
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
