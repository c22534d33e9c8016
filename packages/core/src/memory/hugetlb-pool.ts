/**
 * The pool of 1 GiB hugetlb pages (the hstate of order PUD_SHIFT - PAGE_SHIFT, mm/hugetlb.c,
 * v6.12). Gigantic pages are set aside at boot (`hugepagesz=1G hugepages=N`,
 * `hugetlb_hstate_alloc_pages()`), never come from the page allocator at fault time (no surplus
 * pages for a gigantic hstate: `alloc_surplus_hugetlb_folio()` returns NULL when
 * `hstate_is_gigantic()`), and go back to the pool when freed (`free_huge_folio()` ->
 * `enqueue_hugetlb_folio()`). mmap reserves pages up front (`hugetlb_reserve_pages()` ->
 * `hugetlb_acct_memory()`), so a mapping the pool cannot back fails there with ENOMEM.
 *
 * A free pool folio stays allocated in the zone's bitmap and is marked PG_alloc | PG_reserved on
 * every frame (reserved memory nobody maps), with no reference.
 * @module
 */
import type { ContentStore } from "./content-store.js";
import type { FrameTable } from "./frame-table.js";
import { PG_ALLOC, PG_RESERVED } from "./page-flags.js";

/** The 1 GiB hugetlb pool: its free folios and the counts of `struct hstate`. */
export class HugetlbPool {
  private readonly freeList: number[] = [];
  private readonly freeHeads = new Set<number>();
  /** `h->nr_huge_pages`: folios in the pool, free or in use. */
  nrHugePages = 0;
  /** `h->resv_huge_pages`: free folios promised to mappings (reserved at mmap, not yet faulted). */
  resvHugePages = 0;

  /** A pool over `frames`, whose folios' contents live in `contents`. */
  constructor(
    private readonly frames: FrameTable,
    private readonly contents: ContentStore,
    /** Pages per folio of this pool. */
    readonly nrPages: number,
  ) {}

  /** `h->free_huge_pages`: folios on the free list. */
  get freeHugePages(): number {
    return this.freeList.length;
  }

  /** `available_huge_pages()` (mm/hugetlb.c, v6.12): free folios nobody has reserved. */
  available(): number {
    return this.freeList.length - this.resvHugePages;
  }

  /** Add a folio whose frames were just taken from the page allocator at boot (`prep_new_hugetlb_folio()` + enqueue); -1 (none left) adds nothing. */
  add(head: number): void {
    if (head < 0) return;
    this.nrHugePages++;
    this.enqueue(head);
  }

  /**
   * `hugetlb_acct_memory()` (mm/hugetlb.c, v6.12) for `delta` folios: reserve them when that many
   * are free and unreserved (else false: the mmap fails with ENOMEM); a negative `delta` gives
   * reservations back (`hugetlb_vm_op_close()`).
   */
  acctMemory(delta: number): boolean {
    if (delta > 0 && this.available() < delta) return false;
    this.resvHugePages += delta;
    return true;
  }

  /**
   * `dequeue_hugetlb_folio_vma()` (mm/hugetlb.c, v6.12): take a free folio, consuming a reservation
   * when `useReserve` (the fault of a page its mapping reserved), else only when one is free beyond
   * the reservations. Returns its head (frames still to be initialised) or -1.
   */
  dequeue(useReserve: boolean): number {
    if (!useReserve && this.available() <= 0) return -1;
    const head = this.freeList.pop();
    if (head === undefined) return -1;
    this.freeHeads.delete(head);
    if (useReserve) this.resvHugePages--;
    return head;
  }

  /** `enqueue_hugetlb_folio()` (mm/hugetlb.c, v6.12): a freed folio goes back on the free list, its frames cleared. */
  enqueue(head: number): void {
    this.frames.resetRange(head, this.nrPages, PG_ALLOC | PG_RESERVED);
    this.contents.clearRange(head, this.nrPages);
    this.freeList.push(head);
    this.freeHeads.add(head);
  }

  /** True when `head` is the first frame of a folio on the free list. */
  isFreeHead(head: number): boolean {
    return this.freeHeads.has(head);
  }
}
