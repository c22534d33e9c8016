/**
 * Page flags kept per frame (a subset of `enum pageflags`, include/linux/page-flags.h, plus a few
 * model-only bits). Stored in {@link FrameTable.flags}.
 * @module
 */

/** The frame is allocated (not on a free list). */
export const PG_ALLOC = 1 << 0;
/** Anonymous page: `mapping` is an anon_vma id (PAGE_MAPPING_ANON). */
export const PG_ANON = 1 << 1;
/** File page: `mapping` is an inode id, `index` its page offset in the file. */
export const PG_FILE = 1 << 2;
/** PG_dirty. */
export const PG_DIRTY = 1 << 3;
/** PG_writeback: IO in flight. */
export const PG_WRITEBACK = 1 << 4;
/** Head of a large folio (PG_head). */
export const PG_HEAD = 1 << 5;
/** Tail page of a large folio. */
export const PG_TAIL = 1 << 6;
/** The shared zero page (ZERO_PAGE(0)). */
export const PG_ZERO = 1 << 7;
/** PG_anon_exclusive: this anon page is exclusive to one mm and may be reused on write. */
export const PG_ANON_EXCLUSIVE = 1 << 8;
/** PG_private: filesystem buffers (buffer heads) attached; holds one reference. */
export const PG_PRIVATE = 1 << 9;
/** Removed from its file by truncate but still referenced (an orphan). Model-only. */
export const PG_ORPHAN = 1 << 10;
/** PG_reserved: kernel-owned memory (CMA allocations, device memory behind PFNMAP VMAs). */
export const PG_RESERVED = 1 << 11;
/** A hugetlb folio. */
export const PG_HUGETLB = 1 << 12;
/** PG_checked: ext4 data=journal "pending dirty" for a maybe-pinned folio. */
export const PG_CHECKED = 1 << 13;
/** Isolated from the LRU for migration. */
export const PG_ISOLATED = 1 << 14;
/** A persistent-memory frame (ZONE_DEVICE, MEMORY_DEVICE_FS_DAX). */
export const PG_DAX = 1 << 15;
/**
 * The huge zero folio (`huge_zero_folio`, mm/huge_memory.c, v6.12): the 2 MiB folio of zeros a read
 * fault maps by one PMD in a THP-eligible range. Unlike the 4 KiB zero page it is not
 * `is_zero_folio()`, so GUP really pins it.
 */
export const PG_HUGE_ZERO = 1 << 16;
/**
 * PG_swapcache (`folio_test_swapcache()`, include/linux/page-flags.h, v6.12): the folio is in the
 * swap cache, which holds one reference per page and knows its swap offset (`folio->swap`).
 */
export const PG_SWAPCACHE = 1 << 17;
/**
 * A ZONE_DEVICE page of MEMORY_DEVICE_PRIVATE memory (`folio_is_device_private()`,
 * include/linux/memremap.h, v6.12): device memory the CPU cannot address, mapped only through
 * device-private swap entries (mm/device-entry.ts).
 */
export const PG_DEVICE_PRIVATE = 1 << 18;
/**
 * A ZONE_DEVICE page of MEMORY_DEVICE_COHERENT memory (`folio_is_device_coherent()`,
 * include/linux/memremap.h, v6.12): device memory the CPU maps with ordinary PTEs.
 */
export const PG_DEVICE_COHERENT = 1 << 19;

/** Flag names, for display. */
export const PAGE_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [PG_ALLOC, "alloc"], [PG_ANON, "anon"], [PG_FILE, "file"], [PG_DIRTY, "dirty"], [PG_WRITEBACK, "writeback"],
  [PG_HEAD, "head"], [PG_TAIL, "tail"], [PG_ZERO, "zero"], [PG_ANON_EXCLUSIVE, "anon_exclusive"],
  [PG_PRIVATE, "private"], [PG_ORPHAN, "orphan"], [PG_RESERVED, "reserved"], [PG_HUGETLB, "hugetlb"],
  [PG_CHECKED, "checked"], [PG_ISOLATED, "isolated"], [PG_DAX, "dax"], [PG_HUGE_ZERO, "huge_zero"],
  [PG_SWAPCACHE, "swapcache"], [PG_DEVICE_PRIVATE, "device_private"], [PG_DEVICE_COHERENT, "device_coherent"],
];

/** The names of the flags set in `flags`. */
export function pageFlagNames(flags: number): string[] {
  return PAGE_FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}
