/**
 * `HMM_DMIRROR_SNAPSHOT` (lib/test_hmm.c, Linux v6.12): the device's view of each CPU page-table
 * entry of a range, read with `hmm_range_fault()` **without faulting** (`default_flags` 0), so
 * nothing is allocated, nothing is referenced and the CPU page table is left as it was.
 * @module
 */
import { EBUSY, EINVAL, PAGE_SIZE, type DeviceContext, type MmStruct, type Process } from "@pinlab/core";
import { dmirrorMkentry, HMM_DMIRROR_PROT } from "./dmirror-prot.js";

/** Pages one `dmirror_range_snapshot()` call covers (`unsigned long pfns[64]` in `dmirror_snapshot()`). */
export const SNAPSHOT_CHUNK_PAGES = 64;

/** Passes one chunk may take before giving up with EBUSY (the model's HMM_RANGE_DEFAULT_TIMEOUT). */
const MAX_PASSES = 16;

/**
 * `dmirror_snapshot()` (lib/test_hmm.c, v6.12): the snapshot bytes of `npages` pages from `addr`
 * of `mm`, or `-errno`. For each 64-page chunk, `dmirror_range_snapshot()` inserts a temporary
 * interval notifier over it (`mmu_interval_notifier_insert()`, whose invalidate only sets the
 * sequence: "any invalidation in the interval invalidates the whole snapshot"), then loops
 * `mmu_interval_read_begin()`, `hmm_range_fault()`, `mmu_interval_read_retry()` until it reads a
 * stable walk, turns each entry into a byte (`dmirror_mkentry()`) and removes the notifier.
 */
export function dmirrorSnapshot(ctx: DeviceContext<unknown>, mm: MmStruct, addr: number, npages: number): Uint8Array | number {
  const out = new Uint8Array(npages);
  for (let first = 0; first < npages; first += SNAPSHOT_CHUNK_PAGES) {
    const n = Math.min(SNAPSHOT_CHUNK_PAGES, npages - first);
    const start = addr + first * PAGE_SIZE;
    const res = dmirrorRangeSnapshot(ctx, mm, start, n, out.subarray(first, first + n));
    if (res < 0) return res;
  }
  return out;
}

/** `dmirror_range_snapshot()` (lib/test_hmm.c, v6.12): one chunk into `perm`. 0 or -errno. */
function dmirrorRangeSnapshot(ctx: DeviceContext<unknown>, mm: MmStruct, start: number, n: number, perm: Uint8Array): number {
  const notifier = ctx.notifiers.insert(mm, start, n * PAGE_SIZE, {
    // dmirror_snapshot_invalidate(): only the sequence.
    invalidate: (sub, _range, curSeq) => {
      ctx.notifiers.setSeq(sub, curSeq);
      return true;
    },
  }, ctx.name);
  try {
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const range = {
        notifier, notifierSeq: ctx.notifiers.readBegin(notifier), start, end: start + n * PAGE_SIZE, defaultFlags: 0, devPrivateOwner: ctx.name,
        hmmPfns: new Int32Array(n), hmmWrite: new Uint8Array(n), hmmFlags: new Uint8Array(n),
      };
      const ret = ctx.hmmRangeFault(range);
      if (ret === -EBUSY) continue;
      if (ret < 0) return ret;
      if (ctx.notifiers.readRetry(notifier, range.notifierSeq)) continue;
      for (let i = 0; i < n; i++) {
        const pfn = range.hmmPfns[i];
        perm[i] = dmirrorMkentry(range.hmmFlags[i], pfn >= 0 && ctx.pages.isZeroPfn(pfn), pfn >= 0 ? dmirrorDeviceKind(ctx, pfn) : 0);
      }
      return 0;
    }
    return -EBUSY;
  } finally {
    ctx.notifiers.remove(notifier);
  }
}

/**
 * `dmirror_fops_unlocked_ioctl()`'s checks (lib/test_hmm.c, v6.12): a page-aligned `addr`, a
 * non-empty range that does not wrap, and a process that still has its address space
 * (`mmget_not_zero()` fails once the mirrored process exited). Why not, or undefined.
 */
export function dmirrorCheckCmd(proc: Process, addr: number, npages: number): { errno: number; message: string } | undefined {
  if (addr % PAGE_SIZE !== 0) return { errno: EINVAL, message: `addr ${addr} is not page aligned (cmd.addr & ~PAGE_MASK)` };
  if (npages <= 0) return { errno: EINVAL, message: `npages must be at least 1 (cmd.addr >= cmd.addr + (cmd.npages << PAGE_SHIFT))` };
  if (!proc.alive || proc.mm === null) return { errno: EINVAL, message: `process ${proc.name} has no address space (mmget_not_zero)` };
  return undefined;
}

/**
 * The device part of `dmirror_mkentry()` (lib/test_hmm.c, v6.12) for the page `pfn`:
 * DEV_PRIVATE_LOCAL / _REMOTE for a device-private page of this device or another
 * (`dmirror_page_to_device()`), DEV_COHERENT_* likewise, 0 for system memory.
 */
export function dmirrorDeviceKind(ctx: DeviceContext<unknown>, pfn: number): number {
  const pgmap = ctx.devmem.pgmapOf(pfn);
  if (pgmap === undefined) return 0;
  const local = pgmap.owner === ctx.name;
  if (pgmap.type === "device_private") return local ? HMM_DMIRROR_PROT.DEV_PRIVATE_LOCAL : HMM_DMIRROR_PROT.DEV_PRIVATE_REMOTE;
  return local ? HMM_DMIRROR_PROT.DEV_COHERENT_LOCAL : HMM_DMIRROR_PROT.DEV_COHERENT_REMOTE;
}
