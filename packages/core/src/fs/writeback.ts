/**
 * Writeback of dirty file pages (`write_cache_pages` -> `folio_clear_dirty_for_io` ->
 * `->writepages` -> `folio_end_writeback`, mm/page-writeback.c, v6.12).
 *
 * Cleaning a page write-protects every PTE that maps it (`folio_mkclean`, which tells MMU
 * notifiers with MMU_NOTIFY_PROTECTION_PAGE), moves PTE dirty bits to the folio, then clears
 * the folio's dirty flag and sets PG_writeback. The IO copies the page to the backing store
 * when it completes, at a virtual time, so DMA can race with it. A GUP holder is not told:
 * only CPU mappings and notifiers are.
 *
 * Before cleaning, writeback asks the policy whether the page may be DMA-pinned. What the
 * filesystem then does is configurable per file (`pinnedWriteback`): `ignore` (v6.12: write
 * it anyway, the pin only informs), `wait` (leave it dirty until unpinned) or `bounce` (write
 * a copy and keep the page dirty). ext4 refuses to write a dirty page whose buffers were
 * stripped, as `mpage_prepare_extent_to_map` does ("does not have buffers attached").
 * @module
 */
import type { PinnedWritebackAction } from "../config/kernel-config.js";
import type { FsContext } from "./context.js";
import { PG_DIRTY, PG_PRIVATE, PG_WRITEBACK } from "../memory/page-flags.js";
import { PTE_DIRTY, PTE_HUGE, PTE_WRITE } from "../mm/page-table.js";
import { rmapWalk } from "../mm/rmap.js";
import { PAGE_SIZE } from "../sim/units.js";
import type { Inode } from "./inode.js";
import { EIO } from "../errno.js";
import { filemapCheckErrors, mappingSetError } from "./writeback-error.js";

/**
 * Writeback IO in flight, per file: page index -> the submission that owns it. A completion only
 * ends the IO it submitted; truncate ends IO early ({@link folioWaitWriteback}), so a frame that
 * was freed and reused meanwhile is never touched by a stale completion.
 */
const inFlight = new WeakMap<Inode, Map<number, object>>();

function inFlightOf(inode: Inode): Map<number, object> {
  let m = inFlight.get(inode);
  if (m === undefined) {
    m = new Map();
    inFlight.set(inode, m);
  }
  return m;
}

/**
 * `folio_wait_writeback()` (mm/page-writeback.c, v6.12) as truncate and hole punch use it: page `index` (frame `pfn`) is
 * leaving `inode`, so its writeback IO, if in flight, must finish first. The model cannot block,
 * so the IO ends now (its data would go to blocks the truncate frees anyway) and its scheduled
 * completion later does nothing.
 */
export function folioWaitWriteback(k: FsContext, inode: Inode, index: number, pfn: number): void {
  const m = inFlight.get(inode);
  if (m === undefined || !m.delete(index)) return;
  k.frames.flags[pfn] &= ~PG_WRITEBACK;
}

/**
 * `folio_wait_writeback()` (mm/page-writeback.c, v6.12) as a task that may sleep sees it (a
 * MIGRATE_SYNC migration, mm/migrate.c `migrate_folio_unmap()`): sleep until the IO of frame
 * `pfn` ends. The model sleeps on the virtual clock: it runs the pending callbacks in time order
 * (the IO's completion and whatever else falls due first, as on a machine where time passes),
 * until the frame is no longer under writeback. Returns the nanoseconds waited, or -1 when
 * nothing pending can end the writeback (no IO in flight holds it).
 */
export function folioWaitWritebackOnClock(k: FsContext, pfn: number): number {
  const start = k.clock.now;
  while ((k.frames.flags[pfn] & PG_WRITEBACK) !== 0) {
    const next = k.clock.nextAt;
    if (next === undefined) return -1;
    k.clock.runUntil(next);
  }
  return k.clock.now - start;
}

/** Options of one writeback pass. */
export interface WritebackOptions {
  /** Complete the IO later on the clock (after the configured latency) instead of at once. */
  readonly async?: boolean;
  /** Override the filesystem's pinned-page action for this pass. */
  readonly pinned?: PinnedWritebackAction;
}

/**
 * `folio_mkclean` (mm/rmap.c, v6.12) of the folio holding `pfn`: nothing unless the folio is
 * mapped (`folio_mapped()`); then `rmap_walk_file()` visits every VMA of the file's `i_mmap` that
 * covers the folio's indices, skips the private ones (`invalid_mkclean_vma()`), and for each
 * shared one `page_vma_mkclean_one()` sends MMU_NOTIFY_PROTECTION_PAGE over the folio's span in
 * the VMA (`vma_address()` .. `vma_address_end()`) *before* it looks at the entries: a VMA whose
 * PTE is clean and read-only, or not there at all, is told too. Then every writable or dirty PTE
 * of the folio there is write-protected and cleaned. Returns true when any PTE was writable or
 * dirty (`cleaned`: the caller marks the folio dirty again before clearing it).
 */
export function folioMkclean(k: FsContext, pfn: number): boolean {
  const f = k.frames;
  const head = f.head(pfn);
  if (f.folioMapcount(head) === 0) return false;
  const inode = k.inodes.get(f.mapping[head]);
  if (inode === undefined) return false;
  const first = f.index[head];
  const last = first + f.nrPages(head);
  let cleaned = 0;
  for (const vma of [...inode.mappings]) {
    if (!vma.mm.live || !vma.isShared) continue;
    const from = Math.max(first, vma.pgoff);
    const to = Math.min(last, vma.pgoff + vma.pages);
    if (from >= to) continue;
    const pt = vma.mm.pageTable;
    const startVpn = vma.vpnOfIndex(from);
    const endVpn = startVpn + (to - from);
    k.notifiers.invalidateRange(vma.mm, startVpn * PAGE_SIZE, endVpn * PAGE_SIZE, "protection_page");
    for (let vpn = startVpn; vpn < endVpn; vpn++) {
      if (pt.pfn(vpn) !== head + (vma.fileIndex(vpn) - first)) continue;
      if ((pt.bits(vpn) & (PTE_WRITE | PTE_DIRTY)) === 0) continue;
      if ((pt.bits(vpn) & PTE_HUGE) !== 0) pt.updatePmd(vpn, PTE_WRITE | PTE_DIRTY, 0);
      else pt.update(vpn, PTE_WRITE | PTE_DIRTY, 0);
      cleaned++;
    }
  }
  return cleaned > 0;
}

/**
 * `folio_clear_dirty_for_io()` (mm/page-writeback.c, v6.12): before IO, write-protect and clean
 * every PTE of the dirty page `pfn` (`folio_mkclean()`, moving PTE dirty bits to the folio),
 * then clear its dirty flag. A DMA holder is not told: only CPU mappings and notifiers are.
 */
export function folioClearDirtyForIo(k: FsContext, pfn: number): void {
  const f = k.frames;
  if (folioMkclean(k, pfn)) f.flags[pfn] |= PG_DIRTY;
  f.flags[pfn] &= ~PG_DIRTY;
}

/** Write back the dirty pages of `inode`, or of every file when undefined (`write_cache_pages` -> `folio_clear_dirty_for_io`, mm/page-writeback.c, v6.12). Returns pages submitted. */
export function writeback(k: FsContext, inode: Inode | undefined, opts: WritebackOptions = {}): number {
  const files = inode !== undefined ? [inode] : [...k.files.values()];
  let total = 0;
  for (const file of files) total += writebackFile(k, file, opts);
  return total;
}

/**
 * The `writeback` step without `async`: write the dirty pages of `inode` (every file when
 * undefined), wait for the IO, and report a recorded error, as `filemap_write_and_wait_range()`
 * (mm/filemap.c, v6.12) does for fsync: the pages written, or `-EIO` (`-ENOSPC`) when some
 * writeback of the file failed since the error was last reported, by this pass or an earlier
 * asynchronous one. For every file at once it reports the first error found and clears them all,
 * as syncfs reports the superblock's.
 */
export function filemapWriteAndWait(k: FsContext, inode: Inode | undefined, opts: Omit<WritebackOptions, "async"> = {}): number {
  const pages = writeback(k, inode, opts);
  let err = 0;
  for (const file of inode !== undefined ? [inode] : [...k.files.values()]) {
    const e = filemapCheckErrors(file);
    if (err === 0) err = e;
  }
  return err < 0 ? err : pages;
}

function writebackFile(k: FsContext, inode: Inode, opts: WritebackOptions): number {
  if (!inode.fs.writeback) return 0;
  const f = k.frames;
  const action = opts.pinned ?? inode.pinnedWriteback ?? k.config.pinnedWriteback;
  const submitted: { index: number; pfn: number }[] = [];
  let flaggedPinned = 0;
  let deferred = 0;
  let bounced = 0;
  const indices = [...inode.cache.keys()].sort((a, b) => a - b);
  for (const index of indices) {
    const pfn = inode.cache.get(index)!;
    // Collect dirty PTE bits first (a CPU store through a writable PTE dirties only the PTE).
    const flags = f.flags[pfn];
    if ((flags & PG_WRITEBACK) !== 0) continue;
    if ((flags & PG_DIRTY) === 0 && !pteDirty(k, pfn)) continue;
    const pinned = k.policy.maybeDmaPinned(pfn);
    if (pinned) flaggedPinned++;
    if (pinned && action === "wait") {
      deferred++;
      k.observe("onPinnedWriteback", inode, index, pfn, "wait");
      continue;
    }
    if (pinned && action === "bounce") {
      // Write a stable copy now; the page stays dirty so later DMA reaches disk on a later pass.
      f.flags[pfn] |= PG_DIRTY;
      storeBacking(k, inode, index, pfn);
      bounced++;
      k.observe("onPinnedWriteback", inode, index, pfn, "bounce");
      continue;
    }
    folioClearDirtyForIo(k, pfn);
    k.observe("onClean", inode, index, pfn, pinned);
    if (inode.fs.buffers && (f.flags[pfn] & PG_PRIVATE) === 0) {
      k.events.emit("fs_warn", { file: inode.name, index, message: `page ${index} does not have buffers attached; its dirty data is dropped` });
      continue;
    }
    f.flags[pfn] |= PG_WRITEBACK;
    submitted.push({ index, pfn });
  }
  k.events.emit("writeback", { file: inode.name, pages: submitted.length, flaggedPinned, deferred, bounced, async: opts.async === true });
  const token = {};
  const pending = inFlightOf(inode);
  for (const { index } of submitted) pending.set(index, token);
  const complete = () => {
    let ended = 0;
    let errors = 0;
    for (const { index, pfn } of submitted) {
      // A truncate that removed the page already ended this IO (folioWaitWriteback).
      if (pending.get(index) !== token) continue;
      pending.delete(index);
      // One completion per page is one call of the `writeback` fault point. A failed IO is what
      // ext4_finish_bio() and mpage_write_end_io() do with bi_status set: mapping_set_error(),
      // then folio_end_writeback() all the same; the folio stays clean and the disk keeps the old data.
      if (k.faults.shouldFail("writeback")) {
        mappingSetError(inode, EIO);
        errors++;
      } else {
        storeBacking(k, inode, index, pfn);
      }
      f.flags[pfn] &= ~PG_WRITEBACK;
      ended++;
    }
    k.events.emit("writeback_end", { file: inode.name, pages: ended, ...(errors > 0 ? { errors } : {}) });
  };
  if (submitted.length > 0) {
    if (opts.async === true) k.clock.schedule(k.config.writebackLatency, `writeback:${inode.name}`, complete);
    else complete();
  }
  return submitted.length;
}

function pteDirty(k: FsContext, pfn: number): boolean {
  let dirty = false;
  rmapWalk(k, pfn, (_vma, _vpn, bits) => {
    if ((bits & PTE_DIRTY) !== 0) dirty = true;
  });
  return dirty;
}

function storeBacking(k: FsContext, inode: Inode, index: number, pfn: number): void {
  if (inode.fs.dax) return; // FS-DAX: the block is the storage
  const bytes = k.memory.contents.snapshot(pfn);
  if (bytes === undefined) inode.backing.delete(index);
  else inode.backing.set(index, bytes);
}
