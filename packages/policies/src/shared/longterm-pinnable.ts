/**
 * `folio_is_longterm_pinnable()` of Linux v6.12.
 * @module
 */
import { PG_DEVICE_COHERENT, PG_ZERO, ZoneId, type PhysicalMemory } from "@pinlab/core";

/**
 * `folio_is_longterm_pinnable(folio)` (include/linux/mm.h, Linux v6.12): may a long-term pin stay
 * on this frame? Not in a CMA area (MIGRATE_CMA / MIGRATE_ISOLATE), not in ZONE_MOVABLE; the zero
 * page can be "pinned" (it never moves); not device-coherent memory ("coherent device memory must
 * always allow eviction"). FS-DAX frames (ZONE_DEVICE) count as pinnable, their refusal is
 * `check_vma_flags()`'s.
 */
export function folioIsLongtermPinnable(memory: PhysicalMemory, pfn: number): boolean {
  const zone = memory.zoneOf(pfn);
  if (zone === ZoneId.CMA) return false;
  if ((memory.frames.flags[pfn] & PG_ZERO) !== 0) return true;
  if ((memory.frames.flags[pfn] & PG_DEVICE_COHERENT) !== 0) return false;
  return zone !== ZoneId.MOVABLE;
}

/**
 * `check_and_migrate_cma_pages()` (mm/gup.c, v5.1 to v5.12) with `memalloc_nocma_save()`: only
 * pages in a CMA area must move before a long-term pin stays. ZONE_MOVABLE joined in v5.13
 * ("mm/gup: migrate pinned pages out of movable zone", d1e153fea2a8), so before it a long-term pin
 * may strand a ZONE_MOVABLE page (the oracle's `longterm_in_movable` hazard).
 */
export function isCmaPinnable(memory: PhysicalMemory, pfn: number): boolean {
  return memory.zoneOf(pfn) !== ZoneId.CMA;
}
