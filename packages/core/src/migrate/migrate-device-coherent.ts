/**
 * `migrate_device_coherent_folio()` (mm/migrate_device.c, Linux v6.12): move one
 * MEMORY_DEVICE_COHERENT page out to system memory, which a long-term pin needs
 * (`folio_is_longterm_pinnable()` is false for coherent memory: "coherent device memory must
 * always allow eviction").
 * @module
 */
import { EBUSY } from "../errno.js";
import type { MigrateContext } from "./context.js";
import { Gfp } from "../memory/physical-memory.js";
import { migrateDeviceFinalize, migrateDevicePage } from "./migrate-device.js";
import { migrateDeviceUnmap, type MigrationEntry } from "./migrate-device-unmap.js";
import { migratePfn, mpfnClear, mpfnHas, MIGRATE_PFN_MIGRATE } from "./migrate-pfn.js";

/**
 * `migrate_device_coherent_folio()` (mm/migrate_device.c, v6.12) for the device-coherent page
 * `folio`, on which the caller converted its pin to a plain reference (`folio_get()` +
 * `gup_put_folio()`, `migrate_longterm_unpinnable_folios()`, mm/gup.c): unmap it everywhere
 * (`migrate_device_unmap()`, which refuses a page held beyond its mappings and the caller's
 * reference), copy it to a new page (`folio_alloc(GFP_USER)`: ZONE_NORMAL), remap every mapping
 * there (`migrate_device_finalize()`), and drop the caller's reference, which frees the device
 * page back to its driver. 0, or -EBUSY when it stays.
 */
export function migrateDeviceCoherentFolio(k: MigrateContext, folio: number): number {
  k.memory.get(folio);
  const src = [migratePfn(folio) + MIGRATE_PFN_MIGRATE];
  const entries: MigrationEntry[][] = [[]];
  migrateDeviceUnmap(k, src, entries, -1);
  if (!mpfnHas(src[0], MIGRATE_PFN_MIGRATE)) return -EBUSY;
  const dfolio = k.memory.allocFolio(0, Gfp.PINNABLE);
  // migrate_device_pages(), then folio_copy() of what moved, then migrate_device_finalize().
  const moves = dfolio >= 0 && migrateDevicePage(k, folio, dfolio, -1);
  if (moves) k.memory.contents.copy(folio, dfolio);
  else src[0] = mpfnClear(src[0], MIGRATE_PFN_MIGRATE);
  migrateDeviceFinalize(k, src, [dfolio >= 0 ? migratePfn(dfolio) : 0], entries);
  return moves ? 0 : -EBUSY;
}
