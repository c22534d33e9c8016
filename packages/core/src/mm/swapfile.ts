/**
 * The swap device (`struct swap_info_struct`, include/linux/swap.h; mm/swapfile.c, v6.12): its
 * slots, how many swap PTEs reference each (`si->swap_map`, without SWAP_HAS_CACHE, which
 * swap-state.ts keeps as the swap cache itself), and what each holds. pinlab's device is a
 * `machine.swap` bytes big and behaves like zram: I/O completes synchronously and the device
 * has SWP_SYNCHRONOUS_IO (see swap-fault.ts), the setup v6.12 distributions ship and the one
 * pinlab's swap model was checked against on a Linux 6.18 machine.
 * @module
 */
import { PAGE_SIZE } from "../sim/units.js";

/**
 * One swap device. Slot 0 holds the swap header (`union swap_header`, written by mkswap) and is
 * never handed out, as `setup_swap_map_and_extents()` marks it SWAP_MAP_BAD; slots are handed out
 * lowest first (the model's stand-in for the cluster allocator of `scan_swap_map_slots()`).
 */
export class SwapInfo {
  /** `si->max`: slots including the header slot. */
  readonly max: number;
  /** `si->pages`: usable slots (`total_swap_pages`). */
  readonly pages: number;
  /** `si->inuse_pages`: slots referenced by a swap PTE or by the swap cache. */
  inuse = 0;
  /** `swap_count(si->swap_map[offset])`: swap PTEs referencing each slot. */
  readonly swapMap: Int32Array;
  /**
   * The swap cache (`swapper_spaces`, mm/swap_state.c): offset -> head of the folio caching that
   * slot; a slot with an entry here has SWAP_HAS_CACHE set.
   */
  readonly cache = new Map<number, number>();
  /** `folio->swap` of every folio in the swap cache: head -> offset. */
  readonly folioSwap = new Map<number, number>();
  /** What the device holds per slot (bytes written by `swap_writepage()`); absent: nothing written. */
  private readonly data = new Map<number, Uint8Array>();
  /** `si->zeromap` (mm/page_io.c, v6.12): slots whose page was all zeros, written without I/O. */
  private readonly zeromap = new Set<number>();
  /** No free slot lies below this offset. */
  private hint = 1;

  /** A device of `bytes` bytes (at least `MIN_SWAP_BYTES`): `floor(bytes / 4 KiB)` slots, as mkswap lays them out. */
  constructor(bytes: number) {
    this.max = Math.floor(bytes / PAGE_SIZE);
    this.pages = this.max - 1;
    this.swapMap = new Int32Array(this.max);
  }

  /** `get_nr_swap_pages()`: free slots. */
  get nrSwapPages(): number {
    return this.pages - this.inuse;
  }

  /** `vm_swap_full()` (include/linux/swap.h, v6.12): more than half the swap space is in use, so swap cache is freed eagerly. */
  vmSwapFull(): boolean {
    return this.nrSwapPages * 2 < this.pages;
  }

  /** True when the slot is referenced by a swap PTE or the swap cache. */
  inUse(offset: number): boolean {
    return this.swapMap[offset] !== 0 || this.cache.has(offset);
  }

  /**
   * `folio_alloc_swap()` -> `scan_swap_map_slots()` (mm/swapfile.c, v6.12) for one page: the
   * lowest free slot, marked in use (the caller puts a folio in the swap cache on it), or -1 when
   * the device is full.
   */
  allocSlot(): number {
    for (let off = this.hint; off < this.max; off++) {
      if (this.inUse(off)) continue;
      this.hint = off + 1;
      this.inuse++;
      return off;
    }
    this.hint = this.max;
    return -1;
  }

  /**
   * `swap_range_free()` (mm/swapfile.c, v6.12): nothing references the slot any more (no swap PTE,
   * no swap cache): it is free again, and what it held is forgotten.
   */
  slotFree(offset: number): void {
    this.inuse--;
    this.data.delete(offset);
    this.zeromap.delete(offset);
    if (offset < this.hint) this.hint = offset;
  }

  /**
   * Write one page to the slot (`swap_writepage()`, mm/page_io.c, v6.12): an all-zero page only
   * sets its bit in the zeromap (no I/O); any other is written. Returns true when I/O was done
   * (PSWPOUT), false for a zero page (SWPOUT_ZERO).
   */
  write(offset: number, bytes: Uint8Array | undefined): boolean {
    if (bytes === undefined || bytes.every((b) => b === 0)) {
      this.zeromap.add(offset);
      this.data.delete(offset);
      return false;
    }
    this.zeromap.delete(offset);
    this.data.set(offset, bytes.slice());
    return true;
  }

  /**
   * Read one page from the slot (`swap_read_folio()`, mm/page_io.c, v6.12): the bytes (undefined
   * for a page of zeros) and whether I/O was done (PSWPIN) or the zeromap answered (SWPIN_ZERO).
   */
  read(offset: number): { bytes: Uint8Array | undefined; io: boolean } {
    if (this.zeromap.has(offset)) return { bytes: undefined, io: false };
    const bytes = this.data.get(offset);
    return { bytes: bytes?.slice(), io: true };
  }

  /** True when a page was written to the slot (bytes, or a zeromap bit): a swap-in can read it. */
  written(offset: number): boolean {
    return this.data.has(offset) || this.zeromap.has(offset);
  }

  /** The bytes the slot holds, without I/O (for expectations); undefined for zeros. */
  peek(offset: number): Uint8Array | undefined {
    return this.data.get(offset);
  }

  /** Slots holding written bytes (for the invariant checker). */
  writtenSlots(): IterableIterator<number> {
    return this.data.keys();
  }
}
