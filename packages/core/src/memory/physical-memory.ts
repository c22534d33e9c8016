import { inject, injectable } from "tsyringe";
import { CONFIG } from "../config/kernel-config.js";
import type { KernelConfig } from "../config/kernel-config.js";
import { HPAGE_PMD_ORDER, HPAGE_PUD_NR, HPAGE_PUD_ORDER, PAGE_SIZE } from "../sim/units.js";
import { ContentStore } from "./content-store.js";
import { FrameTable } from "./frame-table.js";
import { HugetlbPool } from "./hugetlb-pool.js";
import { PG_ALLOC, PG_DAX, PG_DEVICE_COHERENT, PG_DEVICE_PRIVATE, PG_HEAD, PG_HUGE_ZERO, PG_HUGETLB, PG_ORPHAN, PG_RESERVED, PG_TAIL, PG_ZERO } from "./page-flags.js";
import { Gfp, gfpZonelist, type GfpClass } from "./gfp.js";
import { ZoneAllocator } from "./zone-allocator.js";
import { ZoneId, layoutZones, type ZoneName, type ZoneSpan } from "./zones.js";
import { createToken } from "../di/tokens.js";
import { FAULTS, type FaultInjector } from "../sim/fault-injection.js";

export { Gfp, type GfpClass } from "./gfp.js";

/**
 * Physical memory of one kernel instance: the frame table, the zones and their allocators, page
 * contents, and the shared zero page. Allocation and freeing of folios go through here
 * (`folio_alloc()`, `folio_put()` reaching zero, `free_pages()`).
 */
@injectable()
export class PhysicalMemory {
  /** The frame table. */
  readonly frames: FrameTable;
  /** Page contents. */
  readonly contents = new ContentStore();
  /** Zone spans in PFN order. */
  readonly zones: readonly ZoneSpan[];
  /** The PFN of the shared zero page (`my_zero_pfn()`). */
  readonly zeroPfn = 0;
  /** The head of the huge zero folio while allocated, else -1 (see {@link getHugeZeroPage}). */
  hugeZeroPfn = -1;
  /** `huge_zero_refcount`: the mms using the huge zero folio, plus one the shrinker holds; 0 when there is none. */
  hugeZeroRefcount = 0;
  /** The pool of 1 GiB hugetlb folios (`machine.hugetlb_1g`), set aside from ZONE_NORMAL at boot. */
  readonly hugetlb1g: HugetlbPool;
  /**
   * `free_zone_device_folio()` (mm/memremap.c, v6.12): what a ZONE_DEVICE page's last reference
   * calls instead of freeing it to a zone (its pagemap's `page_free`); set by the mm's pagemaps.
   */
  zoneDeviceFree: (pfn: number) => void = () => undefined;
  private readonly allocators: ZoneAllocator[];
  private readonly bitmap: Uint32Array;

  /** Lay out zones and build the frame table for `config.machine`; `faults` may fail allocations on purpose. */
  constructor(@inject(CONFIG) config: KernelConfig, @inject(FAULTS) private readonly faults: FaultInjector) {
    const m = config.machine;
    const frames = (bytes: number) => Math.floor(bytes / PAGE_SIZE);
    this.zones = layoutZones({ normal: frames(m.memory), movable: frames(m.movable), cma: frames(m.cma), pmem: frames(m.pmem), device: frames(m.deviceMemory) });
    const nr = this.zones[this.zones.length - 1].end;
    this.frames = new FrameTable(nr);
    this.bitmap = new Uint32Array(Math.ceil(nr / 32));
    this.allocators = this.zones.map((z) => new ZoneAllocator(z, this.bitmap));
    // The zero page: reserved, never freed, never counted (mapped through special PTEs).
    this.allocators[ZoneId.NORMAL].take(this.zeroPfn, 1);
    this.frames.flags[this.zeroPfn] = PG_ALLOC | PG_ZERO | PG_RESERVED;
    this.frames.refcount[this.zeroPfn] = 1;
    // hugetlb_hstate_alloc_pages() at boot, from ZONE_NORMAL (the config check leaves room).
    this.hugetlb1g = new HugetlbPool(this.frames, this.contents, HPAGE_PUD_NR);
    for (let i = 0; i < m.hugetlb_1g; i++) this.hugetlb1g.add(this.allocators[ZoneId.NORMAL].alloc(HPAGE_PUD_ORDER));
  }

  /** `alloc_hugetlb_folio()` (mm/hugetlb.c, v6.12), 1 GiB hstate: a pool folio ({@link HugetlbPool.dequeue}) with one reference, or -1. */
  allocHugetlb1g(useReserve: boolean): number {
    const head = this.hugetlb1g.dequeue(useReserve);
    if (head >= 0) this.initFolio(head, HPAGE_PUD_ORDER, PG_HUGETLB);
    return head;
  }

  /** Total frames. */
  get nrFrames(): number {
    return this.frames.nrFrames;
  }

  /** The zone holding `pfn`. */
  zoneOf(pfn: number): ZoneId {
    const z = this.zones;
    if (pfn < z[1].start) return ZoneId.NORMAL;
    if (pfn < z[2].start) return ZoneId.MOVABLE;
    if (pfn < z[3].start) return ZoneId.CMA;
    return pfn < z[3].end ? ZoneId.PMEM : ZoneId.DEVICE;
  }

  /** The name of the zone holding `pfn`. */
  zoneName(pfn: number): ZoneName {
    return this.zones[this.zoneOf(pfn)].name;
  }

  /** Free frames in a zone. */
  nrFree(zone: ZoneId): number {
    return this.allocators[zone].nrFree;
  }

  /** Frames in a zone. */
  zoneFrames(zone: ZoneId): number {
    return this.allocators[zone].nrFrames;
  }

  /** True when `pfn` is allocated (in use). */
  isAllocated(pfn: number): boolean {
    // Every zone's allocator marks the one shared bitmap.
    return (this.bitmap[pfn >>> 5] & (1 << (pfn & 31))) !== 0;
  }

  /**
   * `should_fail_alloc_page()` (mm/fail_page_alloc.c, called from `prepare_alloc_pages()` in
   * mm/page_alloc.c, v6.12): is this allocation request made to fail by fault injection? One
   * request is one call whatever its order (a THP is one call; its order-0 fallback another). The
   * kernel's defaults skip order-0 and `__GFP_DIRECT_RECLAIM` requests (`min-order` 1,
   * `ignore-gfp-wait`); pinlab fails any request the spec picks, as with both knobs turned off.
   * An FS-DAX block is the filesystem's block allocator, not the page allocator: never a call.
   */
  shouldFailAllocPage(gfp: GfpClass): boolean {
    if (gfp === Gfp.PMEM) return false;
    return this.faults.shouldFail("alloc");
  }

  /**
   * Allocate a folio of `2^order` frames (`folio_alloc()`, include/linux/gfp.h, v6.12), with one reference held by the caller.
   * Returns the head PFN or -1 when no zone allowed by `gfp` can satisfy it, or when fault
   * injection fails the request ({@link shouldFailAllocPage}); the caller turns that into ENOMEM.
   * Contents read as zeros.
   */
  allocFolio(order: number, gfp: GfpClass = Gfp.MOVABLE): number {
    if (this.shouldFailAllocPage(gfp)) return -1;
    for (const zone of this.zoneOrder(gfp)) {
      const pfn = this.allocators[zone].alloc(order);
      if (pfn >= 0) {
        this.initFolio(pfn, order, zone === ZoneId.PMEM ? PG_DAX : 0);
        return pfn;
      }
    }
    return -1;
  }

  /**
   * `get_huge_zero_page()` (mm/huge_memory.c, v6.12): the 2 MiB folio of zeros, allocated on first
   * use (`alloc_pages((GFP_TRANSHUGE | __GFP_ZERO) & ~__GFP_MOVABLE, HPAGE_PMD_ORDER)`: ZONE_NORMAL)
   * with `huge_zero_refcount` set to 2 (one for the caller, one the shrinker drops), else one more
   * use counted. The folio holds its one allocation reference; PMD mappings of it take none
   * (`set_huge_zero_folio()`). Returns its head, or -1 when it cannot be allocated (the fault then
   * falls back to 4 KiB pages).
   */
  getHugeZeroPage(): number {
    if (this.hugeZeroRefcount > 0) {
      this.hugeZeroRefcount++;
      return this.hugeZeroPfn;
    }
    const head = this.allocFolio(HPAGE_PMD_ORDER, Gfp.PINNABLE);
    if (head < 0) return -1;
    for (let i = 0; i < 1 << HPAGE_PMD_ORDER; i++) this.frames.flags[head + i] |= PG_HUGE_ZERO;
    this.hugeZeroPfn = head;
    this.hugeZeroRefcount = 2;
    return head;
  }

  /** `put_huge_zero_page()` (mm/huge_memory.c, v6.12): one user fewer; the folio stays until the shrinker runs. */
  putHugeZeroPage(): void {
    if (this.hugeZeroRefcount > 1) this.hugeZeroRefcount--;
  }

  /**
   * `shrink_huge_zero_page_scan()` (mm/huge_memory.c, v6.12), run by reclaim: when no mm uses the
   * huge zero folio any more (`huge_zero_refcount` 1) it goes, dropping its allocation reference
   * (a GUP reference or pin still on it keeps the frames until released). Returns the pages freed
   * from use (512 or 0).
   */
  shrinkHugeZeroPage(): number {
    if (this.hugeZeroRefcount !== 1) return 0;
    const head = this.hugeZeroPfn;
    this.hugeZeroRefcount = 0;
    this.hugeZeroPfn = -1;
    this.put(head);
    return 1 << HPAGE_PMD_ORDER;
  }

  /** Take a specific free range as one reserved kernel allocation (used by cma_alloc). */
  takeRange(pfn: number, nr: number): void {
    this.allocators[this.zoneOf(pfn)].take(pfn, nr);
    const f = this.frames;
    for (let i = pfn; i < pfn + nr; i++) {
      f.flags[i] = PG_ALLOC | PG_RESERVED;
      f.refcount[i] = 1;
    }
  }

  /** Release a range taken with {@link takeRange}. */
  releaseRange(pfn: number, nr: number): void {
    this.frames.resetRange(pfn, nr);
    this.allocators[this.zoneOf(pfn)].release(pfn, nr);
  }

  /** True when every frame of [pfn, pfn + nr) is free. */
  rangeFree(pfn: number, nr: number): boolean {
    return this.allocators[this.zoneOf(pfn)].rangeFree(pfn, nr);
  }

  /** Take `n` references on a folio (`folio_ref_add()`, include/linux/page_ref.h, v6.12). */
  get(head: number, n = 1): void {
    this.frames.refcount[head] += n;
  }

  /**
   * Drop `n` references on a folio (`folio_put_refs()`, include/linux/mm.h, v6.12); frees it when the count reaches zero.
   * Returns true when the folio was freed.
   */
  put(head: number, n = 1): boolean {
    const f = this.frames;
    const prev = f.refcount[head];
    if (prev >= 0 && prev < n) throw new Error(`folio ${head}: refcount underflow (${prev} - ${n})`);
    // Int32 arithmetic wraps like the kernel's atomic_t: an overflowed (negative) count comes back.
    f.refcount[head] -= n;
    const c = f.refcount[head];
    if ((f.flags[head] & PG_ZERO) !== 0) return false;
    if (c !== 0) return false;
    // A ZONE_DEVICE page goes back to its pagemap; an FS-DAX block the filesystem already gave
    // back loses only its last stale reference.
    if ((f.flags[head] & (PG_DEVICE_PRIVATE | PG_DEVICE_COHERENT)) !== 0) this.zoneDeviceFree(head);
    else if ((f.flags[head] & PG_DAX) !== 0 && !this.isAllocated(head)) this.frames.resetRange(head, 1);
    else this.freeFolio(head);
    return true;
  }

  /**
   * Give an FS-DAX block back to the filesystem's free space while references to its frame remain
   * (a kernel without `dax_layout_busy_page()`): the next block allocation reuses the frame, and
   * the old holders' references stay counted on it.
   */
  releaseDaxBlock(pfn: number): void {
    const f = this.frames;
    f.flags[pfn] = PG_DAX | PG_ORPHAN;
    f.mapping[pfn] = 0;
    f.index[pfn] = 0;
    f.mapcount[pfn] = 0;
    if (f.entireMapcount[pfn] !== 0) f.entireMapcount[pfn] = 0;
    this.allocators[this.zoneOf(pfn)].release(pfn, 1);
  }

  /** Return a folio's frames to their zone and forget their state and contents. */
  freeFolio(head: number): void {
    // free_huge_folio(): a 1 GiB hugetlb folio goes back to its pool, not to the zone.
    if (this.frames.order[head] === HPAGE_PUD_ORDER) return this.hugetlb1g.enqueue(head);
    const nr = this.frames.nrPages(head);
    this.frames.resetRange(head, nr);
    this.contents.clearRange(head, nr);
    this.allocators[this.zoneOf(head)].release(head, nr);
  }

  private initFolio(head: number, order: number, extra: number): void {
    const f = this.frames;
    const nr = 1 << order;
    for (let i = head; i < head + nr; i++) {
      f.flags[i] = PG_ALLOC | extra | (order > 0 ? (i === head ? PG_HEAD : PG_TAIL) : 0);
      if (f.order[i] !== order) f.order[i] = order;
      if (i !== head || (extra & PG_DAX) === 0) f.refcount[i] = 0;
      f.mapcount[i] = 0;
      // Sparse columns: written only where not zero already (see FrameTable.clearColumn).
      if (f.entireMapcount[i] !== 0) f.entireMapcount[i] = 0;
      f.mapping[i] = 0;
      f.index[i] = 0;
      if (f.pincount[i] !== 0) f.pincount[i] = 0;
    }
    // A reused FS-DAX block keeps the references stale holders still have on its frame.
    f.refcount[head] = (extra & PG_DAX) !== 0 ? f.refcount[head] + 1 : 1;
  }

  private zoneOrder(gfp: GfpClass): readonly ZoneId[] {
    return gfpZonelist(gfp, this.allocators[ZoneId.CMA].nrFree > this.allocators[ZoneId.NORMAL].nrFree);
  }
}

/** The token of a kernel instance's physical memory: frame table, zones, allocators, page contents. */
export const MEMORY = createToken<PhysicalMemory>("MEMORY");
