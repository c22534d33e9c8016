/**
 * FOLL_PIN counting with GUP_PIN_COUNTING_BIAS (Linux v6.12, mm/gup.c and include/linux/mm.h).
 * @module
 */
import { PG_HEAD, PG_TAIL, PG_ZERO, type GrabMode, type PhysicalMemory } from "@pinlab/core";
import type { PinCounting } from "../shared/pin-counting.js";

/** `GUP_PIN_COUNTING_BIAS` (include/linux/mm.h, v6.12): `1U << 10`. */
export const GUP_PIN_COUNTING_BIAS = 1 << 10;

/**
 * Bias counting over the frame table's typed arrays, with no allocation on any path:
 *
 * - `grab` is `try_grab_folio()` (v6.12): refuse (`WARN_ON_ONCE`, -ENOMEM) when the folio's
 *   refcount is 0 or negative, i.e. it overflowed; FOLL_GET adds `refs`; FOLL_PIN leaves the
 *   zero page alone, adds `refs` to the refcount and to `_pincount` of a large folio, and
 *   `refs * bias` to the refcount of a small one. The Int32Array wraps like `atomic_t`, so the
 *   pin that crosses 2^31 goes through and the next is refused (about 2^21 pins per small page
 *   with the kernel's bias).
 * - `release` is `gup_put_folio()`: the same amounts back, then `folio_put_refs()`.
 * - `maybeDmaPinned` is `folio_maybe_dma_pinned()`: `_pincount > 0` for a large folio, and for
 *   a small one the refcount *as unsigned* at least `bias` (still right after an overflow, and
 *   true without any pin for a page with `bias` or more plain references).
 *
 * With `pinZero` (eras before v6.5) the zero page is pinned like any small page.
 */
export function biasCounting(memory: PhysicalMemory, bias: number, pinZero = false): PinCounting {
  // pinZero: an era before "mm: Don't pin ZERO_PAGE in pin_user_pages()" (c8070b787519, v6.5) pins the zero page like any small page.
  const skip = pinZero ? 0 : PG_ZERO;
  const frames = memory.frames;
  const refcount = frames.refcount;
  const pincount = frames.pincount;
  const flags = frames.flags;
  return {
    grab(head: number, refs: number, mode: GrabMode): boolean {
      if (refcount[head] <= 0) return false;
      if (mode === "get") {
        refcount[head] += refs;
        return true;
      }
      const fl = flags[head];
      if ((fl & skip) !== 0) return true;
      if ((fl & PG_HEAD) !== 0) {
        refcount[head] += refs;
        pincount[head] += refs;
      } else {
        refcount[head] += refs * bias;
      }
      return true;
    },
    release(head: number, refs: number, mode: GrabMode): void {
      if (mode === "pin") {
        const fl = flags[head];
        if ((fl & skip) !== 0) return;
        if ((fl & PG_HEAD) !== 0) pincount[head] -= refs;
        else refs *= bias;
      }
      memory.put(head, refs);
    },
    maybeDmaPinned(pfn: number): boolean {
      const head = (flags[pfn] & PG_TAIL) === 0 ? pfn : frames.head(pfn);
      if ((flags[head] & PG_HEAD) !== 0) return pincount[head] > 0;
      return (refcount[head] >>> 0) >= bias;
    },
    pinCount(head: number): number {
      const fl = flags[head];
      if ((fl & skip) !== 0) return 0;
      if ((fl & PG_HEAD) !== 0) return pincount[head];
      // A small folio has no pin count of its own: this is the bias's (fuzzy) view of it.
      return Math.floor((refcount[head] >>> 0) / bias);
    },
    refsForPins(head: number, pins: number): number {
      const fl = flags[head];
      if ((fl & skip) !== 0) return 0;
      return (fl & PG_HEAD) !== 0 ? pins : pins * bias;
    },
    // A plain (order-0 anonymous) frame: `refs * bias` in the refcount per pin, no _pincount.
    fast: { pinRefs: bias, pinCounter: undefined },
  };
}
