/**
 * Getting hold of a user buffer for a bio and letting go of it: `iov_iter_extract_pages()` /
 * `iov_iter_get_pages2()` (lib/iov_iter.c) and `bio_release_pages()` / `bio_check_pages_dirty()`
 * (block/bio.c, include/linux/bio.h), Linux v6.12.
 * @module
 */
import { EFAULT, FOLL_WRITE, PAGE_SIZE, type DeviceContext, type Process } from "@pinlab/core";
import type { DioPinCall } from "./direct-io-meta.js";

/** User pages held for one bio. */
export interface ExtractedPages {
  /** The frames, in buffer order. */
  readonly pages: number[];
  /** How many frames are held. */
  readonly npages: number;
  /** Offset of the buffer in its first page. */
  readonly offset: number;
  /** Bytes of the buffer the held pages cover (may be less than asked: a short IO). */
  readonly bytes: number;
  /** FOLL_PIN (`BIO_PAGE_PINNED`) or FOLL_GET. */
  readonly mode: DioPinCall;
}

/**
 * `iov_iter_extract_pages()` (lib/iov_iter.c, v6.12) on a user-backed iterator (ITER_UBUF): `pin_user_pages_fast()` with
 * FOLL_WRITE when the IO writes into user memory (`iov_iter_extract_will_pin` is true); in `get`
 * mode the legacy `get_user_pages_fast()`. Returns the pages (possibly fewer than the buffer
 * spans), or `-errno` when none could be taken.
 */
export function iovIterExtractPages(
  ctx: DeviceContext<unknown>, proc: Process, addr: number, length: number, intoUser: boolean, mode: DioPinCall,
): ExtractedPages | number {
  const offset = addr % PAGE_SIZE;
  const base = addr - offset;
  const want = Math.ceil((offset + length) / PAGE_SIZE);
  const pages: number[] = new Array<number>(want);
  const flags = intoUser ? FOLL_WRITE : 0;
  const got = mode === "pin"
    ? ctx.gup.pinUserPagesFast(proc, base, want, flags, pages, { holder: ctx.holder })
    : ctx.gup.getUserPagesFast(proc, base, want, flags, pages, { holder: ctx.holder });
  if (got <= 0) return got < 0 ? got : -EFAULT;
  return { pages, npages: got, offset, bytes: Math.min(length, got * PAGE_SIZE - offset), mode };
}

/**
 * Completion of a bio that read into user memory (IOMAP_DIO_DIRTY): `bio_check_pages_dirty()`
 * (block/bio.c, v6.12). If every page is still dirty they are released as they are; if writeback cleaned any while the
 * IO was in flight, the bio goes to `bio_dirty_work`, which re-dirties them all and then releases
 * (`bio_release_pages(bio, true)`; here the work runs at once). Returns the pages found clean.
 */
export function bioCheckPagesDirty(ctx: DeviceContext<unknown>, held: ExtractedPages): number {
  let cleaned = 0;
  for (let i = 0; i < held.npages; i++) if (!ctx.pages.folioTestDirty(held.pages[i])) cleaned++;
  bioReleasePages(ctx, held, cleaned > 0);
  return cleaned;
}

/**
 * `bio_release_pages(bio, mark_dirty)` (include/linux/bio.h and block/bio.c, v6.12): unpin (`unpin_user_pages_dirty_lock`, BIO_PAGE_PINNED) or,
 * for a legacy FOLL_GET bio, put each page (after `set_page_dirty_lock` when asked).
 */
export function bioReleasePages(ctx: DeviceContext<unknown>, held: ExtractedPages, markDirty: boolean): void {
  if (held.mode === "pin") ctx.gup.unpinUserPagesDirtyLock(held.pages, held.npages, markDirty, { holder: ctx.holder });
  else ctx.gup.putPages(held.pages, held.npages, { holder: ctx.holder, dirty: markDirty });
}
