/**
 * What a device plugin can reach besides GUP, the notifiers, the DMA engine, the clock and the
 * events: the few kernel helpers a Linux driver (or the block layer under a direct IO) really
 * calls, each named after the kernel API it models. The frame table and the policy object stay
 * out of reach.
 * @module
 */
import type { KernelContext } from "../kernel/context.js";
import { filemapGetPage, folioMarkDirty, pageMkwrite, readFileData } from "../mm/filemap.js";
import type { MappedFile, MmStruct } from "../mm/mm-types.js";
import type { Process } from "../mm/process.js";
import { PG_DIRTY } from "../memory/page-flags.js";

/** Memlock accounting: what a pinning driver charges to `mm->pinned_vm` against RLIMIT_MEMLOCK. */
export interface MemlockAccounting {
  /** `can_do_mlock()` (mm/mlock.c, v6.12): a non-zero RLIMIT_MEMLOCK, or CAP_IPC_LOCK. */
  canDoMlock(mm: MmStruct, capIpcLock: boolean): boolean;
  /**
   * Charge `pages` to `mm->pinned_vm` (`atomic64_add_return(npages, &mm->pinned_vm)` in
   * `ib_umem_get()`, drivers/infiniband/core/umem.c; `io_account_mem()` in io_uring/rsrc.c;
   * v6.12). Past RLIMIT_MEMLOCK without CAP_IPC_LOCK nothing is charged and the answer is false
   * (the driver's -ENOMEM).
   */
  charge(mm: MmStruct, pages: number, capIpcLock: boolean): boolean;
  /** Give `pages` back (`atomic64_sub(npages, &mm->pinned_vm)`). */
  uncharge(mm: MmStruct, pages: number): void;
}

/** The page helpers drivers call on the pages they hold. */
export interface DevicePages {
  /** `set_page_dirty_lock()` (mm/page-writeback.c, v6.12): the device wrote the page; mark its folio dirty. */
  setPageDirtyLock(pfn: number): void;
  /** `folio_test_dirty()` (include/linux/page-flags.h, v6.12): is the page's folio dirty? */
  folioTestDirty(pfn: number): boolean;
  /** `is_zero_pfn()` (include/linux/pgtable.h, v6.12): is this the shared zero page? */
  isZeroPfn(pfn: number): boolean;
}

/** The page cache, for devices that move file data (an iomap direct IO, io_uring fixed IO). */
export interface DevicePageCache {
  /** `__filemap_get_folio(FGP_CREAT)` (mm/filemap.c, v6.12): the frame of page `index` of `file`, read in or allocated if needed, or -errno. */
  filemapGetPage(file: MappedFile, index: number): number;
  /** `->page_mkwrite` / `->write_end` of a write into page-cache page `pfn` of `file`: attach buffers if the filesystem uses them, then dirty it. */
  pageMkwrite(file: MappedFile, pfn: number): void;
  /** What `file` holds at bytes [offset, offset + length): the page cache, else what reached the disk; stops at EOF. */
  readFileData(file: MappedFile, offset: number, length: number): Uint8Array;
}

/** The driver-side kernel helpers of one kernel instance. */
export interface DriverApi {
  /** Memlock accounting. */
  readonly memlock: MemlockAccounting;
  /** Page helpers. */
  readonly pages: DevicePages;
  /** The page cache. */
  readonly pageCache: DevicePageCache;
  /** `find_get_task_by_vpid()` (kernel/pid.c, v6.12): the live process with pid `pid`, or undefined. */
  findProcess(pid: number): Process | undefined;
}

/** Build the driver-side helpers of kernel `k`. */
export function driverApi(k: KernelContext): DriverApi {
  return {
    memlock: {
      canDoMlock: (mm, capIpcLock) => mm.memlockLimit !== 0 || capIpcLock,
      charge(mm, pages, capIpcLock) {
        mm.pinnedVm += pages;
        if (mm.pinnedVm > mm.memlockPages && !capIpcLock) {
          mm.pinnedVm -= pages;
          return false;
        }
        return true;
      },
      uncharge(mm, pages) {
        mm.pinnedVm -= pages;
      },
    },
    pages: {
      setPageDirtyLock: (pfn) => folioMarkDirty(k, pfn),
      folioTestDirty: (pfn) => (k.frames.flags[k.frames.head(pfn)] & PG_DIRTY) !== 0,
      isZeroPfn: (pfn) => pfn === k.memory.zeroPfn,
    },
    pageCache: {
      filemapGetPage: (file, index) => filemapGetPage(k, file, index),
      pageMkwrite: (file, pfn) => pageMkwrite(k, file, pfn),
      readFileData: (file, offset, length) => readFileData(k, file, offset, length),
    },
    findProcess(pid) {
      const p = k.processes.get(pid);
      return p?.alive === true ? p : undefined;
    },
  };
}
