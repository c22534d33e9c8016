/**
 * Filesystem types and the rules that differ between them. Each is a plain description read by
 * the fault, writeback, truncate and GUP code (the model's `struct address_space_operations` and
 * `vm_operations_struct` flags).
 * @module
 */

/** Filesystem type names as scenarios write them. */
export const FS_TYPES = ["ext4", "shmem", "hugetlbfs", "fsdax"] as const;

/** A filesystem type name. */
export type FsTypeName = (typeof FS_TYPES)[number];

/** What a filesystem type does. */
export interface FsType {
  /** Name. */
  readonly name: FsTypeName;
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

/** The four filesystem types. */
export const FILESYSTEMS: Readonly<Record<FsTypeName, FsType>> = {
  ext4: { name: "ext4", pageCache: true, dirtyTracking: true, writeback: true, buffers: true, huge: false, dax: false, swapBacked: false },
  shmem: { name: "shmem", pageCache: true, dirtyTracking: false, writeback: false, buffers: false, huge: false, dax: false, swapBacked: true },
  hugetlbfs: { name: "hugetlbfs", pageCache: true, dirtyTracking: false, writeback: false, buffers: false, huge: true, dax: false, swapBacked: false },
  fsdax: { name: "fsdax", pageCache: false, dirtyTracking: true, writeback: true, buffers: false, huge: false, dax: true, swapBacked: false },
};
