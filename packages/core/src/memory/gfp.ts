/**
 * Allocation classes and the zones each may take frames from, in order (the model's `gfp_t` zone
 * and migratetype rules, `get_page_from_freelist()` over a zonelist, mm/page_alloc.c, v6.12).
 * @module
 */
import { ZoneId } from "./zones.js";

/** Where an allocation may come from (the model's gfp_t zone and migratetype rules). */
export const Gfp = {
  /** GFP_HIGHUSER_MOVABLE: user and page-cache pages; ZONE_MOVABLE first, then NORMAL and CMA. */
  MOVABLE: "movable",
  /** A long-term-pin migration target (`memalloc_pin_save()`): ZONE_NORMAL only, never CMA. */
  PINNABLE: "pinnable",
  /** A migration target outside the CMA area (for cma_alloc): NORMAL or MOVABLE. */
  NOT_CMA: "not_cma",
  /** A filesystem block of persistent memory (FS-DAX). */
  PMEM: "pmem",
} as const;

/** An allocation class, see {@link Gfp}. */
export type GfpClass = (typeof Gfp)[keyof typeof Gfp];

// The zone fallback lists of each allocation class (constants: an allocation builds no array).
const ZONES_PMEM: readonly ZoneId[] = [ZoneId.PMEM];
const ZONES_PINNABLE: readonly ZoneId[] = [ZoneId.NORMAL];
const ZONES_NOT_CMA: readonly ZoneId[] = [ZoneId.MOVABLE, ZoneId.NORMAL];
const ZONES_MOVABLE_CMA_FIRST: readonly ZoneId[] = [ZoneId.MOVABLE, ZoneId.CMA, ZoneId.NORMAL];
const ZONES_MOVABLE: readonly ZoneId[] = [ZoneId.MOVABLE, ZoneId.NORMAL, ZoneId.CMA];

/**
 * The zones an allocation of class `gfp` tries, in order. A movable allocation uses CMA pageblocks
 * before ZONE_NORMAL when more than half of the free memory is CMA (`cmaFirst`), so CMA does not
 * sit idle (`__rmqueue()`, mm/page_alloc.c, ALLOC_CMA).
 */
export function gfpZonelist(gfp: GfpClass, cmaFirst: boolean): readonly ZoneId[] {
  switch (gfp) {
    case Gfp.PMEM:
      return ZONES_PMEM;
    case Gfp.PINNABLE:
      return ZONES_PINNABLE;
    case Gfp.NOT_CMA:
      return ZONES_NOT_CMA;
    default:
      return cmaFirst ? ZONES_MOVABLE_CMA_FIRST : ZONES_MOVABLE;
  }
}
