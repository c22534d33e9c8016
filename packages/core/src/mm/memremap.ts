/**
 * ZONE_DEVICE pagemaps (`struct dev_pagemap`, include/linux/memremap.h; mm/memremap.c, Linux
 * v6.12): a driver hands a range of device memory to `memremap_pages()` and gets struct pages for
 * it, of type MEMORY_DEVICE_PRIVATE (memory the CPU cannot address: it is reached only through
 * device-private entries, and a CPU fault on one calls the pagemap's `migrate_to_ram`) or
 * MEMORY_DEVICE_COHERENT (memory the CPU maps like any other). The pages belong to their
 * pagemap's `owner` (`pgmap->owner`, which `hmm_range_fault()` and `migrate_vma_setup()` compare
 * with the caller's), start free (refcount 0) in the driver's own allocator, are initialised by
 * `zone_device_page_init()` when the driver allocates one, and go back to the driver through
 * `page_free` when their last reference drops (`free_zone_device_folio()`): the page allocator
 * never sees them.
 * @module
 */
import type { PhysicalMemory } from "../memory/physical-memory.js";
import { PG_ALLOC, PG_DEVICE_COHERENT, PG_DEVICE_PRIVATE, PG_RESERVED } from "../memory/page-flags.js";
import { ZoneId } from "../memory/zones.js";
import type { Vma } from "./mm-types.js";

/** `enum memory_type` (include/linux/memremap.h, v6.12): the two kinds HMM devices use. */
export type DevMemoryType = "device_private" | "device_coherent";

/** What `migrate_to_ram` gets (`struct vm_fault`, include/linux/mm.h, v6.12): the VMA, the page, the device page faulted on and the fault flags. */
export interface DevPagemapFault {
  /** The faulting VMA (`vmf->vma`). */
  readonly vma: Vma;
  /** The faulting virtual page (`vmf->address >> PAGE_SHIFT`). */
  readonly vpn: number;
  /** The device page the entry names (`vmf->page`). */
  readonly page: number;
  /** FAULT_FLAG_* of the fault. */
  readonly flags: number;
}

/** `struct dev_pagemap_ops` (include/linux/memremap.h, v6.12). */
export interface DevPagemapOps {
  /** `page_free`: the page's last reference dropped; it is the driver's again. */
  pageFree(pfn: number): void;
  /** `migrate_to_ram`: a CPU fault on a device-private entry; 0, or -errno for VM_FAULT_SIGBUS. */
  migrateToRam(vmf: DevPagemapFault): number;
}

/** One `struct dev_pagemap`: a range of ZONE_DEVICE frames of one type, owned by one driver. */
export interface DevPagemap {
  /** `pgmap->type`. */
  readonly type: DevMemoryType;
  /** `pgmap->owner`: who the pages belong to (a device name). */
  readonly owner: string;
  /** `pgmap->ops`. */
  readonly ops: DevPagemapOps;
  /** First frame. */
  readonly start: number;
  /** Number of frames. */
  readonly nr: number;
}

/** The page flag of a memory type. */
function typeFlag(type: DevMemoryType): number {
  return type === "device_private" ? PG_DEVICE_PRIVATE : PG_DEVICE_COHERENT;
}

/** The pagemaps of one machine, and what the last reference on one of their pages does. */
export class DevPagemaps {
  private readonly maps: DevPagemap[] = [];

  /** Pagemaps of `memory`'s ZONE_DEVICE; installs `free_zone_device_folio()` as its last-reference hook. */
  constructor(private readonly memory: PhysicalMemory) {
    memory.zoneDeviceFree = (pfn) => this.freeZoneDeviceFolio(pfn);
  }

  /**
   * `memremap_pages()` (mm/memremap.c, v6.12): `nr` contiguous frames of ZONE_DEVICE for a new
   * pagemap, each a free page (refcount 0) of `type`; undefined when the machine's
   * `device_memory` has no such room left.
   */
  memremapPages(type: DevMemoryType, owner: string, ops: DevPagemapOps, nr: number): DevPagemap | undefined {
    const m = this.memory;
    const zone = m.zones[ZoneId.DEVICE];
    if (zone === undefined || nr <= 0) return undefined;
    for (let pfn = zone.start; pfn + nr <= zone.end; pfn += nr) {
      if (!m.rangeFree(pfn, nr)) continue;
      m.takeRange(pfn, nr);
      for (let i = pfn; i < pfn + nr; i++) {
        m.frames.flags[i] = PG_ALLOC | PG_RESERVED | typeFlag(type);
        m.frames.refcount[i] = 0;
      }
      const pgmap: DevPagemap = { type, owner, ops, start: pfn, nr };
      this.maps.push(pgmap);
      return pgmap;
    }
    return undefined;
  }

  /** `page_pgmap()` (include/linux/memremap.h, v6.12): the pagemap of frame `pfn`, or undefined for ordinary memory. */
  pgmapOf(pfn: number): DevPagemap | undefined {
    return this.maps.find((p) => pfn >= p.start && pfn < p.start + p.nr);
  }

  /**
   * `zone_device_page_init()` (mm/memremap.c, v6.12): the driver allocates its free page `pfn`:
   * one reference (the driver's), no mapping yet.
   */
  zoneDevicePageInit(pfn: number): void {
    const f = this.memory.frames;
    f.flags[pfn] = (f.flags[pfn] & (PG_DEVICE_PRIVATE | PG_DEVICE_COHERENT)) | PG_ALLOC;
    f.refcount[pfn] = 1;
    f.mapcount[pfn] = 0;
    f.mapping[pfn] = 0;
    f.index[pfn] = 0;
  }

  /**
   * `free_zone_device_folio()` (mm/memremap.c, v6.12): the last reference on a device page went:
   * it forgets its anon rmap (`folio->mapping = NULL`, PageAnonExclusive cleared) and goes back to
   * its driver (`pgmap->ops->page_free()`).
   */
  private freeZoneDeviceFolio(pfn: number): void {
    const f = this.memory.frames;
    f.flags[pfn] = PG_ALLOC | PG_RESERVED | (f.flags[pfn] & (PG_DEVICE_PRIVATE | PG_DEVICE_COHERENT));
    f.mapping[pfn] = 0;
    f.index[pfn] = 0;
    f.mapcount[pfn] = 0;
    this.memory.contents.clear(pfn);
    this.pgmapOf(pfn)?.ops.pageFree(pfn);
  }
}
