/**
 * Long-term pins (mm/gup.c, v6.12): `__gup_longterm_locked()` pins the range, then
 * `check_and_migrate_movable_pages()` makes sure every pinned folio may stay pinned
 * indefinitely; if some may not (MOVABLE, CMA), everything is unpinned, the offenders migrate
 * out, and the range is pinned again.
 * @module
 */
import { PG_DEVICE_COHERENT } from "../memory/page-flags.js";
import { migrateDeviceCoherentFolio } from "../migrate/migrate-device-coherent.js";
import { ENOMEM } from "../errno.js";
import { Gfp } from "../memory/physical-memory.js";
import type { Process } from "../mm/process.js";
import type { VaddrPinOwner } from "../policy/pin-policy.js";
import type { FaultStats } from "../mm/fault-flags.js";
import { migrateFolioSplitting } from "../migrate/migrate.js";
import { grabMode, type GupOptions, type PageArray } from "./call.js";
import { FOLL_LONGTERM } from "./foll-flags.js";
import type { GupState } from "./grab.js";
import { gupPutPages, releaseFilePins } from "./put.js";
import { getUserPagesSlow } from "./slow.js";

/** What one slow walk produced. */
export interface LongtermResult {
  /** Pages grabbed (or faulted in, without a pages array), or -errno when none. */
  readonly nr: number;
  /** Pages migrated by the long-term loop. */
  readonly migrated: number;
}

/**
 * `collect_longterm_unpinnable_folios()` (mm/gup.c, v6.12): the heads of the folios among the
 * `nr` pinned pages from `pages[offset]` that may not stay pinned (`folio_is_longterm_pinnable()`,
 * the policy's answer), each once.
 */
export function collectLongtermUnpinnableFolios(s: GupState, pages: PageArray, offset: number, nr: number): number[] {
  const unpinnable: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < nr; i++) {
    const head = s.k.frames.head(pages[offset + i]);
    if (seen.has(head)) continue;
    seen.add(head);
    if (!s.k.policy.longtermPinnable(head)) unpinnable.push(head);
  }
  return unpinnable;
}

/** What one round of migration out of MOVABLE/CMA did. */
export interface LongtermMigration {
  /** Pages migrated. */
  readonly migrated: number;
  /** Folios that would not move. */
  readonly failed: number;
}

/** The vaddr_pin owner of a call and the pinning process: whose file pins a pass took. */
export interface FilePinHolder {
  /** The owner the policy charged file pins to. */
  readonly owner: VaddrPinOwner;
  /** The pinning process. */
  readonly pid: number;
}

/**
 * `migrate_longterm_unpinnable_folios()` (mm/gup.c, v6.12): unpin the whole request, then
 * migrate each unpinnable folio to memory a pin may hold (`memalloc_pin_save()`: ZONE_NORMAL), in
 * MIGRATE_SYNC mode (a folio under writeback is waited for, the clock moving to its completion).
 * Any failure makes the pin fail with -ENOMEM; otherwise the kernel returns -EAGAIN: pin again.
 * Whatever the pass took is given back: with a vaddr_pin owner (`filePins`), the file pins the
 * policy recorded for these pages go with the page pins (the RFC's `vaddr_unpin_pages()` pairing),
 * or the retry would take a second set and the final release drop only one.
 */
export function migrateLongtermUnpinnableFolios(
  s: GupState, unpinnable: readonly number[], pages: PageArray, offset: number, nr: number, flags: number, filePins?: FilePinHolder,
): LongtermMigration {
  const k = s.k;
  gupPutPages(s, pages, offset, nr, grabMode(flags), false);
  if (filePins !== undefined) releaseFilePins(s, pages.slice(offset, offset + nr), nr, filePins.owner, filePins.pid);
  let migrated = 0;
  let failed = 0;
  for (const head of unpinnable) {
    // A device-coherent folio moves by itself (migrate_device_coherent_folio(); its failure is
    // -EBUSY in v6.12, which the model counts as a failed folio: the pin fails with -ENOMEM).
    if ((k.frames.flags[head] & PG_DEVICE_COHERENT) !== 0) {
      if (migrateDeviceCoherentFolio(k, head) === 0) migrated++;
      else failed++;
      continue;
    }
    // migrate_pages(&movable_folio_list, ..., MIGRATE_SYNC, MR_LONGTERM_PIN): a folio under
    // writeback is waited for, on the virtual clock; a THP with no 2 MiB target is split and
    // migrated in pieces, so the pin can still be had, from small pages.
    const r = migrateFolioSplitting(k, head, Gfp.PINNABLE, "sync");
    migrated += r.migrated;
    failed += r.failedFolios;
  }
  return { migrated, failed };
}

/**
 * `check_and_migrate_movable_pages()` (mm/gup.c, v6.12; the folio code behind it is
 * `check_and_migrate_movable_pages_or_folios()`, shared with `check_and_migrate_movable_folios()`):
 * undefined when every pinned folio may stay pinned; otherwise everything was unpinned and the
 * offenders migrated, and what that did.
 */
export function checkAndMigrateMovablePages(
  s: GupState, pages: PageArray, offset: number, nr: number, flags: number, filePins?: FilePinHolder,
): LongtermMigration | undefined {
  const unpinnable = collectLongtermUnpinnableFolios(s, pages, offset, nr);
  if (unpinnable.length === 0) return undefined;
  return migrateLongtermUnpinnableFolios(s, unpinnable, pages, offset, nr, flags, filePins);
}

/**
 * `__gup_longterm_locked()` (mm/gup.c, v6.12): the slow path, and for FOLL_LONGTERM the check
 * of every pinned folio, migrating and pinning again until all may stay pinned or a migration
 * fails (ENOMEM). Each round of migration emits one `migrate` event with the pages migrated so
 * far and tells observers.
 */
export function gupLongtermLocked(
  s: GupState, task: Process, start: number, nrPages: number, flags: number, pages: PageArray | undefined, offset: number, opts: GupOptions,
  stats: FaultStats,
): LongtermResult {
  // __get_user_pages_locked(): mmap_read_lock_killable() unless the caller holds it (issue 21: a
  // preemption handler may refuse it, when a thread interrupted here holds it for write).
  s.k.preempt.mmapLock(task.mm!.id, "read");
  if ((flags & FOLL_LONGTERM) === 0) return { nr: getUserPagesSlow(s, task, start, nrPages, flags, pages, offset, opts, stats), migrated: 0 };
  let migrated = 0;
  for (;;) {
    const nr = getUserPagesSlow(s, task, start, nrPages, flags, pages, offset, opts, stats);
    if (nr <= 0 || pages === undefined) return { nr, migrated };
    const round = checkAndMigrateMovablePages(s, pages, offset, nr, flags, opts.owner !== undefined ? { owner: opts.owner, pid: task.pid } : undefined);
    if (round === undefined) return { nr, migrated };
    migrated += round.migrated;
    s.k.events.emit("migrate", { reason: "longterm_pin", migrated, failed: round.failed });
    s.k.observe("onLongtermMigration", opts.holder, migrated, round.failed > 0 ? ENOMEM : 0);
    if (round.failed > 0) return { nr: -ENOMEM, migrated };
    // -EAGAIN: pin the range again. The mmap lock was dropped for the migration
    // (__gup_longterm_locked() runs __get_user_pages_locked() again, which retakes it): another
    // thread can change the range here (issue 21).
    s.k.preempt.point("gup.longterm_migrate");
  }
}
