/**
 * Kernel counters in 4 KiB page units: the two `/proc/vmstat` pin counters of mm/vmstat.c and a
 * few model counters kept alongside them.
 */
export class VmStat {
  /** `nr_foll_pin_acquired`: pins taken since boot, per 4 KiB page. */
  nr_foll_pin_acquired = 0;
  /** `nr_foll_pin_released`: pins released since boot, per 4 KiB page. */
  nr_foll_pin_released = 0;
  /** Model counter: FOLL_GET references taken by GUP, per page. */
  nr_gup_get_acquired = 0;
  /** Model counter: FOLL_GET references released with put_page, per page. */
  nr_gup_get_released = 0;
  /** Model counter: pages copied on write (`wp_page_copy`). */
  nr_cow = 0;
  /** Model counter: anon pages copied at fork because they may be DMA-pinned. */
  nr_fork_dma_copies = 0;
  /** Model counter: pages migrated successfully. */
  nr_migrated = 0;
  /** Model counter: migrations that failed. */
  nr_migrate_failed = 0;
  /** `thp_split_pmd` (THP_SPLIT_PMD, mm/huge_memory.c `__split_huge_pmd_locked()`, v6.12): PMD leaves split into PTEs. */
  thp_split_pmd = 0;
  /** `thp_split_page` (THP_SPLIT_PAGE, `split_huge_page_to_list_to_order()`, v6.12): THPs split into small folios. */
  thp_split_page = 0;
  /** `thp_collapse_alloc` (THP_COLLAPSE_ALLOC, `collapse_huge_page()`, v6.12): THPs made by collapsing small pages. */
  thp_collapse_alloc = 0;
  /** `pswpout` (PSWPOUT, `count_swpout_vm_event()`, mm/page_io.c, v6.12): pages written to swap. */
  pswpout = 0;
  /** `pswpin` (PSWPIN, `swap_read_folio()`, mm/page_io.c, v6.12): pages read from swap. */
  pswpin = 0;
  /** `swpout_zero` (SWPOUT_ZERO, `swap_zeromap_folio_set()`, mm/page_io.c, v6.12): zero-filled pages swapped out without I/O. */
  swpout_zero = 0;
  /** `swpin_zero` (SWPIN_ZERO, `swap_read_folio_zeromap()`, mm/page_io.c, v6.12): zero-filled pages swapped in without I/O. */
  swpin_zero = 0;
  /** `thp_swpout_fallback` (THP_SWPOUT_FALLBACK, `shrink_folio_list()`, mm/vmscan.c, v6.12): THPs split to be swapped out as 4 KiB pages. */
  thp_swpout_fallback = 0;

  /** A plain object copy, for reports. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(Object.entries(this)) as Record<string, number>;
  }
}
