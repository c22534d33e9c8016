/**
 * The page cache (mm/filemap.c, v6.12): finding and creating file pages (`filemap_fault`,
 * `__filemap_get_folio`, `dax_iomap_fault`),
 * dirtying them (`->page_mkwrite`, `folio_mark_dirty`), and reading what a file holds.
 * @module
 */
import { ENOMEM, ENOSPC } from "../errno.js";
import type { MmContext } from "./context.js";
import { Gfp } from "../memory/physical-memory.js";
import { PG_DAX, PG_DIRTY, PG_FILE, PG_HUGETLB, PG_ORPHAN, PG_PRIVATE, PG_ZERO } from "../memory/page-flags.js";
import { forEachPageChunk, HPAGE_PMD_NR, HPAGE_PMD_ORDER, PAGE_SIZE } from "../sim/units.js";
import type { MappedFile } from "./mm-types.js";

/**
 * The frame holding page `index` of `inode`, reading it in (or, for FS-DAX, allocating its block)
 * if needed (`__filemap_get_folio(FGP_CREAT)`, mm/filemap.c; `dax_iomap_fault`, fs/dax.c; v6.12). Returns the frame or `-errno`. The page cache holds one reference per page.
 */
export function filemapGetPage(k: MmContext, inode: MappedFile, index: number): number {
  const cached = inode.cache.get(index);
  if (cached !== undefined) return cached;
  const f = k.frames;
  if (inode.fs.dax) {
    const pfn = k.memory.allocFolio(0, Gfp.PMEM);
    if (pfn < 0) return -ENOSPC;
    // A reused block may still carry references from a holder of its previous life.
    k.memory.contents.clear(pfn);
    f.flags[pfn] = (f.flags[pfn] & ~PG_ORPHAN) | PG_FILE | PG_DAX;
    f.mapping[pfn] = inode.id;
    f.index[pfn] = index;
    inode.cache.set(index, pfn);
    return pfn;
  }
  if (inode.fs.huge) {
    const base = index - (index % HPAGE_PMD_NR);
    const head = k.memory.allocFolio(HPAGE_PMD_ORDER);
    if (head < 0) return -ENOMEM;
    k.memory.get(head, HPAGE_PMD_NR - 1);
    for (let i = 0; i < HPAGE_PMD_NR; i++) {
      f.flags[head + i] |= PG_FILE | PG_HUGETLB;
      f.mapping[head + i] = inode.id;
      f.index[head + i] = base + i;
      inode.cache.set(base + i, head + i);
      const data = inode.backing.get(base + i);
      if (data !== undefined) k.memory.contents.write(head + i, 0, data);
    }
    return head + (index - base);
  }
  const pfn = k.memory.allocFolio(0);
  if (pfn < 0) return -ENOMEM;
  f.flags[pfn] |= PG_FILE;
  f.mapping[pfn] = inode.id;
  f.index[pfn] = index;
  inode.cache.set(index, pfn);
  const data = inode.backing.get(index);
  if (data !== undefined) k.memory.contents.write(pfn, 0, data);
  return pfn;
}

/**
 * A write is about to go into file page `pfn` through a mapping or write(2): attach buffers if the
 * filesystem uses them (`block_page_mkwrite` -> `create_empty_buffers`, +1 reference) and mark
 * the folio dirty (`folio_mark_dirty`). Linux v6.12, fs/buffer.c and mm/page-writeback.c.
 */
export function pageMkwrite(k: MmContext, inode: MappedFile, pfn: number): void {
  const f = k.frames;
  const head = f.head(pfn);
  if (inode.fs.buffers && (f.flags[head] & PG_PRIVATE) === 0) {
    f.flags[head] |= PG_PRIVATE;
    k.memory.get(head);
  }
  f.flags[head] |= PG_DIRTY;
}

/**
 * Mark a file folio dirty after a device or DIO wrote it (`set_page_dirty_lock` /
 * `folio_mark_dirty`, mm/page-writeback.c, v6.12). Unlike page_mkwrite this attaches no buffers: a page whose buffers were
 * stripped stays without them, which ext4 writeback later refuses to write.
 */
export function folioMarkDirty(k: MmContext, pfn: number): void {
  const f = k.frames;
  const head = f.head(pfn);
  if ((f.flags[head] & PG_ZERO) === 0) f.flags[head] |= PG_DIRTY;
}

/**
 * What reached the backing store of `inode` at bytes [offset, offset + length): the bytes its
 * last writeback stored per page (`backing`), zeros for a hole or a page never written back, the
 * page cache ignored; for FS-DAX the cached frames are the persistent memory itself. Stops at EOF.
 */
export function readBackingStore(k: MmContext, inode: MappedFile, offset: number, length: number): Uint8Array {
  if (inode.fs.dax) return readFileData(k, inode, offset, length);
  const end = Math.min(inode.size, offset + length);
  const out = new Uint8Array(Math.max(0, end - offset));
  forEachPageChunk(offset, out.length, (index, off, done, len) => {
    const data = inode.backing.get(index);
    if (data !== undefined) out.set(data.subarray(off, off + len), done);
  });
  return out;
}

/** What `inode` holds at bytes [offset, offset + length): the page cache, else the backing store. Stops at EOF. */
export function readFileData(k: MmContext, inode: MappedFile, offset: number, length: number): Uint8Array {
  const end = Math.min(inode.size, offset + length);
  const n = Math.max(0, end - offset);
  const out = new Uint8Array(n);
  forEachPageChunk(offset, n, (index, off, done, len) => {
    const pfn = inode.cache.get(index);
    if (pfn !== undefined) k.memory.contents.read(pfn, off, len, out, done);
    else {
      const data = inode.backing.get(index);
      if (data !== undefined) out.set(data.subarray(off, off + len), done);
    }
  });
  return out;
}

/**
 * A direct write's bytes reaching the disk: `iomap_dio_rw()` (fs/iomap/direct-io.c, v6.12) sends
 * the bios to the device, not through the page cache, so the backing store of `inode` gets `data`
 * at `offset` (i_size grows to cover it). The kernel invalidates the cached range around the IO
 * (`kiocb_invalidate_pages()`, `kiocb_invalidate_post_direct_write()`); a page it still caches here
 * gets the same bytes, so a reader sees the disk either way, and stays as clean or dirty as it was.
 * Not for FS-DAX, whose cached frames are the storage.
 */
export function writeDirect(k: MmContext, inode: MappedFile, offset: number, data: Uint8Array): void {
  if (offset + data.length > inode.size) inode.size = offset + data.length;
  forEachPageChunk(offset, data.length, (index, off, done, len) => {
    const old = inode.backing.get(index);
    // A stored page may be shorter than a page (what was written of it): the rest reads as zeros.
    let page = old;
    if (page === undefined || page.length < PAGE_SIZE) {
      page = new Uint8Array(PAGE_SIZE);
      if (old !== undefined) page.set(old);
      inode.backing.set(index, page);
    }
    page.set(data.subarray(done, done + len), off);
    const pfn = inode.cache.get(index);
    if (pfn !== undefined) k.memory.contents.write(pfn, off, data.subarray(done, done + len));
  });
}

