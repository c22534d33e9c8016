/**
 * The device memory of one `hmm-dmirror` device (lib/test_hmm.c, Linux v6.12): chunks of
 * MEMORY_DEVICE_PRIVATE (or MEMORY_DEVICE_COHERENT) pages it gets from `memremap_pages()` on demand
 * (`dmirror_allocate_chunk()`), its free-page list (`mdevice->free_pages`,
 * `dmirror_devmem_alloc_page()`, `dmirror_devmem_free()`), and its own page table
 * (`dmirror->pt`, an xarray from virtual page to the page holding the data, tagged writable).
 * lib/test_hmm.c backs each device-private page with a system page (`rpage`, "this is a fake
 * device so we allocate real system memory"); the model keeps the data in the device frame
 * itself, so no system page is allocated for it.
 * @module
 */
import type { DeviceContext, DevMemoryType, DevPagemapOps, MmStruct } from "@pinlab/core";

/** Pages per chunk (`DEVMEM_CHUNK_SIZE` is 256 MiB in lib/test_hmm.c; the model's machines are small, so 1 MiB). */
export const DEVMEM_CHUNK_PAGES = 256;

/** Chunks one device may allocate (`DEVMEM_CHUNKS_RESERVE` grows without bound in v6.12; the machine's device_memory bounds it here). */
const MAX_CHUNKS = 1 << 16;

/** One entry of the device page table: the page holding the data, and whether the device may write it (`DPT_XA_TAG_WRITE`). */
export interface DptEntry {
  /** The frame (a device page after a migration). */
  readonly pfn: number;
  /** Writable by the device. */
  readonly write: boolean;
  /** Mapped for atomic access (`DPT_XA_TAG_ATOMIC`, `dmirror_atomic_map()`): the page is device-exclusive. */
  readonly atomic?: boolean;
}

/** A dmirror device's memory and page table. */
export class DmirrorDevmem {
  /** Free device pages, a stack as `mdevice->free_pages` is (the last pushed is allocated first). */
  private readonly free: number[] = [];
  private chunks = 0;
  /** `dmirror->pt` per mirrored mm. */
  private readonly pt = new Map<MmStruct, Map<number, DptEntry>>();
  /** Pages allocated (`mdevice->calloc`) and freed (`mdevice->cfree`). */
  calloc = 0;
  /** Pages freed back to the device. */
  cfree = 0;

  /** The memory of the device behind `ctx`, with `migrateToRam` as its pagemap's fault handler. */
  constructor(
    private readonly ctx: DeviceContext<unknown>,
    /** MEMORY_DEVICE_PRIVATE or MEMORY_DEVICE_COHERENT (`dmirror_is_private_zone()`). */
    readonly type: DevMemoryType,
    private readonly migrateToRam: DevPagemapOps["migrateToRam"],
  ) {}

  /**
   * `dmirror_devmem_alloc_page()` (lib/test_hmm.c, v6.12): a page from the free list, or from a
   * new chunk (`dmirror_allocate_chunk()`: `memremap_pages()` of DEVMEM_CHUNK_PAGES, every page
   * put on the free list), initialised with one reference (`zone_device_page_init()`); -1 when
   * device memory is exhausted.
   */
  allocPage(): number {
    if (this.free.length === 0 && !this.allocateChunk()) return -1;
    const pfn = this.free.pop()!;
    this.calloc++;
    this.ctx.devmem.zoneDevicePageInit(pfn);
    return pfn;
  }

  /** `dmirror_allocate_chunk()` (lib/test_hmm.c, v6.12). */
  private allocateChunk(): boolean {
    if (this.chunks >= MAX_CHUNKS) return false;
    const pgmap = this.ctx.devmem.memremapPages(this.type, DEVMEM_CHUNK_PAGES, {
      pageFree: (pfn) => this.pageFree(pfn),
      migrateToRam: (vmf) => this.migrateToRam(vmf),
    });
    if (pgmap === undefined) return false;
    this.chunks++;
    for (let pfn = pgmap.start; pfn < pgmap.start + pgmap.nr; pfn++) this.free.push(pfn);
    return true;
  }

  /**
   * `dmirror_devmem_free()` (lib/test_hmm.c, v6.12): the page's last reference went; it goes back
   * on the free list. The model also forgets any device page-table entry still naming it (the
   * kernel's interval notifier would have invalidated it when the CPU mapping went).
   */
  private pageFree(pfn: number): void {
    this.cfree++;
    this.free.push(pfn);
    for (const table of this.pt.values()) {
      for (const [vpn, e] of table) if (e.pfn === pfn) table.delete(vpn);
    }
  }

  /** Device pages in use (allocated, not yet freed). */
  get inUse(): number {
    return this.calloc - this.cfree;
  }

  /** Pages allocated from the device's chunks so far (`DEVMEM_CHUNK_PAGES` per chunk). */
  get chunkPages(): number {
    return this.chunks * DEVMEM_CHUNK_PAGES;
  }

  /** `xa_store(&dmirror->pt, vpn, entry)`. */
  store(mm: MmStruct, vpn: number, entry: DptEntry): void {
    let table = this.pt.get(mm);
    if (table === undefined) {
      table = new Map();
      this.pt.set(mm, table);
    }
    table.set(vpn, entry);
  }

  /** `xa_erase(&dmirror->pt, vpn)`. */
  erase(mm: MmStruct, vpn: number): void {
    this.pt.get(mm)?.delete(vpn);
  }

  /** `dmirror_do_write()` (lib/test_hmm.c, v6.12): as {@link doRead}, but a page counts only when the device may write it (`DPT_XA_TAG_WRITE`). */
  doWrite(mm: MmStruct, startVpn: number, endVpn: number): { cpages: number; missing: boolean } {
    return this.leadingEntries(mm, startVpn, endVpn, true);
  }

  /** The frames the device page table holds for [startVpn, endVpn), in order (all present). */
  frames(mm: MmStruct, startVpn: number, endVpn: number): number[] {
    const table = this.pt.get(mm);
    const out: number[] = [];
    for (let vpn = startVpn; vpn < endVpn; vpn++) out.push(table!.get(vpn)!.pfn);
    return out;
  }

  /** `dmirror_check_atomic()` (lib/test_hmm.c, v6.12): does an entry of [startVpn, endVpn) still have atomic access? */
  hasAtomic(mm: MmStruct, startVpn: number, endVpn: number): boolean {
    const table = this.pt.get(mm);
    if (table === undefined) return false;
    for (const [vpn, e] of table) if (vpn >= startVpn && vpn < endVpn && e.atomic === true) return true;
    return false;
  }

  /** `dmirror_do_update()` (lib/test_hmm.c, v6.12): forget the entries of [startVpn, endVpn). */
  eraseRange(mm: MmStruct, startVpn: number, endVpn: number): void {
    const table = this.pt.get(mm);
    if (table === undefined) return;
    for (const vpn of [...table.keys()]) if (vpn >= startVpn && vpn < endVpn) table.delete(vpn);
  }

  /**
   * `dmirror_do_read()` (lib/test_hmm.c, v6.12): the pages of [startVpn, endVpn) the device page
   * table holds, in order, up to the first it does not (then -ENOENT, with the count so far).
   */
  doRead(mm: MmStruct, startVpn: number, endVpn: number): { cpages: number; missing: boolean } {
    return this.leadingEntries(mm, startVpn, endVpn, false);
  }

  /** The entries of [startVpn, endVpn) present (and writable, for `write`) before the first that is not. */
  private leadingEntries(mm: MmStruct, startVpn: number, endVpn: number, write: boolean): { cpages: number; missing: boolean } {
    const table = this.pt.get(mm);
    let cpages = 0;
    for (let vpn = startVpn; vpn < endVpn; vpn++) {
      const e = table?.get(vpn);
      if (e === undefined || (write && !e.write)) return { cpages, missing: true };
      cpages++;
    }
    return { cpages, missing: false };
  }
}
