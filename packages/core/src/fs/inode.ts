import type { PinnedWritebackAction } from "../config/kernel-config.js";
import { PAGE_SIZE } from "../sim/units.js";
import type { MappedFile, Vma } from "../mm/mm-types.js";
import type { FsType } from "./fs-type.js";
import { LeaseList } from "./lease.js";

/**
 * Largest file pinlab has: 16 TiB, so every page index fits the frame table's 32-bit index
 * (ext4's own `s_maxbytes` with 4 KiB blocks and extents). Growing past it is refused.
 */
export const MAX_FILE_BYTES = 2 ** 32 * PAGE_SIZE;

/**
 * A file (`struct inode` with its `struct address_space`): size, the page cache (page index ->
 * frame), the backing store (what has reached "disk"), the VMAs that map it (`i_mmap`) and its
 * layout leases. For FS-DAX the cache map holds the file's PMEM block frames.
 */
export class Inode implements MappedFile {
  /** Page index -> frame (`mapping->i_pages`). For FS-DAX: the block frames. */
  readonly cache = new Map<number, number>();
  /** Page index -> bytes written back (`disk`); absent = a hole or never written. */
  readonly backing = new Map<number, Uint8Array>();
  /** VMAs mapping this file (`mapping->i_mmap`). */
  readonly mappings = new Set<Vma>();
  /** Layout leases. */
  readonly leases = new LeaseList();
  /** What writeback does with maybe-pinned pages of this file; undefined = the kernel config's choice. */
  pinnedWriteback: PinnedWritebackAction | undefined;
  /**
   * A writeback error not yet reported (`AS_EIO` / `AS_ENOSPC` in `mapping->flags`), as a
   * positive errno; 0 = none. Set by `mappingSetError`, reported once by `filemapCheckErrors`.
   */
  mappingError = 0;
  /** {@inheritDoc MappedFile.hugetlbOrder} */
  hugetlbOrder: number | undefined;
  /** {@inheritDoc MappedFile.hugetlbResv} */
  hugetlbResv: MappedFile["hugetlbResv"];

  /** Create a file. */
  constructor(
    /** Kernel-unique id (never 0). */
    readonly id: number,
    /** Name, as scenarios refer to it. */
    readonly name: string,
    /** Its filesystem type. */
    readonly fs: FsType,
    /** Size in bytes (`i_size`). */
    public size: number,
    /** True for the internal shmem file behind a MAP_SHARED|MAP_ANONYMOUS mapping. */
    readonly internal = false,
  ) {}

  /** Number of pages covering `size` (the first index past EOF). */
  get sizePages(): number {
    return Math.ceil(this.size / PAGE_SIZE);
  }
}
