/**
 * Filesystem types and the rules that differ between them. Each is a plain description read by
 * the fault, writeback, truncate and GUP code (the model's `struct address_space_operations` and
 * `vm_operations_struct` flags).
 * @module
 */
import type { FsOps } from "../mm/mm-types.js";

/** Filesystem type names as scenarios write them. */
export const FS_TYPES = ["ext4", "shmem", "hugetlbfs", "fsdax"] as const;

/** A filesystem type name. */
export type FsTypeName = (typeof FS_TYPES)[number];

/** What a filesystem type does: its name, and the flags the mm, GUP and the policies read. */
export interface FsType extends FsOps {
  /** Name. */
  readonly name: FsTypeName;
}

/** The four filesystem types. */
export const FILESYSTEMS: Readonly<Record<FsTypeName, FsType>> = {
  ext4: { name: "ext4", pageCache: true, dirtyTracking: true, writeback: true, buffers: true, huge: false, dax: false, swapBacked: false },
  shmem: { name: "shmem", pageCache: true, dirtyTracking: false, writeback: false, buffers: false, huge: false, dax: false, swapBacked: true },
  hugetlbfs: { name: "hugetlbfs", pageCache: true, dirtyTracking: false, writeback: false, buffers: false, huge: true, dax: false, swapBacked: false },
  fsdax: { name: "fsdax", pageCache: false, dirtyTracking: true, writeback: true, buffers: false, huge: false, dax: true, swapBacked: false },
};
