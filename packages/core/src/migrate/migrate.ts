/**
 * Page migration (`migrate_pages` -> `migrate_folio_unmap` -> `folio_migrate_mapping`,
 * mm/migrate.c, v6.12). A folio moves only when its refcount is exactly what its mappings and
 * the page cache explain (`folio_expected_ref_count`): any extra reference, a GUP reference or a
 * pin, makes the freeze fail with EAGAIN, retried up to NR_MAX_MIGRATE_PAGES_RETRY times. An
 * anonymous exclusive folio that may be DMA-pinned fails earlier: unmapping it would have to
 * clear PageAnonExclusive, which `folio_try_share_anon_rmap_pte` refuses (EBUSY).
 * @module
 */
import { EAGAIN, EBUSY, EINVAL, ENOMEM, ESRCH, KernelError } from "../errno.js";
import type { MigrateContext } from "./context.js";
import type { GfpClass } from "../memory/physical-memory.js";
import { folioWaitWritebackOnClock } from "../fs/writeback.js";
import {
  PG_ALLOC, PG_ANON, PG_ANON_EXCLUSIVE, PG_CHECKED, PG_DAX, PG_DEVICE_COHERENT, PG_DEVICE_PRIVATE, PG_DIRTY, PG_FILE, PG_HUGE_ZERO, PG_HUGETLB, PG_PRIVATE, PG_RESERVED, PG_SWAPCACHE,
  PG_WRITEBACK, PG_ZERO,
} from "../memory/page-flags.js";
import { splitFolio } from "../mm/huge-memory.js";
import { rmapList } from "../mm/rmap.js";
import { swapCacheMigrate } from "../mm/swap-state.js";
import { PTE_HUGE, PTE_PUD } from "../mm/page-table.js";
import { HPAGE_PUD_ORDER, PAGE_SIZE } from "../sim/units.js";

/** NR_MAX_MIGRATE_PAGES_RETRY. */
export const NR_MAX_MIGRATE_PAGES_RETRY = 10;

/**
 * How hard a migration tries (`enum migrate_mode`, include/linux/migrate_mode.h, v6.12): `async`
 * never blocks, `sync_light` blocks on locks but not on writeback, `sync` blocks on both. Only
 * `sync` waits for a folio under writeback (`migrate_folio_unmap()`, mm/migrate.c); the others
 * answer EBUSY. v6.12's callers: MIGRATE_SYNC for the long-term pin loop
 * (`migrate_longterm_unpinnable_folios()`, mm/gup.c), `alloc_contig_range()` (CMA,
 * mm/page_alloc.c), move_pages and migrate_pages/mbind (`do_move_pages_to_node()`,
 * mm/migrate.c; `migrate_to_node()`, `do_mbind()`, mm/mempolicy.c), memory hotplug and
 * memory-failure, and `compact_node()` (the compact_memory sysctl); MIGRATE_SYNC_LIGHT for
 * kcompactd and proactive compaction; MIGRATE_ASYNC for direct compaction's first attempt and
 * NUMA balancing (`migrate_misplaced_folio()`).
 */
export type MigrateMode = "async" | "sync_light" | "sync";

/** Why a migration is done (`enum migrate_reason`), for events. */
export type MigrateReason = "compaction" | "syscall_or_cpuset" | "longterm_pin" | "contig_range" | "numa_misplaced";

/** `folio_expected_ref_count()` (include/linux/mm.h, v6.12 as backported by Debian): references explained by the page cache, the swap cache, buffers and mappings. */
export function folioExpectedRefCount(k: MigrateContext, head: number): number {
  const f = k.frames;
  const flags = f.flags[head];
  let refs = f.folioMapcount(head);
  if ((flags & PG_FILE) !== 0) refs += f.nrPages(head) + ((flags & PG_PRIVATE) !== 0 ? 1 : 0);
  else if ((flags & PG_SWAPCACHE) !== 0) refs += f.nrPages(head);
  return refs;
}

/** True when a folio can move at all (user memory that is not reserved, DAX or the zero page). */
export function folioMovable(k: MigrateContext, head: number): boolean {
  const flags = k.frames.flags[head];
  // ZONE_DEVICE pages are on no LRU list: migrate_pages() never gets them (migrate_device.c moves them).
  if ((flags & (PG_ZERO | PG_RESERVED | PG_DAX | PG_DEVICE_PRIVATE | PG_DEVICE_COHERENT)) !== 0) return false;
  return (flags & (PG_ANON | PG_FILE)) !== 0;
}

/**
 * `folio_ref_freeze(folio, expected)` (include/linux/page_ref.h, v6.12) as `migrate_pages()`
 * retries it, up to NR_MAX_MIGRATE_PAGES_RETRY times: it fails while anyone holds a reference
 * the mappings and the cache do not explain (a GUP reference, a pin). Nothing in a
 * single-threaded model drops a reference between retries, so all retries fail alike.
 */
export function folioRefFreeze(k: MigrateContext, head: number): boolean {
  let attempts = 0;
  while (k.frames.refcount[head] !== folioExpectedRefCount(k, head)) {
    if (++attempts >= NR_MAX_MIGRATE_PAGES_RETRY) return false;
  }
  return true;
}

/**
 * Migrate the folio at `head` to a new folio from `gfp` (or to `target` when given): `migrate_pages`
 * -> `migrate_folio_unmap` -> `folio_migrate_mapping` (mm/migrate.c, v6.12), in `mode`. Returns the
 * new head, or `-errno`: EBUSY (not movable, under writeback in a mode that does not wait, or an
 * exclusive anon folio that may be pinned), EAGAIN (extra references after all retries, the
 * `migrate` fault point failing the move, or the folio gone while waiting), ENOMEM (no target).
 * In MIGRATE_SYNC a folio under writeback is waited for (`folio_wait_writeback()`), on the virtual
 * clock. A folio that gets as far as the move, with its target in hand, is one call of the
 * `migrate` fault point.
 */
export function migrateFolio(k: MigrateContext, head: number, gfp: GfpClass, mode: MigrateMode, target?: number): number {
  const f = k.frames;
  if (!folioMovable(k, head)) return -EBUSY;
  if ((f.flags[head] & PG_WRITEBACK) !== 0) {
    // migrate_folio_unmap(): "Only in the case of a full synchronous migration is it necessary
    // to wait for PageWriteback."
    if (mode !== "sync") return -EBUSY;
    if (folioWaitWritebackOnClock(k, head) < 0) return -EBUSY;
    // The kernel holds the isolated folio locked and referenced while it sleeps; the model holds
    // nothing, so a callback that ran meanwhile may have freed it: try again later.
    if ((f.flags[head] & PG_ALLOC) === 0 || f.head(head) !== head || !folioMovable(k, head)) return -EAGAIN;
    if (target !== undefined && k.memory.isAllocated(target)) return -EAGAIN;
  }
  const nr = f.nrPages(head);
  if ((f.flags[head] & PG_ANON) !== 0 && k.policy.maybeDmaPinned(head)) {
    for (let i = 0; i < nr; i++) if ((f.flags[head + i] & PG_ANON_EXCLUSIVE) !== 0) return -EBUSY;
  }
  if (!folioRefFreeze(k, head)) return -EAGAIN;
  const order = f.order[head];
  let dst: number;
  if (target !== undefined) {
    k.memory.takeRange(target, 1);
    dst = target;
    f.flags[dst] &= ~PG_RESERVED;
  } else {
    // alloc_hugetlb_folio_nodemask() (mm/hugetlb.c, v6.12): a gigantic target only from the pool, never reserved.
    dst = order === HPAGE_PUD_ORDER ? k.memory.allocHugetlb1g(false) : k.memory.allocFolio(order, gfp);
  }
  if (dst < 0) return -ENOMEM;
  if (k.faults.shouldFail("migrate")) {
    // A pinlab extension (the kernel has no fault point here): move_to_new_folio() answering
    // -EAGAIN on every one of migrate_pages()'s retries. The folio stays where it was, counted
    // failed, and the target goes back (migrate_folio_undo_dst()).
    if (target !== undefined) k.memory.releaseRange(dst, 1);
    else k.memory.put(dst);
    return -EAGAIN;
  }
  const mappings = [];
  // A PMD leaf maps the folio whole: the walk for its first page finds every leaf, and a later
  // page needs its own walk only when a PTE maps it.
  for (let i = 0; i < nr; i++) mappings.push(i === 0 || f.mapcount[head + i] > 0 ? rmapList(k, head + i) : []);
  const carried = PG_ANON | PG_FILE | PG_DIRTY | PG_ANON_EXCLUSIVE | PG_PRIVATE | PG_HUGETLB | PG_CHECKED | PG_SWAPCACHE;
  for (let i = 0; i < nr; i++) {
    const o = head + i;
    const n = dst + i;
    k.memory.contents.copy(o, n);
    f.flags[n] |= f.flags[o] & carried;
    f.mapping[n] = f.mapping[o];
    f.index[n] = f.index[o];
    f.mapcount[n] = f.mapcount[o];
    // Remap every PTE (try_to_migrate + remove_migration_ptes), telling notifiers. v6.12
    // try_to_migrate_one() initialises its range with MMU_NOTIFY_CLEAR; MMU_NOTIFY_MIGRATE is
    // only used by migrate_vma_collect() (device-private migration). A PMD leaf moves whole, once,
    // through a PMD migration entry (set_pmd_migration_entry(), remove_migration_pmd()), its
    // range covering the folio.
    for (const { vma, vpn, bits } of mappings[i]) {
      const addr = vpn * PAGE_SIZE;
      if ((bits & PTE_HUGE) !== 0) {
        if (i !== 0) continue;
        k.notifiers.invalidateRange(vma.mm, addr, addr + nr * PAGE_SIZE, "clear");
        if ((bits & PTE_PUD) !== 0) vma.mm.pageTable.setPud(vpn, n, bits);
        else vma.mm.pageTable.setPmd(vpn, n, bits);
        continue;
      }
      k.notifiers.invalidateRange(vma.mm, addr, addr + PAGE_SIZE, "clear");
      vma.mm.pageTable.set(vpn, n, bits);
    }
    if ((f.flags[o] & PG_FILE) !== 0) {
      const inode = k.inodes.get(f.mapping[o]);
      if (inode !== undefined && inode.cache.get(f.index[o]) === o) inode.cache.set(f.index[o], n);
    } else if ((f.flags[o] & PG_SWAPCACHE) !== 0) {
      swapCacheMigrate(k, o, n);
    }
    k.observe("onMigrate", o, n);
  }
  f.refcount[dst] = f.refcount[head];
  f.pincount[dst] = f.pincount[head];
  f.entireMapcount[dst] = f.entireMapcount[head];
  f.entireMapcount[head] = 0;
  for (let i = 0; i < nr; i++) f.mapcount[head + i] = 0;
  f.refcount[head] = 1;
  k.memory.put(head);
  k.vmstat.nr_migrated += nr;
  return dst;
}

/** What migrating one folio did, counting the pieces of a split folio one by one. */
export interface FolioMigration {
  /** Pages migrated. */
  readonly migrated: number;
  /** Folios that did not move (a split folio's pieces count one each). */
  readonly failedFolios: number;
  /** Pages that did not move. */
  readonly failedPages: number;
}

/**
 * One folio of `migrate_pages_batch()` (mm/migrate.c, v6.12): {@link migrateFolio}, and when a THP
 * finds no 2 MiB target (-ENOMEM) it is split (`try_split_folio()`, which fails while anything
 * but its mappings holds it) and the small folios are migrated in its place (the
 * `split_folios` list); a hugetlb folio is never split (`migrate_hugetlbs()`).
 */
export function migrateFolioSplitting(k: MigrateContext, head: number, gfp: GfpClass, mode: MigrateMode): FolioMigration {
  const f = k.frames;
  const nr = f.nrPages(head);
  const r = migrateFolio(k, head, gfp, mode);
  if (r >= 0) return { migrated: f.nrPages(r), failedFolios: 0, failedPages: 0 };
  if (r !== -ENOMEM || splitFolio(k, head) !== 0) return { migrated: 0, failedFolios: 1, failedPages: nr };
  let migrated = 0;
  let failed = 0;
  for (let i = 0; i < nr; i++) {
    if ((f.flags[head + i] & PG_ALLOC) === 0) continue;
    if (migrateFolio(k, head + i, gfp, mode) >= 0) migrated++;
    else failed++;
  }
  return { migrated, failedFolios: failed, failedPages: failed };
}

/**
 * Migrate every folio mapped in [addr, addr + length) of a process (`move_pages`-like, mm/migrate.c, v6.12).
 * Throws a `KernelError`: ESRCH for a pid with no live process (as move_pages), EINVAL for a
 * range that is not whole non-negative bytes.
 */
export function migrateRange(k: MigrateContext, pid: number, addr: number, length: number): { migrated: number; failed: number } {
  const mm = k.mmOf(pid);
  // move_pages(2): find_mm_struct() of a pid that is gone is ESRCH.
  if (mm === undefined) throw new KernelError(ESRCH, `no live process with pid ${pid}`);
  if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(length) || addr < 0 || length < 0) {
    throw new KernelError(EINVAL, `migrate: bad range (address ${addr}, length ${length})`);
  }
  let migrated = 0;
  let failed = 0;
  {
    const seen = new Set<number>();
    const start = Math.floor(addr / PAGE_SIZE);
    const end = Math.ceil((addr + length) / PAGE_SIZE);
    const heads: number[] = [];
    mm.pageTable.forEachPresent(start, end, (_vpn, pfn) => {
      const head = k.frames.head(pfn);
      if (!seen.has(head) && (k.frames.flags[head] & (PG_ZERO | PG_HUGE_ZERO)) === 0) {
        seen.add(head);
        heads.push(head);
      }
    });
    for (const head of heads) {
      // do_move_pages_to_node() (mm/migrate.c, v6.12): migrate_pages(..., MIGRATE_SYNC, MR_SYSCALL).
      const r = migrateFolioSplitting(k, head, "movable", "sync");
      migrated += r.migrated;
      failed += r.failedPages;
      k.vmstat.nr_migrate_failed += r.failedPages;
    }
  }
  k.events.emit("migrate", { reason: "syscall_or_cpuset", migrated, failed });
  return { migrated, failed };
}
