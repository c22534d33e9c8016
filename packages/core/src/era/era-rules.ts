/**
 * The rules of one kernel era: the decisions about copy-on-write, fork, GUP and long-term pins
 * that changed between Linux v4.8 and v6.12 (docs/reference/kernel-eras.md, section 4.1).
 * @module
 */

/**
 * How a write fault decides to reuse a write-protected anonymous page rather than copy it.
 *
 * - `mapcount`: `reuse_swap_page()` (mm/swapfile.c, up to v5.8): reuse when the page is mapped
 *   once (plus its swap count); GUP references are never looked at.
 * - `refcount`: `do_wp_page()` after "mm: do_wp_page() simplification" (09854ba94c6a, v5.9):
 *   reuse only when the mapping holds the sole reference; any GUP reference or pin makes the
 *   writer copy, and so does the swap cache's reference.
 * - `refcount-swapcache`: the same, but a page in the swap cache first gives up its swap space
 *   when no swap entry needs it ("mm: optimize do_wp_page() for exclusive pages in the
 *   swapcache", 53a05ad9f21d, v5.18).
 * - `anon-exclusive`: PageAnonExclusive (v5.19, 6c287605fd56): an exclusive page is reused at
 *   once, otherwise `wp_can_reuse_anon_folio()`'s refcount test (v6.12).
 */
export type CowReuseRule = "mapcount" | "refcount" | "refcount-swapcache" | "anon-exclusive";

/**
 * How a FOLL_FORCE write (`/proc/PID/mem`, ptrace: `access_remote_vm()`) to a write-protected
 * private mapping finds its page after the COW fault.
 *
 * - `games`: `faultin_page()` drops FOLL_WRITE and retries the lookup as a read (up to v4.8, the
 *   Dirty COW race, CVE-2016-5195).
 * - `foll-cow`: FOLL_COW: the retried lookup stays a write and accepts a write-protected PTE only
 *   when it is dirty, the fresh COW copy (19be0eaffa3a, v4.9).
 * - `anon-exclusive`: FOLL_COW removed; a forced write needs an exclusive anonymous page
 *   (5535be309971, v6.0).
 */
export type ForceWriteRule = "games" | "foll-cow" | "anon-exclusive";

/**
 * What fork does with an anonymous page a device may hold.
 *
 * - `share`: every page is shared copy-on-write (`copy_one_pte()`, up to v5.8).
 * - `early-cow`: the child gets a copy of a page `page_maybe_dma_pinned()` in an mm that ever
 *   used FOLL_PIN (`copy_present_page()`, 70e806e4e645, v5.9).
 * - `anon-exclusive`: the same test, asked only of PageAnonExclusive pages
 *   (`folio_try_dup_anon_rmap_pte()` fails, fb3d824d1a46, v5.19; v6.12's form).
 */
export type ForkPinnedRule = "share" | "early-cow" | "anon-exclusive";

/**
 * What a read-only FOLL_PIN does to a page a later COW could take away from its process.
 *
 * - `none`: nothing (up to v5.18).
 * - `anon`: FAULT_FLAG_UNSHARE makes a shared anonymous page exclusive first (c89357e27f20,
 *   a7f226604170, v5.19).
 * - `anon-longterm`: also the zero page and page-cache pages of a private COW mapping, for
 *   long-term pins (84209e87c696, 8d6a0ac09a16, v6.2; v6.12's `gup_must_unshare()`).
 */
export type UnshareRule = "none" | "anon" | "anon-longterm";

/**
 * Where a long-term pin may not stay and must migrate first.
 *
 * - `none`: anywhere (before v5.1).
 * - `cma`: not in a CMA area (9a4e9f3b2d73, v5.1; `check_and_migrate_cma_pages()`).
 * - `cma-movable`: not in CMA, ZONE_MOVABLE or device-coherent memory (d1e153fea2a8, v5.13;
 *   v6.12's `folio_is_longterm_pinnable()`).
 */
export type LongtermMigrateRule = "none" | "cma" | "cma-movable";

/** Every rule an era fixes. Each field is one knob of docs/reference/kernel-eras.md section 4.1. */
export interface EraRules {
  /** `cow.reuse`: how `do_wp_page()` decides between reuse and copy. */
  readonly cowReuse: CowReuseRule;
  /**
   * `cow.swapin`: a write fault on a swapped-out page (`do_swap_page()`) kept
   * `reuse_swap_page()`'s mapcount + swap count test until "mm: streamline COW logic in
   * do_swap_page()" (c145e0b47c77, v5.18), after which it decides by reference count.
   */
  readonly swapinReuse: "mapcount" | "refcount";
  /**
   * `cow.thp`: a write fault on a PMD-mapped THP (`do_huge_pmd_wp_page()`) kept
   * `reuse_swap_page()`'s mapcount test until "mm/huge_memory: streamline COW logic in
   * do_huge_pmd_wp_page()" (3bff7e3f1f16, v5.18), after which it reuses only by reference count.
   */
  readonly thpReuse: "mapcount" | "refcount";
  /**
   * `gup.read-cow`: `should_force_cow_break()` (17839856fd58, v5.8 only): a FOLL_GET or FOLL_PIN
   * on a COW mapping breaks COW even for a read, and GUP-fast follows only writable PTEs.
   */
  readonly gupReadCow: boolean;
  /** `gup.force-write`: see {@link ForceWriteRule}. */
  readonly forceWrite: ForceWriteRule;
  /** `fork.pinned`: see {@link ForkPinnedRule}. */
  readonly forkPinned: ForkPinnedRule;
  /**
   * `pin.count`: `counted` once FOLL_PIN is counted (`GUP_PIN_COUNTING_BIAS`, 3faa52c03f44,
   * v5.7); before it (`get`) every pin call is a plain `get_page()`, whatever the policy, and
   * `MMF_HAS_PINNED` is never set.
   */
  readonly follPin: "get" | "counted";
  /**
   * `gup.fast-fork-seq`: GUP-fast with FOLL_PIN samples `mm->write_protect_seq` and backs off to
   * the slow path (which waits for fork's mmap lock) when fork is write-protecting the mm's PTEs
   * ("mm/gup: prevent gup_fast from racing with COW during fork", 57efa1fe5957, v5.11; v6.12's
   * `gup_fast()`). Before it GUP-fast could pin a page between fork's maybe-pinned test and its
   * write-protect of the parent's PTE: the child then shares the page the parent's pin writes.
   */
  readonly gupFastForkSeq: boolean;
  /** `pin.zero-page`: FOLL_PIN takes a reference on the zero page (true until c8070b787519, v6.5). */
  readonly zeroPagePinned: boolean;
  /** `pin.unshare`: see {@link UnshareRule}. */
  readonly unshare: UnshareRule;
  /** `longterm.fsdax`: a long-term pin of an FS-DAX mapping is refused with EOPNOTSUPP (2bb6d2837083, v4.15). */
  readonly longtermFsdax: "allowed" | "refused";
  /** `longterm.migrate`: see {@link LongtermMigrateRule}. */
  readonly longtermMigrate: LongtermMigrateRule;
  /**
   * `longterm.file-write`: a writable long-term pin of a dirty-tracked shared file mapping is
   * refused with EFAULT, and GUP-fast falls back for it (8ac268436e6d, a6e79df92e4a, v6.5).
   */
  readonly longtermFileWrite: "allowed" | "refused";
  /**
   * `longterm.flags`: FOLL_LONGTERM only with FOLL_PIN (`is_valid_gup_args()`, v6.3); before it
   * FOLL_LONGTERM worked with FOLL_GET, except on `get_user_pages_remote()` (EINVAL).
   */
  readonly longtermNeedsPin: boolean;
  /**
   * `dax.busy-wait`: truncate of an FS-DAX file waits for pages a device still holds
   * (`dax_layout_busy_page()`, v4.18; modelled as EBUSY); before it the blocks were freed under
   * the holder.
   */
  readonly daxBusyWait: boolean;
  /**
   * `thp.split-zero-remap`: splitting an anonymous THP to small pages maps each zero-filled subpage
   * to the shared zero page instead (`remap_page(..., RMP_USE_SHARED_ZEROPAGE)` in
   * `__split_huge_page()`, `try_to_map_unused_to_zeropage()` in mm/migrate.c; v6.12).
   */
  readonly splitZeroRemap: boolean;
}

/** The name of one rule (a field of {@link EraRules}). */
export type EraRuleName = keyof EraRules;

/** One rule change an era brought, with the commit that made it. */
export interface EraChange {
  /** The rule. */
  readonly rule: EraRuleName;
  /** Its value from this era on. */
  readonly value: EraRules[EraRuleName];
  /** The commit id (12 hex digits), as the kernel's `Fixes:` tags write it. */
  readonly commit: string;
  /** The commit's title, as written. */
  readonly title: string;
  /** The release it first shipped in, when earlier than the era (a change folded into a later era). */
  readonly release?: string;
  /** How sure we are of the id or the release, when not read in a tagged tree (kernel-eras.md section 6). */
  readonly unconfirmed?: string;
}

/** One kernel era: a release, its rules, and the changes that made them. */
export interface KernelEra {
  /** The id (`v5.3`), as configs, scenarios and `--kernel` write it. */
  readonly id: string;
  /** The release it stands for (`Linux 5.3`). */
  readonly release: string;
  /** When it was released (`2019-09`). */
  readonly date: string;
  /** One line on what this era is. */
  readonly summary: string;
  /** The rules in force. */
  readonly rules: EraRules;
  /** What changed from the era before, each with its commit (empty for the first era). */
  readonly changes: readonly EraChange[];
}
