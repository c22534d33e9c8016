/**
 * FOLL_GET-only counting of the kernel before FOLL_PIN (~v5.3, 2019).
 * @module
 */
import type { GrabMode, PhysicalMemory } from "@pinlab/core";
import type { PinCounting } from "../shared/pin-counting.js";

/**
 * Counting of a kernel without FOLL_PIN: every grab, whatever core calls it, is a plain
 * reference (`get_page()`; GUP used `try_get_page()`, v5.1+, which refuses a refcount of 0 or
 * below, i.e. after an overflow). The zero page is referenced too: 2019 GUP did `get_page()` on
 * it. Nothing distinguishes a DMA user from any other reference, so `maybeDmaPinned` is always
 * false and the displayed pin count is 0; `refsForPins(n)` is `n`, one reference each.
 */
export function getCounting(memory: PhysicalMemory): PinCounting {
  const refcount = memory.frames.refcount;
  return {
    grab(head: number, refs: number, _mode: GrabMode): boolean {
      if (refcount[head] <= 0) return false;
      refcount[head] += refs;
      return true;
    },
    release(head: number, refs: number, _mode: GrabMode): void {
      memory.put(head, refs);
    },
    maybeDmaPinned: (_pfn: number): boolean => false,
    pinCount: (_head: number): number => 0,
    refsForPins: (_head: number, pins: number): number => pins,
    // Every grab is one plain reference.
    fast: { pinRefs: 1, pinCounter: undefined },
  };
}
