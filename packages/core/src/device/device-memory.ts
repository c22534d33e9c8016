/**
 * What an HMM driver reaches of device memory and device migration (include/linux/memremap.h,
 * include/linux/migrate.h, Linux v6.12): `memremap_pages()` for its own ZONE_DEVICE pages,
 * `zone_device_page_init()`, `page_pgmap()`, the `migrate_vma_*()` calls, and the page copies and
 * allocations lib/test_hmm.c does around them.
 * @module
 */
import type { KernelContext } from "../kernel/context.js";
import type { DevMemoryType, DevPagemap, DevPagemapOps } from "../mm/memremap.js";
import type { Vma } from "../mm/mm-types.js";
import type { Process } from "../mm/process.js";
import type { GupCalls } from "../gup/gup.js";
import { makeDeviceExclusiveRange } from "./device-exclusive.js";
import { migrateVmaFinalize, migrateVmaPages, migrateVmaSetup, type MigrateVma } from "../migrate/migrate-device.js";

/** Device memory and migration calls for a driver named `owner` (its pagemaps' `pgmap->owner`). */
export interface DeviceMemory {
  /** `memremap_pages()` (mm/memremap.c, v6.12): `nr` free pages of `type` owned by this driver, or undefined when `machine.device_memory` has no room. */
  memremapPages(type: DevMemoryType, nr: number, ops: DevPagemapOps): DevPagemap | undefined;
  /** `zone_device_page_init()` (mm/memremap.c, v6.12): the driver allocates its free page `pfn` (one reference). */
  zoneDevicePageInit(pfn: number): void;
  /** `page_pgmap()` (include/linux/memremap.h, v6.12): the pagemap of `pfn` (its type and owner), or undefined for system memory. */
  pgmapOf(pfn: number): DevPagemap | undefined;
  /** `migrate_vma_setup()` (mm/migrate_device.c, v6.12): 0 or -EINVAL. */
  migrateVmaSetup(args: MigrateVma): number;
  /** `migrate_vma_pages()` (mm/migrate_device.c, v6.12). */
  migrateVmaPages(args: MigrateVma): void;
  /** `migrate_vma_finalize()` (mm/migrate_device.c, v6.12). */
  migrateVmaFinalize(args: MigrateVma): void;
  /** `alloc_page_vma(GFP_HIGHUSER_MOVABLE, vma, addr)` (include/linux/gfp.h, v6.12): a system page with one reference, or -1. */
  allocPageVma(vma: Vma, addr: number): number;
  /** `copy_highpage(dst, src)` (include/linux/highmem.h, v6.12): copy a page's bytes. */
  copyHighpage(dst: number, src: number): void;
  /** `clear_highpage()` (include/linux/highmem.h, v6.12): zero a page. */
  clearHighpage(pfn: number): void;
  /**
   * `make_device_exclusive_range()` (mm/rmap.c, v6.12) of [start, end) of `proc`: the pages made
   * exclusive (each with a GUP reference the driver puts with `gup.putPage`), -1 where not, or -errno.
   */
  makeDeviceExclusiveRange(proc: Process, start: number, end: number): number[] | number;
}

/** The {@link DeviceMemory} of the driver `owner` on kernel `k`. */
export function deviceMemory(k: KernelContext, gup: GupCalls, owner: string): DeviceMemory {
  return {
    memremapPages: (type, nr, ops) => k.pgmaps.memremapPages(type, owner, ops, nr),
    zoneDevicePageInit: (pfn) => k.pgmaps.zoneDevicePageInit(pfn),
    pgmapOf: (pfn) => k.pgmaps.pgmapOf(pfn),
    migrateVmaSetup: (args) => migrateVmaSetup(k, args),
    migrateVmaPages: (args) => migrateVmaPages(k, args),
    migrateVmaFinalize: (args) => migrateVmaFinalize(k, args),
    allocPageVma: () => k.memory.allocFolio(0),
    copyHighpage: (dst, src) => k.memory.contents.copy(src, dst),
    clearHighpage: (pfn) => k.memory.contents.clear(pfn),
    makeDeviceExclusiveRange: (proc, start, end) => makeDeviceExclusiveRange(k, gup, proc, start, end, { kind: "device", name: owner }),
  };
}
