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
