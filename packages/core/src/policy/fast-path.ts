/**
 * What a policy declares so that core can pin and unpin ordinary pages without calling it: the
 * counting of an order-0 anonymous page as numbers. The kernel does the same: `try_grab_folio()`
 * and `gup_put_folio()` (mm/gup.c, v6.12) are inline arithmetic on `folio->_refcount`, and the
 * questions GUP-fast asks of such a page (`folio_is_longterm_pinnable()`: which zone;
 * `gup_fast_folio_allowed()`: anonymous, so yes) are answered by a flags test and a zone bound,
 * never by a call per page.
 * @module
 */
import { PG_ANON, PG_DAX, PG_DEVICE_COHERENT, PG_DEVICE_PRIVATE, PG_FILE, PG_HEAD, PG_HUGE_ZERO, PG_HUGETLB, PG_TAIL, PG_ZERO } from "../memory/page-flags.js";
import type { ZoneId } from "../memory/zones.js";

/**
 * Frame flags that take a frame off the fast path: large folios (head or tail), the shared zero
 * pages, FS-DAX, file and hugetlb pages, and ZONE_DEVICE pages. A frame is *plain* when it has
 * `PG_ANON` and none of these: an order-0 anonymous page in ordinary memory.
 */
export const NOT_PLAIN_FLAGS = PG_HEAD | PG_TAIL | PG_ZERO | PG_HUGE_ZERO | PG_DAX | PG_FILE | PG_HUGETLB | PG_DEVICE_PRIVATE | PG_DEVICE_COHERENT;

/** True when frame flags `fl` make a plain frame (see {@link NOT_PLAIN_FLAGS}). */
export function isPlainFrame(fl: number): boolean {
  return (fl & (NOT_PLAIN_FLAGS | PG_ANON)) === PG_ANON;
}

/**
 * (2.1) A policy's promise about plain frames ({@link isPlainFrame}), which lets core's GUP-fast
 * walk and `unpin_user_pages()` count them with typed-array arithmetic instead of four calls per
 * page. On a plain frame `pfn`, a policy that declares this behaves exactly as:
 *
 * - `grab(pfn, refs, "pin")`: false when `refcount[pfn] <= 0` (an overflowed count), else
 *   `refcount[pfn] += refs * pinRefs` and, with a `pinCounter`, `pinCounter[pfn] += refs`;
 *   `grab(pfn, refs, "get")`: the same test, then `refcount[pfn] += refs`;
 * - `release(pfn, refs, mode)`: the same amounts taken back (`memory.put()` of them);
 * - `longtermPinnable(pfn)`: true unless `pfn` lies in one of `longtermUnpinnableZones`;
 * - `fastFolioAllowed(pfn, flags)`: true.
 *
 * A policy without this (a plugin that counts some other way) keeps every call: core then asks
 * it page by page, as before. A test checks each built-in policy's declaration against its hooks.
 */
export interface FastPathDeclaration {
  /**
   * Refcount units one FOLL_PIN adds to a plain frame: `GUP_PIN_COUNTING_BIAS` (1024,
   * include/linux/mm.h, v6.12) for bias counting, 1 for an exact counter or a pin that is a plain
   * reference (FOLL_GET always adds 1).
   */
  readonly pinRefs: number;
  /** A per-frame pin counter a FOLL_PIN also adds to, beside the refcount (an exact counter), or undefined. */
  readonly pinCounter: Int32Array | undefined;
  /** The zones `folio_is_longterm_pinnable()` refuses in the era the policy runs (CMA; ZONE_MOVABLE from v5.13). */
  readonly longtermUnpinnableZones: readonly ZoneId[];
}
