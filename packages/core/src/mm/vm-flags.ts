/**
 * VMA flags (`VM_*`, include/linux/mm.h, v6.12), by their kernel names, with their names for
 * events and traces.
 * @module
 */

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
/** VM_NOHUGEPAGE: MADV_NOHUGEPAGE, no THP here, not even by MADV_COLLAPSE (`vma_thp_disabled()`). */
export const VM_NOHUGEPAGE = 1 << 11;
/** VM_WIPEONFORK: MADV_WIPEONFORK, the child of a fork gets this range empty (`dup_mmap()`, kernel/fork.c). */
export const VM_WIPEONFORK = 1 << 12;

const NAMES: [number, string][] = [
  [VM_READ, "read"], [VM_WRITE, "write"], [VM_EXEC, "exec"], [VM_SHARED, "shared"], [VM_MAYWRITE, "maywrite"],
  [VM_IO, "io"], [VM_PFNMAP, "pfnmap"], [VM_DONTCOPY, "dontcopy"], [VM_HUGETLB, "hugetlb"], [VM_HUGEPAGE, "hugepage"],
  [VM_LOCKED, "locked"], [VM_NOHUGEPAGE, "nohugepage"], [VM_WIPEONFORK, "wipeonfork"],
];

/** Names of the VM_* flags set in `flags`. */
export function vmFlagNames(flags: number): string[] {
  return NAMES.filter(([b]) => (flags & b) !== 0).map(([, n]) => n);
}

/** `rwx` string for a VMA's protection bits. */
export function protString(flags: number): string {
  return `${flags & VM_READ ? "r" : "-"}${flags & VM_WRITE ? "w" : "-"}${flags & VM_EXEC ? "x" : "-"}`;
}
