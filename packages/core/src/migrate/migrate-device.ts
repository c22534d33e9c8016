/**
 * Migration to and from device memory (mm/migrate_device.c, Linux v6.12): a driver collects a
 * range of one VMA (`migrate_vma_setup()`), allocates and fills destination pages for what was
 * collected, lets the kernel move the struct-page state (`migrate_vma_pages()`) and then remaps
 * every mapping to the new pages, or back to the old ones where the move failed
 * (`migrate_vma_finalize()`). `src` / `dst` hold one `migrate_pfn()` word per page, as in the
 * kernel. Between setup and finalize the kernel leaves migration entries in the page tables; the
 * model keeps what each of them said (writable, exclusive, young, dirty) in
 * {@link MigrateVma.entries} instead, since nothing can run in between.
 * @module
 */
import { EINVAL } from "../errno.js";
import type { MigrateContext } from "./context.js";
import { PG_ANON, PG_ANON_EXCLUSIVE, PG_DEVICE_COHERENT, PG_DEVICE_PRIVATE, PG_DIRTY, PG_FILE, PG_SWAPCACHE } from "../memory/page-flags.js";
import { devicePrivateEntryPfn, isWritableDevicePrivateEntry } from "../mm/device-entry.js";
import { migrateDeviceUnmap, removeMigrationPtes, type MigrationEntry } from "./migrate-device-unmap.js";
import { PTE_DIRTY, PTE_PRESENT, PTE_SPECIAL, PTE_WRITE, PTE_YOUNG, PTRS_PER_PTE } from "../mm/page-table.js";
import { splitFolio, splitHugePmd } from "../mm/huge-memory.js";
import { folioFreeSwap } from "../mm/swap-state.js";
import type { Vma } from "../mm/mm-types.js";
import { VM_HUGETLB, VM_IO, VM_PFNMAP } from "../mm/vm-flags.js";
import { PAGE_SIZE } from "../sim/units.js";
import { migratePfn, migratePfnToPage, mpfnClear, mpfnHas, MIGRATE_PFN_MIGRATE, MIGRATE_PFN_WRITE, MIGRATE_VMA_SELECT_DEVICE_COHERENT, MIGRATE_VMA_SELECT_DEVICE_PRIVATE, MIGRATE_VMA_SELECT_SYSTEM } from "./migrate-pfn.js";
import { insertDevicePage } from "./migrate-device-insert.js";

/** `struct migrate_vma` (include/linux/migrate.h, v6.12). */
export interface MigrateVma {
  /** The VMA the range lies in. */
  readonly vma: Vma;
  /** First byte, page aligned. */
  readonly start: number;
  /** One past the last byte. */
  end: number;
  /** One `migrate_pfn()` word per page: what was collected (MIGRATE_PFN_MIGRATE while it may still move). */
  readonly src: number[];
  /** One word per page, filled by the driver: the destination page (MIGRATE_PFN_WRITE to map it writable). */
  readonly dst: number[];
  /** Pages walked. */
  npages: number;
  /** Pages collected, then pages unmapped and ready to move. */
  cpages: number;
  /** `pgmap_owner`: only device pages of this owner are collected, and notifiers are told who migrates. */
  readonly pgmapOwner: string;
  /** MIGRATE_VMA_SELECT_*: which kinds of source page to collect. */
  readonly flags: number;
  /** `fault_page`: the device page a CPU fault is migrating back (it holds the fault's reference), or -1. */
  readonly faultPage: number;
  /** The model's migration entries: per page, the mappings unmapped while it moves. */
  readonly entries: MigrationEntry[][];
}

/** A fresh {@link MigrateVma} for [start, end) of `vma`. */
export function migrateVma(vma: Vma, start: number, end: number, pgmapOwner: string, flags: number, faultPage = -1): MigrateVma {
  return { vma, start, end, src: [], dst: [], npages: 0, cpages: 0, pgmapOwner, flags, faultPage, entries: [] };
}

/**
 * `migrate_vma_setup()` (mm/migrate_device.c, v6.12): check the range (EINVAL for a hugetlb,
 * VM_IO / VM_PFNMAP or DAX VMA, an empty range, one not inside the VMA, a fault page that is not
 * device-private), collect it (`migrate_vma_collect()`) and, when something was collected,
 * unmap it (`migrate_vma_unmap()`). 0 or -EINVAL.
 */
export function migrateVmaSetup(k: MigrateContext, args: MigrateVma): number {
  const { vma } = args;
  const nr = (args.end - args.start) / PAGE_SIZE;
  if ((vma.flags & (VM_HUGETLB | VM_IO | VM_PFNMAP)) !== 0 || vma.file?.fs.dax === true) return -EINVAL;
  if (!(nr > 0) || args.start % PAGE_SIZE !== 0 || args.end % PAGE_SIZE !== 0) return -EINVAL;
  if (args.start < vma.start || args.start >= vma.end || args.end <= vma.start || args.end > vma.end) return -EINVAL;
  if (args.faultPage >= 0 && (k.frames.flags[args.faultPage] & PG_DEVICE_PRIVATE) === 0) return -EINVAL;
  args.src.length = 0;
  args.dst.length = 0;
  args.entries.length = 0;
  args.cpages = 0;
  args.npages = 0;
  migrateVmaCollect(k, args);
  if (args.cpages > 0) args.cpages = migrateDeviceUnmap(k, args.src, args.entries, args.faultPage);
  return 0;
}

/**
 * `migrate_vma_collect()` + `migrate_vma_collect_pmd()` (mm/migrate_device.c, v6.12), after an
 * MMU_NOTIFY_MIGRATE invalidation of the range: a PMD-mapped THP is split first (the huge zero
 * folio's PMD with `split_huge_pmd()`, a THP with `split_folio()`; a THP that cannot be split is
 * skipped whole); then per PTE: an empty one of an anonymous VMA and the zero page are collected
 * with no page (the driver fills a new one); a device-private entry of the caller's pagemap, with
 * MIGRATE_VMA_SELECT_DEVICE_PRIVATE; a present page, with MIGRATE_VMA_SELECT_SYSTEM (or a
 * coherent page of the caller's, with MIGRATE_VMA_SELECT_DEVICE_COHERENT). A page with no
 * mapping or still part of a large folio is not collected, nor an anon-exclusive one that may be
 * pinned (`folio_try_share_anon_rmap_pte()` refuses). A collected page is unmapped here.
 */
function migrateVmaCollect(k: MigrateContext, args: MigrateVma): void {
  const { vma } = args;
  const mm = vma.mm;
  const pt = mm.pageTable;
  k.notifiers.invalidateRange(mm, args.start, args.end, "migrate");
  const startVpn = args.start / PAGE_SIZE;
  const endVpn = args.end / PAGE_SIZE;
  for (let vpn = startVpn; vpn < endVpn; vpn++) {
    if (pt.isLeaf(vpn)) {
      const head = pt.pfn(vpn) - (vpn % PTRS_PER_PTE);
      if (head === k.memory.hugeZeroPfn) splitHugePmd(k, vma, vpn);
      else if (splitFolio(k, head) !== 0) {
        // migrate_vma_collect_skip() to the end of this PMD.
        const pmdEnd = Math.min(endVpn, vpn - (vpn % PTRS_PER_PTE) + PTRS_PER_PTE);
        for (; vpn < pmdEnd; vpn++) push(args, 0, []);
        vpn--;
        continue;
      }
    }
    collectPte(k, args, vpn);
  }
  args.end = args.start + args.npages * PAGE_SIZE;
}

/** Append one page's word and migration entries. */
function push(args: MigrateVma, mpfn: number, entries: MigrationEntry[]): void {
  args.src.push(mpfn);
  args.dst.push(0);
  args.entries.push(entries);
  args.npages++;
}

/** One PTE of `migrate_vma_collect_pmd()` (v6.12): push its `migrate_pfn()` word; a collected page's mapping becomes its migration entry. */
function collectPte(k: MigrateContext, args: MigrateVma, vpn: number): void {
  const entries: MigrationEntry[] = [];
  push(args, collectPteWord(k, args, vpn, entries), entries);
}

/** {@link collectPte}'s word, filling `entries` when the page is unmapped. */
function collectPteWord(k: MigrateContext, args: MigrateVma, vpn: number, entries: MigrationEntry[]): number {
  const { vma } = args;
  const pt = vma.mm.pageTable;
  const f = k.frames;
  const bits = pt.bits(vpn);
  let page: number;
  let mpfn: number;
  if (bits === 0) {
    if (!vma.isAnonymous) return 0;
    args.cpages++;
    return MIGRATE_PFN_MIGRATE;
  }
  if ((bits & PTE_PRESENT) === 0) {
    page = devicePrivateEntryPfn(pt, vpn);
    if (page < 0 || (args.flags & MIGRATE_VMA_SELECT_DEVICE_PRIVATE) === 0 || k.pgmaps.pgmapOf(page)?.owner !== args.pgmapOwner) return 0;
    mpfn = migratePfn(page) + MIGRATE_PFN_MIGRATE + (isWritableDevicePrivateEntry(bits) ? MIGRATE_PFN_WRITE : 0);
  } else {
    const pfn = pt.pfn(vpn);
    if (pfn === k.memory.zeroPfn && (args.flags & MIGRATE_VMA_SELECT_SYSTEM) !== 0) {
      args.cpages++;
      return MIGRATE_PFN_MIGRATE;
    }
    // vm_normal_page(): a special PTE has no page.
    page = (bits & PTE_SPECIAL) !== 0 ? -1 : pfn;
    const zoneDevice = page >= 0 && (f.flags[page] & (PG_DEVICE_PRIVATE | PG_DEVICE_COHERENT)) !== 0;
    if (page >= 0 && !zoneDevice && (args.flags & MIGRATE_VMA_SELECT_SYSTEM) === 0) return 0;
    if (page >= 0 && (f.flags[page] & PG_DEVICE_COHERENT) !== 0 && ((args.flags & MIGRATE_VMA_SELECT_DEVICE_COHERENT) === 0 || k.pgmaps.pgmapOf(page)?.owner !== args.pgmapOwner)) return 0;
    mpfn = migratePfn(pfn) + MIGRATE_PFN_MIGRATE + ((bits & PTE_WRITE) !== 0 ? MIGRATE_PFN_WRITE : 0);
  }
  if (page < 0 || f.mapping[page] === 0 || f.isLarge(page)) return 0;
  const anonExclusive = (f.flags[page] & PG_ANON) !== 0 && (f.flags[page] & PG_ANON_EXCLUSIVE) !== 0;
  // folio_try_share_anon_rmap_pte() (include/linux/rmap.h, v6.12): an exclusive page that may be pinned stays.
  if (anonExclusive && k.policy.maybeDmaPinned(page)) return 0;
  f.flags[page] &= ~PG_ANON_EXCLUSIVE;
  args.cpages++;
  const present = (bits & PTE_PRESENT) !== 0;
  if (present && (bits & PTE_DIRTY) !== 0) f.flags[page] |= PG_DIRTY;
  const entry: MigrationEntry = {
    vma, vpn, write: mpfnHas(mpfn, MIGRATE_PFN_WRITE), exclusive: anonExclusive,
    young: present && (bits & PTE_YOUNG) !== 0, dirty: present && (bits & PTE_DIRTY) !== 0,
  };
  // folio_get(), the migration entry replaces the PTE, folio_remove_rmap_pte(), folio_put(): the
  // collect's reference stays, the mapping's goes.
  pt.clear(vpn);
  f.mapcount[page]--;
  entries.push(entry);
  return mpfn;
}

/**
 * `migrate_vma_pages()` (`__migrate_device_pages()`, mm/migrate_device.c, v6.12): for each page
 * still migrating with a destination, move the struct-page state (`folio_migrate_mapping()`,
 * `folio_migrate_flags()`: the anon rmap and the dirty flag). A page with no source (a hole, the
 * zero page) is inserted straight into the page table (`migrate_vma_insert_page()`, after one
 * MMU_NOTIFY_MIGRATE invalidation). Only anonymous memory goes to device memory: a file page is
 * refused, a swap-cache page first leaves the cache (`folio_free_swap()`). A page with no
 * destination stops migrating.
 */
export function migrateVmaPages(k: MigrateContext, args: MigrateVma): void {
  let notified = false;
  for (let i = 0; i < args.npages; i++) {
    const newpage = migratePfnToPage(args.dst[i]);
    const page = migratePfnToPage(args.src[i]);
    if (newpage < 0) {
      args.src[i] = mpfnClear(args.src[i], MIGRATE_PFN_MIGRATE);
      continue;
    }
    if (page < 0) {
      if (!mpfnHas(args.src[i], MIGRATE_PFN_MIGRATE)) continue;
      const addr = args.start + i * PAGE_SIZE;
      if (!notified) {
        notified = true;
        k.notifiers.invalidateRange(args.vma.mm, addr, args.end, "migrate");
      }
      if (!insertDevicePage(k, args.vma, addr / PAGE_SIZE, newpage)) args.src[i] = mpfnClear(args.src[i], MIGRATE_PFN_MIGRATE);
      continue;
    }
    if (!migrateDevicePage(k, page, newpage, args.faultPage)) args.src[i] = mpfnClear(args.src[i], MIGRATE_PFN_MIGRATE);
  }
}

/**
 * One page of `__migrate_device_pages()` (mm/migrate_device.c, v6.12) that has a source and a
 * destination: only anonymous memory goes to device memory (a file page is refused, a swap-cache
 * page first leaves the cache, `folio_free_swap()`); `folio_migrate_mapping(NULL, ...)` needs the
 * page's references to be exactly the caller's (plus the fault's, for `faultPage`); then the
 * struct-page state moves (`folio_migrate_flags()`: the anon rmap and the dirty flag). False when
 * the page stays.
 */
export function migrateDevicePage(k: MigrateContext, page: number, newpage: number, faultPage: number): boolean {
  const f = k.frames;
  const toDevice = (f.flags[newpage] & (PG_DEVICE_PRIVATE | PG_DEVICE_COHERENT)) !== 0;
  if (toDevice && (f.flags[page] & (PG_FILE | PG_SWAPCACHE)) !== 0) {
    if ((f.flags[page] & PG_ANON) === 0 || !folioFreeSwap(k, page)) return false;
  }
  const expected = 1 + (page === faultPage ? 1 : 0);
  if ((f.flags[page] & PG_FILE) !== 0 || f.refcount[page] !== expected) return false;
  f.flags[newpage] |= f.flags[page] & (PG_ANON | PG_DIRTY);
  f.mapping[newpage] = f.mapping[page];
  f.index[newpage] = f.index[page];
  return true;
}

/**
 * `migrate_vma_finalize()` (`migrate_device_finalize()`, mm/migrate_device.c, v6.12): every
 * mapping collected goes to the new page where the move succeeded, back to the old one where it
 * did not (`remove_migration_ptes()`; the driver copied the data before `migrate_vma_pages()`); then the old page's collect reference and the new page's
 * driver reference are dropped, which frees the old page (to its zone, or to its driver for a
 * device page) and an unused new one.
 */
export function migrateVmaFinalize(k: MigrateContext, args: MigrateVma): void {
  migrateDeviceFinalize(k, args.src, args.dst, args.entries);
}

/** `migrate_device_finalize()` (mm/migrate_device.c, v6.12) over `src` / `dst` and each page's migration entries: see {@link migrateVmaFinalize}. */
export function migrateDeviceFinalize(k: MigrateContext, src: readonly number[], dst: readonly number[], entries: readonly (readonly MigrationEntry[])[]): void {
  for (let i = 0; i < src.length; i++) {
    const newpage = migratePfnToPage(dst[i]);
    const page = migratePfnToPage(src[i]);
    if (page < 0) {
      if (newpage >= 0) k.memory.put(newpage);
      continue;
    }
    let to = newpage;
    if (!mpfnHas(src[i], MIGRATE_PFN_MIGRATE) || newpage < 0) {
      if (newpage >= 0) k.memory.put(newpage);
      to = page;
    }
    removeMigrationPtes(k, entries[i], to);
    k.memory.put(page);
    if (to !== page) k.memory.put(to);
  }
}
