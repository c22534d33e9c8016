/**
 * The `cow_leak` hazard (2.0): a reference taken from one process reads what another process
 * wrote after copy-on-write should have separated them (CVE-2020-29374, the vmsplice leak).
 * @module
 */
import { hex, PAGE_SIZE } from "../sim/units.js";
import type { HolderRecord } from "./holder-record.js";

/** True when `rec` holds a private frame for a process other than `pid`. */
export function isForeign(rec: HolderRecord, pid: number): boolean {
  return rec.private && rec.pid >= 0 && rec.pid !== pid;
}

/** Process `pid` wrote into the frame `rec` holds: when that is another process's private frame, the holder's next read leaks it. */
export function markForeignWrite(rec: HolderRecord | undefined, pid: number): void {
  if (rec !== undefined && isForeign(rec, pid)) rec.leakedFrom = pid;
}

/** The sentence of an undetected leak: `holder` reads frame `pfn`, which `rec.leakedFrom` wrote. */
export function cowLeakRead(holder: string, pfn: number, rec: HolderRecord): string {
  return `${holder} reads frame ${pfn}, taken from process ${rec.pid} at ${hex(rec.vaddr)}, after process ${rec.leakedFrom} wrote into it: COW let that process's data reach the reference`;
}

/** The sentence of a prevented leak: `writer` copied away from frame `pfn`, which `holder` holds for `owner`. */
export function cowLeakPrevented(writer: number, vpn: number, pfn: number, holder: string, owner: number): string {
  return `process ${writer} copied ${hex(vpn * PAGE_SIZE)} on write away from frame ${pfn}, which ${holder} holds for process ${owner}: the write does not reach the reference`;
}
