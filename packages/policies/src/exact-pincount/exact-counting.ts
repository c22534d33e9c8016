/**
 * Exact per-frame pin counting (a pinlab policy beyond the kernel).
 * @module
 */
import { PG_TAIL, PG_ZERO, type GrabMode, type PhysicalMemory } from "@pinlab/core";
import type { PinCounting } from "../shared/pin-counting.js";

/** Bytes one exact counter costs per frame (an `Int32Array` element). */
export const EXACT_COUNTER_BYTES = 4;

/**
 * Counting with an exact pin counter per frame, kept in `exact` (one `Int32Array` element per
 * frame, indexed by folio head): a pin adds `refs` to the refcount, so the folio is really held,
 * and `refs` to `exact[head]`; a get adds `refs` to the refcount only. `maybeDmaPinned` is then
 * `exact[head] > 0`, with no false positives, and only the int32 refcount itself can overflow
 * (the same `refcount <= 0` refusal as `try_grab_folio()`, v6.12). The zero page is never pinned,
 * as in v6.12 (with `pinZero`, in eras before v6.5, it is).
 */
export function exactCounting(memory: PhysicalMemory, exact: Int32Array, pinZero = false): PinCounting {
  // pinZero: an era before c8070b787519 (v6.5) pins the zero page too.
  const skip = pinZero ? 0 : PG_ZERO;
  const frames = memory.frames;
  const refcount = frames.refcount;
  const flags = frames.flags;
  return {
    grab(head: number, refs: number, mode: GrabMode): boolean {
      if (refcount[head] <= 0) return false;
      if (mode === "pin") {
        if ((flags[head] & skip) !== 0) return true;
        exact[head] += refs;
      }
      refcount[head] += refs;
      return true;
    },
    release(head: number, refs: number, mode: GrabMode): void {
      if (mode === "pin") {
        if ((flags[head] & skip) !== 0) return;
        exact[head] -= refs;
      }
      memory.put(head, refs);
    },
    maybeDmaPinned(pfn: number): boolean {
      const head = (flags[pfn] & PG_TAIL) === 0 ? pfn : frames.head(pfn);
      return exact[head] > 0;
    },
    pinCount(head: number): number {
      return exact[head];
    },
    refsForPins(head: number, pins: number): number {
      return (flags[head] & skip) !== 0 ? 0 : pins;
    },
    // A plain (order-0 anonymous) frame: one reference and one exact count per pin.
    fast: { pinRefs: 1, pinCounter: exact },
  };
}
