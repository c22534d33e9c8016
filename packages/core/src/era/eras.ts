/**
 * The kernel eras pinlab models, oldest first, each the era before it plus the changes it lists
 * (docs/reference/kernel-eras.md, sections 2 and 5, which give the sources of every id).
 * @module
 */
import type { EraChange, EraRules, KernelEra } from "./era-rules.js";

/** The rules of Linux 4.8.0 as released: everything before the Dirty COW fix. */
const V4_8: EraRules = {
  cowReuse: "mapcount",
  swapinReuse: "mapcount",
  thpReuse: "mapcount",
  gupReadCow: false,
  forceWrite: "games",
  forkPinned: "share",
  gupFastForkSeq: false,
  follPin: "get",
  zeroPagePinned: true,
  unshare: "none",
  longtermFsdax: "allowed",
  longtermMigrate: "none",
  longtermFileWrite: "allowed",
  longtermNeedsPin: false,
  daxBusyWait: false,
  splitZeroRemap: false,
};

interface EraStep {
  readonly id: string;
  readonly release: string;
  readonly date: string;
  readonly summary: string;
  readonly changes: readonly EraChange[];
}

const STEPS: readonly EraStep[] = [
  {
    id: "v4.8", release: "Linux 4.8", date: "2016-10",
    summary: "COW by mapcount; FOLL_FORCE drops FOLL_WRITE after its COW fault (the Dirty COW race); no long-term API; no FOLL_PIN",
    changes: [],
  },
  {
    id: "v4.9", release: "Linux 4.9", date: "2016-12",
    summary: "Dirty COW fixed: a forced write's retried lookup stays a write and takes only the dirty COW copy (FOLL_COW)",
    changes: [
      { rule: "forceWrite", value: "foll-cow", commit: "19be0eaffa3a", title: "mm: remove gup_flags FOLL_WRITE games from __get_user_pages()" },
    ],
  },
  {
    id: "v4.15", release: "Linux 4.15", date: "2018-01",
    summary: "get_user_pages_longterm(): long-term pins of FS-DAX mappings refused",
    changes: [
      { rule: "longtermFsdax", value: "refused", commit: "2bb6d2837083", title: "mm: introduce get_user_pages_longterm", unconfirmed: "release inferred: rebased on v4.15-rc1 and tagged for stable; the merge was not read" },
    ],
  },
  {
    id: "v5.3", release: "Linux 5.3", date: "2019-09",
    summary: "the seed era of the FOLL_PIN debate: COW by mapcount, fork shares pinned pages, pins are plain references, long-term pins leave CMA",
    changes: [
      { rule: "daxBusyWait", value: true, commit: "5fac7408d828", title: "mm, fs, dax: handle layout changes to pinned dax mappings", release: "v4.18", unconfirmed: "id and title read in a Fixes: tag and an xfs shortlog; authored 2018-03-09, release v4.18 inferred, not read in a tagged tree" },
      { rule: "longtermMigrate", value: "cma", commit: "9a4e9f3b2d73", title: "mm: update get_user_pages_longterm to migrate pages allocated from CMA region", release: "v5.1", unconfirmed: "release inferred from the v8 posting date (Feb 2019)" },
    ],
  },
  {
    id: "v5.7", release: "Linux 5.7", date: "2020-05",
    summary: "FOLL_PIN counted (GUP_PIN_COUNTING_BIAS, exact pincount for huge pages); COW and fork still as v5.3",
    changes: [
      { rule: "follPin", value: "counted", commit: "3faa52c03f44", title: "mm/gup: track FOLL_PIN pages" },
    ],
  },
  {
    id: "v5.8", release: "Linux 5.8", date: "2020-08",
    summary: "\"COW can break either way\": GUP breaks COW even for reads on private mappings",
    changes: [
      { rule: "gupReadCow", value: true, commit: "17839856fd58", title: "gup: document and work around \"COW can break either way\" issue" },
    ],
  },
  {
    id: "v5.9-rc4", release: "Linux 5.9-rc4 to -rc6", date: "2020-09",
    summary: "mainline between the do_wp_page() simplification (merged 4 Sep 2020) and early COW at fork (rc7): COW by refcount, fork still shares pinned pages",
    changes: [
      { rule: "cowReuse", value: "refcount", commit: "09854ba94c6a", title: "mm: do_wp_page() simplification" },
      { rule: "gupReadCow", value: false, commit: "a308c71bf1e6", title: "mm/gup: Remove enfornced COW mechanism" },
    ],
  },
  {
    id: "v5.9", release: "Linux 5.9", date: "2020-10",
    summary: "fork copies maybe-pinned pages of an mm that used FOLL_PIN (early COW)",
    changes: [
      { rule: "forkPinned", value: "early-cow", commit: "008cfe4418b3", title: "mm: Introduce mm_struct.has_pinned" },
      { rule: "forkPinned", value: "early-cow", commit: "70e806e4e645", title: "mm: Do early cow for pinned pages during fork() for ptes" },
    ],
  },
  {
    id: "v5.11", release: "Linux 5.11", date: "2021-02",
    summary: "GUP-fast FOLL_PIN backs off while fork write-protects the mm (write_protect_seq): no pin slips between fork's maybe-pinned test and its write-protect",
    changes: [
      {
        rule: "gupFastForkSeq", value: true, commit: "57efa1fe5957", title: "mm/gup: prevent gup_fast from racing with COW during fork",
        unconfirmed: "release inferred: not in v5.10 (queued for 5.10-stable as 537946556cc9 in December 2020), so v5.11-rc1; no tagged v5.11 tree read",
      },
    ],
  },
  {
    id: "v5.18", release: "Linux 5.18", date: "2022-05",
    summary: "\"COW fixes part 1\": swap-in and THP write faults decide by refcount too; long-term pins leave ZONE_MOVABLE (v5.13)",
    changes: [
      { rule: "longtermMigrate", value: "cma-movable", commit: "d1e153fea2a8", title: "mm/gup: migrate pinned pages out of movable zone", release: "v5.13", unconfirmed: "release inferred (\"from May 2021\")" },
      { rule: "cowReuse", value: "refcount-swapcache", commit: "53a05ad9f21d", title: "mm: optimize do_wp_page() for exclusive pages in the swapcache", unconfirmed: "release inferred from the series order after folio-5.18c" },
      { rule: "swapinReuse", value: "refcount", commit: "c145e0b47c77", title: "mm: streamline COW logic in do_swap_page()", unconfirmed: "release inferred from the series order after folio-5.18c" },
      { rule: "thpReuse", value: "refcount", commit: "3bff7e3f1f16", title: "mm/huge_memory: streamline COW logic in do_huge_pmd_wp_page()", unconfirmed: "release inferred from the series order after folio-5.18c" },
    ],
  },
  {
    id: "v5.19", release: "Linux 5.19", date: "2022-07",
    summary: "PageAnonExclusive: exclusive pages reused, fork refuses to share maybe-pinned exclusive pages, R/O pins unshare first",
    changes: [
      { rule: "cowReuse", value: "anon-exclusive", commit: "6c287605fd56", title: "mm: remember exclusively mapped anonymous pages with PG_anon_exclusive" },
      { rule: "forkPinned", value: "anon-exclusive", commit: "fb3d824d1a46", title: "mm/rmap: split page_dup_rmap() into page_dup_file_rmap() and page_try_dup_anon_rmap()" },
      { rule: "unshare", value: "anon", commit: "a7f226604170", title: "mm/gup: trigger FAULT_FLAG_UNSHARE when R/O-pinning a possibly shared anonymous page" },
    ],
  },
  {
    id: "v6.5", release: "Linux 6.5", date: "2023-08",
    summary: "writable long-term pins of dirty-tracked file mappings refused (EFAULT); the zero page never pinned; R/O long-term pins unshare page cache and zero page in COW mappings (v6.2); FOLL_COW gone (v6.0)",
    changes: [
      { rule: "forceWrite", value: "anon-exclusive", commit: "5535be309971", title: "mm/gup: fix FOLL_FORCE COW security issue and remove FOLL_COW", release: "v6.0", unconfirmed: "release inferred from the date" },
      { rule: "unshare", value: "anon-longterm", commit: "84209e87c696", title: "mm/gup: reliable R/O long-term pinning in COW mappings", release: "v6.2", unconfirmed: "release inferred from the date" },
      { rule: "longtermNeedsPin", value: true, commit: "d64e2dbc33a1", title: "mm/gup: simplify the external interface functions and consolidate invariants", release: "v6.3", unconfirmed: "id and title read in mm/gup shortlogs (is_valid_gup_args()); release v6.3 inferred, not read in a tagged tree" },
      { rule: "longtermFileWrite", value: "refused", commit: "8ac268436e6d", title: "mm/gup: disallow FOLL_LONGTERM GUP-nonfast writing to file-backed mappings", unconfirmed: "release inferred" },
      { rule: "longtermFileWrite", value: "refused", commit: "a6e79df92e4a", title: "mm/gup: disallow FOLL_LONGTERM GUP-fast writing to file-backed mappings", unconfirmed: "release inferred" },
      { rule: "zeroPagePinned", value: false, commit: "c8070b787519", title: "mm: Don't pin ZERO_PAGE in pin_user_pages()" },
    ],
  },
  {
    id: "v6.12", release: "Linux 6.12", date: "2024-11",
    summary: "the end point, read in the tree: the v5.19 and v6.5 rules in folio form (wp_can_reuse_anon_folio, folio_try_dup_anon_rmap_pte); a THP split maps zero-filled subpages to the shared zero page",
    changes: [
      { rule: "splitZeroRemap", value: true, commit: "b1f202060afe", title: "mm: remap unused subpages to shared zeropage when splitting isolated thp", unconfirmed: "commit id not checked against a git log here; the code is in the Debian 6.12 tree (mm/huge_memory.c __split_huge_page)" },
    ],
  },
];

function build(): readonly KernelEra[] {
  const out: KernelEra[] = [];
  let rules: EraRules = V4_8;
  for (const s of STEPS) {
    const next: Record<string, unknown> = { ...rules };
    for (const c of s.changes) next[c.rule] = c.value;
    rules = Object.freeze(next) as unknown as EraRules;
    out.push(Object.freeze({ id: s.id, release: s.release, date: s.date, summary: s.summary, rules, changes: s.changes }));
  }
  return Object.freeze(out);
}

/** Every era, oldest first. */
export const KERNEL_ERAS: readonly KernelEra[] = build();

/** The era a kernel runs when neither the config nor the policy names one: what the model follows, Linux v6.12. */
export const DEFAULT_KERNEL = "v6.12";
