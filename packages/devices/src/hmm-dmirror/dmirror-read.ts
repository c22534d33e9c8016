/**
 * `HMM_DMIRROR_READ` (lib/test_hmm.c, Linux v6.12): the device reads a range of the process's
 * memory through its own page table, faulting what is missing into it with `hmm_range_fault()`
 * (`dmirror_fault()`) under its interval notifier over the whole address space (inserted when the
 * mirror is opened, `dmirror_fops_open()`; here on the first read of an mm), whose invalidations
 * drop the entries they cover (`dmirror_interval_invalidate()`, `dmirror_do_update()`).
 * @module
 */
import {
  EBUSY, HMM_PFN_REQ_FAULT, HMM_PFN_REQ_WRITE, PAGE_SIZE, TASK_SIZE, type DeviceContext, type MmStruct, type MmuIntervalNotifier,
} from "@pinlab/core";
import type { DmirrorDevmem } from "./dmirror-devmem.js";

/** Pages one `dmirror_range_fault()` covers (`unsigned long pfns[64]` in `dmirror_fault()`). */
const FAULT_CHUNK_PAGES = 64;

/** `hmm_range_fault()` passes before giving up (the model's HMM_RANGE_DEFAULT_TIMEOUT). */
const MAX_PASSES = 16;

/** What `HMM_DMIRROR_READ` reports: 0 or -errno, `cmd->cpages` and `cmd->faults`. */
export interface DmirrorReadResult {
  /** 0 or -errno. */
  readonly ret: number;
  /** Pages read. */
  readonly cpages: number;
  /** `dmirror_fault()` calls it took. */
  readonly faults: number;
}

/** The mirror's interval notifier on `mm` (`dmirror->notifier`), inserted on first use. */
export function dmirrorNotifier(ctx: DeviceContext<unknown>, mem: DmirrorDevmem, notifiers: Map<MmStruct, MmuIntervalNotifier>, mm: MmStruct): MmuIntervalNotifier {
  let n = notifiers.get(mm);
  if (n === undefined) {
    n = ctx.notifiers.insert(mm, 0, TASK_SIZE, {
      // dmirror_interval_invalidate(): drop the device's entries in the range, then the sequence.
      invalidate: (sub, range, curSeq) => {
        mem.eraseRange(range.mm, range.start / PAGE_SIZE, Math.ceil(range.end / PAGE_SIZE));
        ctx.notifiers.setSeq(sub, curSeq);
        return true;
      },
    }, ctx.name);
    notifiers.set(mm, n);
  }
  return n;
}

/**
 * `dmirror_read()` (lib/test_hmm.c, v6.12): read [addr, addr + npages pages) from the device page
 * table (`dmirror_do_read()`); at the first page it lacks, fault the rest in (`dmirror_fault()`,
 * one more `faults`) and read on.
 */
export function dmirrorRead(ctx: DeviceContext<unknown>, mem: DmirrorDevmem, notifier: MmuIntervalNotifier, mm: MmStruct, addr: number, npages: number): DmirrorReadResult {
  return dmirrorFaultIn(ctx, mem, notifier, mm, addr, npages, false);
}

/**
 * The loop `dmirror_read()` and `dmirror_write()` share (lib/test_hmm.c, v6.12): walk the device
 * page table (`dmirror_do_read()`, or `dmirror_do_write()` for `write`) and, at the first page it
 * lacks (or holds read-only, for `write`), fault the rest in (`dmirror_fault()`, one more
 * `faults`) and walk on.
 */
export function dmirrorFaultIn(ctx: DeviceContext<unknown>, mem: DmirrorDevmem, notifier: MmuIntervalNotifier, mm: MmStruct, addr: number, npages: number, write: boolean): DmirrorReadResult {
  const startVpn = addr / PAGE_SIZE;
  const endVpn = startVpn + npages;
  let cpages = 0;
  let faults = 0;
  for (;;) {
    const r = write ? mem.doWrite(mm, startVpn + cpages, endVpn) : mem.doRead(mm, startVpn + cpages, endVpn);
    cpages += r.cpages;
    if (!r.missing) return { ret: 0, cpages, faults };
    const ret = dmirrorFault(ctx, mem, notifier, mm, (startVpn + cpages) * PAGE_SIZE, endVpn * PAGE_SIZE, write);
    if (ret < 0) return { ret, cpages, faults };
    faults++;
  }
}

/**
 * `dmirror_fault()` + `dmirror_range_fault()` + `dmirror_do_fault()` (lib/test_hmm.c, v6.12):
 * per 64 pages, `hmm_range_fault()` with HMM_PFN_REQ_FAULT (and HMM_PFN_REQ_WRITE for a write),
 * this device as `dev_private_owner`, retried while the notifier says the walk went stale; each
 * page then enters the device page table, writable when HMM_PFN_WRITE. 0 or -errno.
 */
function dmirrorFault(ctx: DeviceContext<unknown>, mem: DmirrorDevmem, notifier: MmuIntervalNotifier, mm: MmStruct, start: number, end: number, write: boolean): number {
  for (let a = start; a < end; a += FAULT_CHUNK_PAGES * PAGE_SIZE) {
    const next = Math.min(end, a + FAULT_CHUNK_PAGES * PAGE_SIZE);
    const n = (next - a) / PAGE_SIZE;
    let done = false;
    for (let pass = 0; pass < MAX_PASSES && !done; pass++) {
      const range = {
        notifier, notifierSeq: ctx.notifiers.readBegin(notifier), start: a, end: next,
        defaultFlags: HMM_PFN_REQ_FAULT | (write ? HMM_PFN_REQ_WRITE : 0), devPrivateOwner: ctx.name,
        hmmPfns: new Int32Array(n), hmmWrite: new Uint8Array(n),
      };
      const ret = ctx.hmmRangeFault(range);
      if (ret === -EBUSY) continue;
      if (ret < 0) return ret;
      if (ctx.notifiers.readRetry(notifier, range.notifierSeq)) continue;
      for (let i = 0; i < n; i++) mem.store(mm, a / PAGE_SIZE + i, { pfn: range.hmmPfns[i], write: range.hmmWrite[i] === 1 });
      done = true;
    }
    if (!done) return -EBUSY;
  }
  return 0;
}
