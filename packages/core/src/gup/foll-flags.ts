/**
 * FOLL_* flags (include/linux/mm_types.h `enum { FOLL_WRITE = 1 << 0, ... }`, v6.12), by their
 * kernel names.
 * @module
 */

/** Check PTE is writable; fault for write. */
export const FOLL_WRITE = 1 << 0;
/** Take a reference on each page (get_page); set by get_user_pages*() when a pages array is given. */
export const FOLL_GET = 1 << 1;
/** Give error on hole if it would be zero. */
export const FOLL_DUMP = 1 << 2;
/** Get_user_pages read/write without regard to VMA permissions. */
export const FOLL_FORCE = 1 << 3;
/** Do not wait for IO (FOLL_NOWAIT). */
export const FOLL_NOWAIT = 1 << 4;
/** Do not fault in pages (FOLL_NOFAULT). */
export const FOLL_NOFAULT = 1 << 5;
/** Check for hwpoison. */
export const FOLL_HWPOISON = 1 << 6;
/** Refuse file-backed VMAs (EFAULT). */
export const FOLL_ANON = 1 << 7;
/** Long-term pin: the caller holds the pages indefinitely (RDMA). Requires FOLL_PIN. */
export const FOLL_LONGTERM = 1 << 8;
/** Split a PMD mapping. */
export const FOLL_SPLIT_PMD = 1 << 9;
/** Allow P2PDMA pages. */
export const FOLL_PCI_P2PDMA = 1 << 10;
/** Interruptible fault-in. */
export const FOLL_INTERRUPTIBLE = 1 << 11;
/** Honour NUMA hinting faults (FOLL_HONOR_NUMA_FAULT). */
export const FOLL_HONOR_NUMA_FAULT = 1 << 12;
/** Internal: mark the page accessed. */
export const FOLL_TOUCH = 1 << 16;
/** Internal: a retry after the mmap lock was dropped. */
export const FOLL_TRIED = 1 << 17;
/** Internal: target mm is not current->mm. */
export const FOLL_REMOTE = 1 << 18;
/** Internal: set by pin_user_pages*(); pins instead of plain references. */
export const FOLL_PIN = 1 << 19;
/** Internal: GUP-fast only, never fall back. */
export const FOLL_FAST_ONLY = 1 << 20;
/** Internal: the mmap lock may be dropped. */
export const FOLL_UNLOCKABLE = 1 << 21;
/** Internal: MADV_POPULATE_(READ|WRITE). */
export const FOLL_MADV_POPULATE = 1 << 22;

/** Flags only GUP itself may set (`INTERNAL_GUP_FLAGS`, mm/internal.h). */
export const INTERNAL_GUP_FLAGS = FOLL_TOUCH | FOLL_TRIED | FOLL_REMOTE | FOLL_PIN | FOLL_FAST_ONLY | FOLL_UNLOCKABLE | FOLL_MADV_POPULATE;

/** Every flag by name. */
export const FOLL_FLAGS = {
  FOLL_WRITE, FOLL_GET, FOLL_DUMP, FOLL_FORCE, FOLL_NOWAIT, FOLL_NOFAULT, FOLL_HWPOISON, FOLL_ANON, FOLL_LONGTERM,
  FOLL_SPLIT_PMD, FOLL_PCI_P2PDMA, FOLL_INTERRUPTIBLE, FOLL_HONOR_NUMA_FAULT, FOLL_TOUCH, FOLL_TRIED, FOLL_REMOTE,
  FOLL_PIN, FOLL_FAST_ONLY, FOLL_UNLOCKABLE, FOLL_MADV_POPULATE,
} as const;

/**
 * FOLL_COW (include/linux/mm.h, v4.9 to v5.19; removed in v6.0 by 5535be309971): set by
 * `faultin_page()` after a write fault COWed a page of a VMA without VM_WRITE, so that the retried
 * lookup may take the write-protected but dirty COW copy. Internal to the slow path: no caller
 * passes it, and it is not in {@link FOLL_FLAGS} (the model's own bit, above every real one).
 */
export const FOLL_COW = 1 << 30;

/** A FOLL_* flag name. */
export type FollFlagName = keyof typeof FOLL_FLAGS;

/** True when `name` is a FOLL_* flag name. */
export function isFollFlagName(name: string): name is FollFlagName {
  return Object.prototype.hasOwnProperty.call(FOLL_FLAGS, name);
}

/** Combine flag names into a mask. Unknown names throw. */
export function follFlags(names: readonly string[]): number {
  let mask = 0;
  for (const n of names) {
    if (!isFollFlagName(n)) throw new Error(`unknown FOLL flag "${n}"`);
    mask |= FOLL_FLAGS[n];
  }
  return mask;
}

const NAMES = new Map<number, readonly string[]>();

/**
 * The names of the flags set in `mask`, in bit order: one frozen array per mask, shared (GUP puts
 * it in the `gup` event of every call, so it is looked up, never built, on the hot path).
 */
export function follFlagNames(mask: number): readonly string[] {
  let names = NAMES.get(mask);
  if (names === undefined) {
    names = Object.freeze((Object.entries(FOLL_FLAGS) as [FollFlagName, number][]).filter(([, bit]) => (mask & bit) !== 0).map(([n]) => n));
    if (NAMES.size < 4096) NAMES.set(mask, names);
  }
  return names;
}
