/**
 * What each hazard class of the oracle means, for the hazard list's class names and its class
 * filter. Keyed by core's `HazardClass`, so a class added to core (as `cow_leak` was in 2.0) does
 * not compile here until it is described.
 */
import type { HazardClass } from "@pinlab/core";

/** One sentence per hazard class (the oracle's classes, in core's order). */
export const HAZARD_CLASS_INFO: Readonly<Record<HazardClass, string>> = {
  dma_after_clean: "a device wrote into a file page after writeback cleaned it: the write never reaches the file",
  dma_to_truncated: "a device read or wrote a page no longer in its file (truncated): what it moves never reaches the file",
  cow_divergence: "copy-on-write gave a process a new page while a device still holds the old one: device and process see different memory",
  dma_to_freed: "a device touched a frame after it was freed (and maybe reused)",
  longterm_in_movable: "a long-term pin holds a frame in ZONE_MOVABLE, CMA or device-coherent memory, which can then no longer be migrated or evicted",
  cow_leak: "(2.0) a GUP reference of one process reads what another process wrote after COW should have separated them (CVE-2020-29374, the vmsplice leak)",
};

/** The hazard classes, in core's order. */
export const HAZARD_CLASS_NAMES: readonly HazardClass[] = Object.keys(HAZARD_CLASS_INFO) as HazardClass[];

/** The sentence for hazard class `cls` ("" for a class this build does not know). */
export function hazardClassInfo(cls: string): string {
  return (HAZARD_CLASS_INFO as Readonly<Record<string, string>>)[cls] ?? "";
}
