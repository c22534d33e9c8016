/**
 * Truncate and hole punch (`truncate_setsize` -> `truncate_pagecache`, `truncate_pagecache_range`,
 * `unmap_mapping_range`, mm/truncate.c; FS-DAX `dax_layout_busy_page` / block freeing).
 *
 * First the policy may refuse (layout leases, busy DAX pages). Then every process mapping of
 * the range is zapped (MMU_NOTIFY_CLEAR), the pages leave the page cache and the backing store
 * forgets the blocks. A page still referenced by someone (a GUP holder) survives as an orphan:
 * no longer in the file, freed when its last reference goes. An FS-DAX block goes back to the
 * filesystem's free space and is reused by the next allocation.
 * @module
 */
import { EFBIG, EINVAL } from "../errno.js";
import type { FsContext } from "./context.js";
import { PG_ANON, PG_FILE, PG_ORPHAN, PG_PRIVATE } from "../memory/page-flags.js";
import { zapRange } from "../mm/pte-ops.js";
import { HPAGE_PMD_NR, HPAGE_PMD_SIZE, PAGE_SIZE } from "../sim/units.js";
import { MAX_FILE_BYTES, type Inode } from "./inode.js";
import { folioWaitWriteback } from "./writeback.js";

/** Result of a truncate: 0 or `-errno`. */
export type TruncateResult = number;

/** `ftruncate` (`truncate_setsize` + `truncate_pagecache`, mm/truncate.c, v6.12): set the size of `inode`. `pid` is the truncating process, when known. */
export function doTruncate(k: FsContext, inode: Inode, size: number, pid?: number): TruncateResult {
  if (!Number.isSafeInteger(size) || size < 0) return -EINVAL;
  // inode_newsize_ok(): past s_maxbytes the kernel says EFBIG.
  if (size > MAX_FILE_BYTES) return -EFBIG;
  if (inode.fs.huge && size % HPAGE_PMD_SIZE !== 0) return -EINVAL;
  const oldPages = inode.sizePages;
  const newPages = Math.ceil(size / PAGE_SIZE);
  if (newPages < oldPages) {
    const r = removeRange(k, inode, newPages, oldPages, "ftruncate", pid, true);
    if (typeof r === "number") {
      k.events.emit("truncate", { file: inode.name, op: "ftruncate", start: size, end: inode.size, pages: 0, orphaned: 0, errno: String(-r) });
      return r;
    }
    inode.size = size;
    zeroTail(k, inode, size);
    k.events.emit("truncate", { file: inode.name, op: "ftruncate", start: size, end: oldPages * PAGE_SIZE, pages: r.removed, orphaned: r.orphaned });
    return 0;
  }
  if (size < inode.size) zeroTail(k, inode, size);
  const old = inode.size;
  inode.size = size;
  k.events.emit("truncate", { file: inode.name, op: "ftruncate", start: Math.min(old, size), end: Math.max(old, size), pages: 0, orphaned: 0 });
  return 0;
}

/** `fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)` (`truncate_pagecache_range`, mm/truncate.c, v6.12): free [offset, offset + length). */
export function doPunchHole(k: FsContext, inode: Inode, offset: number, length: number, pid?: number): TruncateResult {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length <= 0) return -EINVAL;
  const end = Math.min(offset + length, inode.size);
  if (end <= offset) return 0;
  // Whole pages inside the hole go; hugetlbfs counts in huge pages (hugetlbfs_punch_hole:
  // hole_start = round_up(offset), hole_end = round_down(offset + len)).
  const unit = inode.fs.huge ? HPAGE_PMD_NR : 1;
  const first = Math.ceil(offset / PAGE_SIZE / unit) * unit;
  const last = Math.floor(end / PAGE_SIZE / unit) * unit;
  if (first < last) {
    const r = removeRange(k, inode, first, last, "punch_hole", pid, false);
    if (typeof r === "number") {
      k.events.emit("truncate", { file: inode.name, op: "punch_hole", start: offset, end, pages: 0, orphaned: 0, errno: String(-r) });
      return r;
    }
    k.events.emit("truncate", { file: inode.name, op: "punch_hole", start: offset, end, pages: r.removed, orphaned: r.orphaned });
  }
  // Partial pages at either end are zeroed in place (truncate_inode_partial_folio,
  // hugetlbfs_zero_partial_page).
  zeroBytes(k, inode, offset, Math.min(end, first * PAGE_SIZE));
  zeroBytes(k, inode, Math.max(offset, last * PAGE_SIZE), end);
  return 0;
}

/**
 * `truncate_inode_pages_final()` (mm/truncate.c, v6.12) on eviction of an internal file whose last mapping went away
 * (the shmem file behind MAP_SHARED | MAP_ANONYMOUS, the hugetlbfs file behind MAP_HUGETLB:
 * `shmem_evict_inode`, `hugetlbfs_evict_inode`). Every page leaves the file with no policy check
 * and no event; a page someone still holds (a pin) becomes an orphan, freed at its last release.
 */
export function truncateInodePagesFinal(k: FsContext, inode: Inode): void {
  if (inode.cache.size === 0) return;
  const end = Math.max(...inode.cache.keys()) + 1;
  removeRange(k, inode, 0, end, "ftruncate", undefined, true, false);
}

/**
 * Remove pages [start, end) of `inode`: ask the policy (unless evicting), zap mappings, drop the
 * cache references, forget the backing blocks. Returns pages removed and orphaned, or `-errno`.
 */
function removeRange(
  k: FsContext, inode: Inode, start: number, end: number, op: "ftruncate" | "punch_hole", pid: number | undefined, evenCows: boolean,
  askPolicy = true,
): { removed: number; orphaned: number } | number {
  const f = k.frames;
  const busy: number[] = [];
  for (const [index, pfn] of inode.cache) {
    if (index < start || index >= end) continue;
    if (f.refcount[pfn] > expectedRefs(k, pfn)) busy.push(pfn);
  }
  const refused = askPolicy ? k.policy.checkTruncate({ inode, start, end, pid, op, busyPfns: busy }) : 0;
  if (refused !== 0) return -Math.abs(refused);
  unmapMappingRange(k, inode, start, end, evenCows);
  return truncateInodePagesRange(k, inode, start, end);
}

/**
 * `unmap_mapping_range()` (mm/memory.c, v6.12) for pages [start, end) of `inode`: zap them in
 * every process that maps them, telling notifiers (MMU_NOTIFY_CLEAR); with `evenCows` (truncate,
 * `even_cows`) also the private COW copies of those pages, which a hole punch leaves alone.
 */
export function unmapMappingRange(k: FsContext, inode: Inode, start: number, end: number, evenCows: boolean): void {
  const f = k.frames;
  for (const vma of [...inode.mappings]) {
    const s = Math.max(vma.startVpn, vma.vpnForIndex(start));
    const e = Math.min(vma.endVpn, vma.vpnForIndex(end));
    if (s >= e) continue;
    k.notifiers.invalidateRange(vma.mm, s * PAGE_SIZE, e * PAGE_SIZE, "clear");
    zapRange(k, vma, s, e, evenCows ? undefined : (pfn) => (f.flags[pfn] & PG_ANON) === 0);
  }
}

/**
 * `truncate_inode_pages_range()` (mm/truncate.c, v6.12) for pages [start, end) of `inode`, already
 * unmapped: each folio waits for its writeback and leaves the page cache whole, dropping the
 * cache's references (and its buffers'); a folio someone still holds (a pin) survives as an
 * orphan, freed at its last release, and an FS-DAX block goes back to the filesystem with its
 * stale references. The backing store forgets the blocks. Returns pages removed and orphaned.
 */
export function truncateInodePagesRange(k: FsContext, inode: Inode, start: number, end: number): { removed: number; orphaned: number } {
  const f = k.frames;
  let removed = 0;
  let orphaned = 0;
  const indices = [...inode.cache.keys()].filter((i) => i >= start && i < end).sort((a, b) => a - b);
  // Folio by folio: a large (hugetlbfs) folio leaves the file whole, dropping one cache
  // reference per page at once (remove_inode_hugepages / truncate_inode_folio), so it is an
  // orphan only when someone beyond the cache still holds it.
  let i = 0;
  while (i < indices.length) {
    const head = f.head(inode.cache.get(indices[i])!);
    const members: [index: number, pfn: number][] = [];
    for (; i < indices.length; i++) {
      const pfn = inode.cache.get(indices[i])!;
      if (f.head(pfn) !== head) break;
      members.push([indices[i], pfn]);
    }
    for (const [index, pfn] of members) {
      // Writeback of each folio removed must end first.
      folioWaitWriteback(k, inode, index, pfn);
      inode.cache.delete(index);
      f.flags[pfn] &= ~PG_FILE;
      f.mapping[pfn] = 0;
    }
    removed += members.length;
    let refsToDrop = members.length;
    if ((f.flags[head] & PG_PRIVATE) !== 0) {
      f.flags[head] &= ~PG_PRIVATE;
      refsToDrop++;
    }
    if (f.refcount[head] - refsToDrop > 0) {
      for (const [index, pfn] of members) {
        f.flags[pfn] |= PG_ORPHAN;
        k.observe("onOrphan", inode, index, pfn);
      }
      orphaned += members.length;
      if (inode.fs.dax) {
        // An FS-DAX block (order 0) goes back to the filesystem with its stale references.
        f.refcount[head] -= refsToDrop;
        k.memory.releaseDaxBlock(head);
        k.observe("onFree", head, 1);
        continue;
      }
    } else {
      for (const [, pfn] of members) k.observe("onFree", pfn, 1);
    }
    k.memory.put(head, refsToDrop);
  }
  for (const index of [...inode.backing.keys()]) if (index >= start && index < end) inode.backing.delete(index);
  return { removed, orphaned };
}

/** References a file frame is expected to hold: the cache's, buffers', and one per mapping (`folio_expected_ref_count()`, include/linux/mm.h, v6.12). */
function expectedRefs(k: FsContext, pfn: number): number {
  const f = k.frames;
  const head = f.head(pfn);
  return f.nrPages(head) + ((f.flags[head] & PG_PRIVATE) !== 0 ? 1 : 0) + f.folioMapcount(head);
}

function zeroTail(k: FsContext, inode: Inode, size: number): void {
  const pageEnd = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
  zeroBytes(k, inode, size, pageEnd);
}

function zeroBytes(k: FsContext, inode: Inode, from: number, to: number): void {
  while (from < to) {
    const index = Math.floor(from / PAGE_SIZE);
    const off = from % PAGE_SIZE;
    const len = Math.min(PAGE_SIZE - off, to - from);
    const zeros = new Uint8Array(len);
    const pfn = inode.cache.get(index);
    if (pfn !== undefined) k.memory.contents.write(pfn, off, zeros);
    const disk = inode.backing.get(index);
    if (disk !== undefined) disk.fill(0, off, off + len);
    from += len;
  }
}
