/**
 * `ib_umem_get()` / `ib_umem_release()` (drivers/infiniband/core/umem.c, Linux v6.12): pin a user
 * range long-term for an RDMA memory region, charging it to `mm->pinned_vm`, and give it back.
 * @module
 */
import {
  EFAULT, EINVAL, ENOMEM, EPERM, FOLL_LONGTERM, FOLL_WRITE, PAGE_SIZE, ULONG_MAX,
  type DeviceContext, type MmStruct, type Process, type VaddrPinOwner,
} from "@pinlab/core";
import { SgAppendTable } from "./scatter-list.js";

/** Pages pinned per `pin_user_pages_fast` call: one page of `struct page *` (PAGE_SIZE / 8). */
export const PAGES_PER_CHUNK = PAGE_SIZE / 8;

/** The pin call a umem uses, resolved from the `pinCall` option. */
export type UmemPinCall = "pin_user_pages_fast" | "vaddr_pin_pages";

/** A registered user memory region (`struct ib_umem`). */
export interface IbUmem {
  /** The user virtual address the region starts at (`umem->address`, the IOVA). */
  readonly address: number;
  /** Its length in bytes (`umem->length`). */
  readonly length: number;
  /** Writable (`ib_access_writable`): pinned with FOLL_WRITE, dirtied on release. */
  readonly writable: boolean;
  /** The registering process. */
  readonly proc: Process;
  /** `umem->owning_mm` (kept with mmgrab: pinned_vm is given back to it even after exit). */
  readonly owningMm: MmStruct;
  /** The scatter list of pinned frames. */
  readonly sg: SgAppendTable;
  /** The frames in region order (the device's DMA view). */
  readonly frames: Uint32Array;
  /** How it was pinned. */
  readonly pinCall: UmemPinCall;
  /** The vaddr_pin owner (the uverbs context file), for `vaddr_pin_pages` umems. */
  readonly owner?: VaddrPinOwner;
  /** pin_user_pages_fast / vaddr_pin_pages calls it took. */
  readonly chunks: number;
}

/** What `ibUmemGet` needs besides the range. */
export interface IbUmemGetOptions {
  /** Writable access (FOLL_WRITE). */
  readonly writable: boolean;
  /** The caller has CAP_IPC_LOCK. */
  readonly capIpcLock: boolean;
  /** The pin call to use. */
  readonly pinCall: UmemPinCall;
  /** The vaddr_pin owner, required for `vaddr_pin_pages`. */
  readonly owner?: VaddrPinOwner;
}

/** `ib_umem_num_pages()` (include/rdma/ib_umem.h, v6.12): pages spanned by [addr, addr + length). */
export function ibUmemNumPages(addr: number, length: number): number {
  const first = Math.floor(addr / PAGE_SIZE);
  const end = Math.ceil((addr + length) / PAGE_SIZE);
  return end - first;
}

/**
 * The overflow check of `ib_umem_get()` (drivers/infiniband/core/umem.c, v6.12):
 * `((addr + size) < addr) || PAGE_ALIGN(addr + size) < (addr + size)` on unsigned longs, that is,
 * the end rounded up to a page is past ULONG_MAX. Computed in bigints: a double cannot tell.
 */
export function ibUmemRangeWraps(addr: number, size: number): boolean {
  const page = BigInt(PAGE_SIZE);
  const end = BigInt(addr) + BigInt(size);
  return ((end + page - 1n) / page) * page > ULONG_MAX;
}

/**
 * `ib_umem_get(device, addr, size, access)` (drivers/infiniband/core/umem.c, v6.12): pin [addr, addr + size) of `proc` long-term.
 * Returns the umem or `-errno`:
 * - EINVAL: a range that wraps (`addr + size < addr`, or its PAGE_ALIGN does), zero pages or more than UINT_MAX pages;
 * - EPERM: `can_do_mlock()` fails (RLIMIT_MEMLOCK is 0 and no CAP_IPC_LOCK);
 * - ENOMEM: pinned_vm would exceed RLIMIT_MEMLOCK without CAP_IPC_LOCK;
 * - whatever the pin call returns: EFAULT for a range past TASK_SIZE (`ib_umem_get()` does not look:
 *   `pin_user_pages_fast()` refuses it, after the pinned_vm charge), ENOMEM, EOPNOTSUPP, EPERM...
 * On every failure after the charge, what was pinned is unpinned and pinned_vm restored.
 */
export function ibUmemGet(ctx: DeviceContext<unknown>, proc: Process, addr: number, size: number, opts: IbUmemGetOptions): IbUmem | number {
  // "If the combination of the addr and size requested for this memory region causes an integer
  // overflow, return error.": `(addr + size) < addr || PAGE_ALIGN(addr + size) < (addr + size)`,
  // that is, the page-aligned end is past ULONG_MAX. Nothing else: a range past TASK_SIZE is
  // pin_user_pages_fast()'s to refuse. (Negative or fractional numbers are no unsigned long.)
  if (!Number.isInteger(addr) || !Number.isSafeInteger(size) || addr < 0 || size < 0) return -EINVAL;
  if (ibUmemRangeWraps(addr, size)) return -EINVAL;
  const mm = proc.mm;
  if (mm === null || !proc.alive) return -EFAULT;
  // can_do_mlock(): a non-zero RLIMIT_MEMLOCK, or CAP_IPC_LOCK.
  if (!ctx.memlock.canDoMlock(mm, opts.capIpcLock)) return -EPERM;
  const npages = size === 0 ? 0 : ibUmemNumPages(addr, size);
  if (npages === 0 || npages > 0xffffffff) return -EINVAL;
  // new_pinned = atomic64_add_return(npages, &mm->pinned_vm): charge first, then check.
  if (!ctx.memlock.charge(mm, npages, opts.capIpcLock)) return -ENOMEM;
  const gupFlags = FOLL_LONGTERM | (opts.writable ? FOLL_WRITE : 0);
  const sg = new SgAppendTable();
  let curBase = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
  let left = npages;
  let chunks = 0;
  while (left > 0) {
    const n = Math.min(left, PAGES_PER_CHUNK);
    const pageList: number[] = new Array<number>(n);
    const pinned = opts.pinCall === "vaddr_pin_pages"
      ? ctx.gup.vaddrPinPages(proc, curBase, n, gupFlags, pageList, opts.owner ?? {}, { holder: ctx.holder })
      : ctx.gup.pinUserPagesFast(proc, curBase, n, gupFlags, pageList, { holder: ctx.holder });
    chunks++;
    if (pinned <= 0) {
      // umem_release: __ib_umem_release(device, umem, 0); atomic64_sub(npages, &mm->pinned_vm).
      releasePages(ctx, proc, sg, false, opts.pinCall, opts.owner);
      ctx.memlock.uncharge(mm, npages);
      return pinned < 0 ? pinned : -EFAULT;
    }
    sg.append(pageList, pinned);
    curBase += pinned * PAGE_SIZE;
    left -= pinned;
  }
  return {
    address: addr, length: size, writable: opts.writable, proc, owningMm: mm, sg, frames: sg.frames(),
    pinCall: opts.pinCall, ...(opts.owner !== undefined ? { owner: opts.owner } : {}), chunks,
  };
}

/**
 * `ib_umem_release(umem)`: `__ib_umem_release(dev, umem, 1)` unpins every scatter-list entry,
 * dirtying the pages when the umem is writable, then pinned_vm is reduced on the owning mm.
 */
export function ibUmemRelease(ctx: DeviceContext<unknown>, umem: IbUmem): void {
  releasePages(ctx, umem.proc, umem.sg, umem.writable, umem.pinCall, umem.owner);
  ctx.memlock.uncharge(umem.owningMm, umem.sg.npages);
}

/** `__ib_umem_release()`: unpin each entry (`unpin_user_page_range_dirty_lock(page, n, make_dirty)`). */
function releasePages(ctx: DeviceContext<unknown>, proc: Process, sg: SgAppendTable, makeDirty: boolean, pinCall: UmemPinCall, owner: VaddrPinOwner | undefined): void {
  if (sg.entries.length === 0) return;
  if (pinCall === "vaddr_pin_pages") {
    const frames = sg.frames();
    ctx.gup.vaddrUnpinPagesDirtyLock(frames, frames.length, owner ?? {}, proc.pid, makeDirty, { holder: ctx.holder, ...(owner !== undefined ? { owner } : {}) });
    return;
  }
  for (const e of sg.entries) ctx.gup.unpinUserPageRangeDirtyLock(e.pfn, e.npages, makeDirty, { holder: ctx.holder });
}
