/**
 * What a device plugin can reach besides GUP, the notifiers, the DMA engine, the clock and the
 * events: the few kernel helpers a Linux driver (or the block layer under a direct IO) really
 * calls, each named after the kernel API it models. The frame table and the policy object stay
 * out of reach.
 * @module
 */
import type { KernelContext } from "../kernel/context.js";
import { filemapGetPage, folioMarkDirty, pageMkwrite, readFileData, writeDirect } from "../mm/filemap.js";
import type { MappedFile, MmStruct } from "../mm/mm-types.js";
import type { Process } from "../mm/process.js";
import type { UserStruct } from "../mm/user-struct.js";
import { PG_DIRTY } from "../memory/page-flags.js";
import { ENOMEM } from "../errno.js";
import { PAGE_SIZE } from "../sim/units.js";

/**
 * Memlock accounting: the two counters a long-term pinner charges, and the checks against
 * RLIMIT_MEMLOCK. v6.12 has two: RDMA adds to the mm's `pinned_vm` and checks that
 * (`ib_umem_get()`, drivers/infiniband/core/umem.c); io_uring checks the user's `locked_vm`
 * (`__io_account_mem()`) and only adds to the mm's `pinned_vm`, unchecked (`io_account_mem()`,
 * io_uring/rsrc.c). Neither looks at the other's counter.
 */
export interface MemlockAccounting {
  /** `can_do_mlock()` (mm/mlock.c, v6.12): a non-zero RLIMIT_MEMLOCK, or CAP_IPC_LOCK. */
  canDoMlock(mm: MmStruct, capIpcLock: boolean): boolean;
  /**
   * Charge `pages` to `mm->pinned_vm` and check it (`atomic64_add_return(npages, &mm->pinned_vm)`
   * in `ib_umem_get()`, drivers/infiniband/core/umem.c, v6.12). Past RLIMIT_MEMLOCK without
   * CAP_IPC_LOCK nothing is charged and the answer is false (the driver's -ENOMEM).
   */
  charge(mm: MmStruct, pages: number, capIpcLock: boolean): boolean;
  /** Give `pages` back (`atomic64_sub(npages, &mm->pinned_vm)`). */
  uncharge(mm: MmStruct, pages: number): void;
  /**
   * Add `pages` to `mm->pinned_vm` without any check (`atomic64_add(nr_pages,
   * &ctx->mm_account->pinned_vm)` in `io_account_mem()`, io_uring/rsrc.c, v6.12): the count can
   * pass RLIMIT_MEMLOCK. Give it back with {@link MemlockAccounting.uncharge}.
   */
  pinnedVmAdd(mm: MmStruct, pages: number): void;
  /**
   * `__io_account_mem()` (io_uring/rsrc.c, v6.12): charge `nrPages` to the user's `locked_vm`
   * unless that passes `lockLimit`, the caller's RLIMIT_MEMLOCK in pages
   * (`rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT`; the model keeps it on the mm: `mm.memlockPages`).
   * 0, or -ENOMEM with nothing charged. No CAP_IPC_LOCK test: a ring created with CAP_IPC_LOCK
   * has no `ctx->user` and never calls it.
   */
  ioAccountMem(user: UserStruct, nrPages: number, lockLimit: number): number;
  /** `__io_unaccount_mem()` (io_uring/rsrc.h, v6.12): give `nrPages` of the user's `locked_vm` back. */
  ioUnaccountMem(user: UserStruct, nrPages: number): void;
}

/** The page helpers drivers call on the pages they hold. */
export interface DevicePages {
  /** `set_page_dirty_lock()` (mm/page-writeback.c, v6.12): the device wrote the page; mark its folio dirty. */
  setPageDirtyLock(pfn: number): void;
  /** `folio_test_dirty()` (include/linux/page-flags.h, v6.12): is the page's folio dirty? */
  folioTestDirty(pfn: number): boolean;
  /** `is_zero_pfn()` (include/linux/pgtable.h, v6.12): is this the shared zero page? */
  isZeroPfn(pfn: number): boolean;
  /** `PageCompound()` (include/linux/page-flags.h, v6.12): is the page part of a large folio (its head or a tail)? */
  pageCompound(pfn: number): boolean;
  /** `compound_head()` (include/linux/page-flags.h, v6.12): the head page of the page's folio (the page itself when small). */
  compoundHead(pfn: number): number;
  /** `page_size()` (include/linux/mm.h, v6.12): bytes of the compound page headed by `head` (4 KiB for a small page). */
  pageSize(head: number): number;
}

/** The page cache, for devices that move file data (an iomap direct IO, io_uring fixed IO). */
export interface DevicePageCache {
  /** `__filemap_get_folio(FGP_CREAT)` (mm/filemap.c, v6.12): the frame of page `index` of `file`, read in or allocated if needed, or -errno. */
  filemapGetPage(file: MappedFile, index: number): number;
  /** `->page_mkwrite` / `->write_end` of a write into page-cache page `pfn` of `file`: attach buffers if the filesystem uses them, then dirty it. */
  pageMkwrite(file: MappedFile, pfn: number): void;
  /** What `file` holds at bytes [offset, offset + length): the page cache, else what reached the disk; stops at EOF. */
  readFileData(file: MappedFile, offset: number, length: number): Uint8Array;
  /** (issue 20) A direct write: `data` reaches the disk at `offset` of `file` without the page cache (a cached copy gets the same bytes); not for FS-DAX. */
  writeDirect(file: MappedFile, offset: number, data: Uint8Array): void;
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
      pinnedVmAdd(mm, pages) {
        mm.pinnedVm += pages;
      },
      ioAccountMem(user, nrPages, lockLimit) {
        if (nrPages === 0) return 0;
        if (user.lockedVm + nrPages > lockLimit) return -ENOMEM;
        user.lockedVm += nrPages;
        return 0;
      },
      ioUnaccountMem(user, nrPages) {
        user.lockedVm -= nrPages;
      },
    },
    pages: {
      setPageDirtyLock: (pfn) => folioMarkDirty(k, pfn),
      folioTestDirty: (pfn) => (k.frames.flags[k.frames.head(pfn)] & PG_DIRTY) !== 0,
      isZeroPfn: (pfn) => pfn === k.memory.zeroPfn,
      pageCompound: (pfn) => k.frames.isLarge(pfn),
      compoundHead: (pfn) => k.frames.head(pfn),
      pageSize: (head) => k.frames.nrPages(k.frames.head(head)) * PAGE_SIZE,
    },
    pageCache: {
      filemapGetPage: (file, index) => filemapGetPage(k, file, index),
      pageMkwrite: (file, pfn) => pageMkwrite(k, file, pfn),
      readFileData: (file, offset, length) => readFileData(k, file, offset, length),
      writeDirect: (file, offset, data) => writeDirect(k, file, offset, data),
    },
    findProcess(pid) {
      const p = k.processes.get(pid);
      return p?.alive === true ? p : undefined;
    },
  };
}
