/**
 * The unmap and remap halves of device migration (mm/migrate_device.c, mm/migrate.c, Linux
 * v6.12): `migrate_device_unmap()` unmaps every other mapping of each collected page
 * (`try_to_migrate()`) and checks that nothing but its mappings and the migration hold it
 * (`migrate_vma_check_page()`), putting back what may not move; `remove_migration_ptes()` maps a
 * page where its migration entries were.
 * @module
 */
import type { MigrateContext } from "./context.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_DEVICE_COHERENT, PG_DEVICE_PRIVATE, PG_FILE, PG_PRIVATE, PG_SWAPCACHE } from "../memory/page-flags.js";
import { setDevicePrivateEntry } from "../mm/device-entry.js";
import type { Vma } from "../mm/mm-types.js";
import { PTE_DIRTY, PTE_PRESENT, PTE_WRITE, PTE_YOUNG } from "../mm/page-table.js";
import { rmapList } from "../mm/rmap.js";
import { migratePfnToPage, mpfnClear, mpfnHas, MIGRATE_PFN_MIGRATE } from "./migrate-pfn.js";

/** What one migration entry said (`make_{writable,readable_exclusive,readable}_migration_entry()`, young, dirty), where it was. */
export interface MigrationEntry {
  /** The VMA mapping the page. */
  readonly vma: Vma;
  /** The virtual page. */
  readonly vpn: number;
  /** A writable migration entry: the new mapping is writable (and exclusive). */
  readonly write: boolean;
  /** The page was anon-exclusive there (`make_readable_exclusive_migration_entry()`). */
  readonly exclusive: boolean;
  /** The PTE was young. */
  readonly young: boolean;
  /** The PTE was dirty. */
  readonly dirty: boolean;
}

/**
 * `migrate_vma_check_page()` (mm/migrate_device.c, v6.12): may `page` move? Not a large folio,
 * and no reference beyond the migration's own (plus the fault's for `fault_page`, the pagemap's
 * for a device page, the mapping's and buffers' for a page with a mapping) and its mappings.
 */
export function migrateVmaCheckPage(k: MigrateContext, page: number, faultPage: number): boolean {
  const f = k.frames;
  let extra = 1 + (page === faultPage ? 1 : 0);
  if (f.isLarge(page)) return false;
  if ((f.flags[page] & (PG_DEVICE_PRIVATE | PG_DEVICE_COHERENT)) !== 0) extra++;
  // folio_mapping(): a file page's address_space, a swap-cache page's swap space.
  if ((f.flags[page] & (PG_FILE | PG_SWAPCACHE)) !== 0) extra += 1 + ((f.flags[page] & PG_PRIVATE) !== 0 ? 1 : 0);
  return f.refcount[page] - extra <= f.folioMapcount(page);
}

/**
 * `migrate_device_unmap()` (mm/migrate_device.c, v6.12) over `src`: each collected page still
 * mapped elsewhere (fork shared it) is unmapped there too (`try_to_migrate()`: MMU_NOTIFY_CLEAR,
 * a migration entry, the mapping's reference dropped; an anon-exclusive page that may be pinned
 * stays mapped); a page still mapped or held by someone else
 * (`migrate_vma_check_page()`) stops migrating and gets its mappings back. Returns the pages
 * (and holes) ready to move: the new `cpages`.
 */
export function migrateDeviceUnmap(k: MigrateContext, src: number[], entries: MigrationEntry[][], faultPage: number): number {
  const f = k.frames;
  let unmapped = 0;
  let restore = 0;
  for (let i = 0; i < src.length; i++) {
    const page = migratePfnToPage(src[i]);
    if (page < 0) {
      if (mpfnHas(src[i], MIGRATE_PFN_MIGRATE)) unmapped++;
      continue;
    }
    if (f.folioMapcount(page) > 0) tryToMigrate(k, page, entries[i]);
    if (f.folioMapcount(page) > 0 || !migrateVmaCheckPage(k, page, faultPage)) {
      src[i] = mpfnClear(src[i], MIGRATE_PFN_MIGRATE);
      restore++;
      continue;
    }
    unmapped++;
  }
  for (let i = 0; i < src.length && restore > 0; i++) {
    const page = migratePfnToPage(src[i]);
    if (page < 0 || mpfnHas(src[i], MIGRATE_PFN_MIGRATE)) continue;
    removeMigrationPtes(k, entries[i], page);
    src[i] = 0;
    k.memory.put(page);
    restore--;
  }
  return unmapped;
}

/** `try_to_migrate()` (mm/rmap.c, v6.12): every remaining mapping of `page` becomes a migration entry in `out`. */
function tryToMigrate(k: MigrateContext, page: number, out: MigrationEntry[]): void {
  const f = k.frames;
  for (const { vma, vpn, bits } of rmapList(k, page)) {
    const present = (bits & PTE_PRESENT) !== 0;
    const exclusive = (f.flags[page] & PG_ANON) !== 0 && (f.flags[page] & PG_ANON_EXCLUSIVE) !== 0;
    // try_to_migrate_one(): folio_try_share_anon_rmap_pte() refuses a page that may be pinned.
    if (exclusive && k.policy.maybeDmaPinned(page)) return;
    f.flags[page] &= ~PG_ANON_EXCLUSIVE;
    const addr = vpn * 4096;
    k.notifiers.invalidateRange(vma.mm, addr, addr + 4096, "clear");
    vma.mm.pageTable.clear(vpn);
    f.mapcount[page]--;
    k.memory.put(page);
    out.push({ vma, vpn, write: (bits & PTE_WRITE) !== 0, exclusive, young: present && (bits & PTE_YOUNG) !== 0, dirty: present && (bits & PTE_DIRTY) !== 0 });
  }
}

/**
 * `remove_migration_ptes(src, dst)` (mm/migrate.c, v6.12) over one page's migration entries: map
 * `dst` there, a device-private entry for a device-private page (`remove_migration_pte()`),
 * otherwise a present PTE (writable for a writable entry, young and dirty as the PTE was); each
 * mapping adds to the anon rmap (exclusive for a writable or exclusive entry) and takes a
 * reference.
 */
export function removeMigrationPtes(k: MigrateContext, entries: readonly MigrationEntry[], dst: number): void {
  const f = k.frames;
  for (const e of entries) {
    if (!e.vma.mm.live) continue;
    const pt = e.vma.mm.pageTable;
    if ((f.flags[dst] & PG_DEVICE_PRIVATE) !== 0) setDevicePrivateEntry(pt, e.vpn, dst, e.write);
    else pt.set(e.vpn, dst, (e.write ? PTE_WRITE : 0) | (e.young ? PTE_YOUNG : 0) | (e.dirty ? PTE_DIRTY : 0));
    if ((f.flags[dst] & PG_ANON) !== 0 && (e.write || e.exclusive)) f.flags[dst] |= PG_ANON_EXCLUSIVE;
    f.mapcount[dst]++;
    k.memory.get(dst);
  }
}
