/**
 * `make_device_exclusive_range()` (mm/rmap.c, Linux v6.12) as a driver calls it: GUP the range
 * for write, then give the device exclusive access to each page it got.
 * @module
 */
import type { HolderRef } from "../events/event-types.js";
import { FOLL_SPLIT_PMD, FOLL_WRITE } from "../gup/foll-flags.js";
import type { GupCalls } from "../gup/gup.js";
import type { KernelContext } from "../kernel/context.js";
import { PG_TAIL } from "../memory/page-flags.js";
import { folioMakeDeviceExclusive } from "../mm/device-exclusive.js";
import type { Process } from "../mm/process.js";
import { PAGE_SIZE } from "../sim/units.js";

/**
 * `make_device_exclusive_range(mm, start, end, pages, owner)` (mm/rmap.c, v6.12):
 * `get_user_pages_remote()` of [start, end) with FOLL_GET | FOLL_WRITE | FOLL_SPLIT_PMD (which
 * faults each page in writable and breaks COW), then `folio_make_device_exclusive()` on each: a
 * tail page or a page that could not be made exclusive is released (`folio_put()`) and its slot
 * is -1. Returns the pages GUP got, each still holding its GUP reference (the caller puts it),
 * or -errno from GUP.
 */
export function makeDeviceExclusiveRange(k: KernelContext, gup: GupCalls, proc: Process, start: number, end: number, holder: HolderRef): number[] | number {
  const n = (end - start) / PAGE_SIZE;
  const pages: number[] = [];
  const got = gup.getUserPagesRemote(proc, start, n, FOLL_WRITE | FOLL_SPLIT_PMD, pages, { holder });
  if (got < 0) return got;
  const out = pages.slice(0, got);
  for (let i = 0; i < got; i++) {
    const page = out[i];
    if ((k.frames.flags[page] & PG_TAIL) !== 0 || !folioMakeDeviceExclusive(k, page, proc.mm!, start / PAGE_SIZE + i)) {
      gup.putPage(page, { holder });
      out[i] = -1;
    }
  }
  return out;
}
