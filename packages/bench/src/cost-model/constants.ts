/**
 * Every constant of the bench's cost model, each with its source. The simulated latency of a
 * cell is built from these alone (see `sim-ledger.ts`); nothing else in the bench invents a cost.
 *
 * Per-page figures are the published gup_test totals divided by the number of 4 KiB pages they
 * cover (reference §9, "Performance figures"). Where no figure is published the constant says
 * so and gives the estimate's reasoning; those are marked ESTIMATE.
 * @module
 */

/**
 * Long-term pin of an order-0 page on the slow path (`pin_user_pages(FOLL_LONGTERM)`), ns/page.
 * Source: "gup: optimize longterm pin_user_pages() for large folio" (2025, based on v6.15),
 * `gup_test -LT -m 8192 -n 512` with THP off: get ≈ 130.5k–131.8k µs for 2,097,152 pages
 * ≈ 62 ns/page (reference §9, the best small-page anchor; CPU not stated).
 */
export const PIN_SMALL_NS = 62;

/**
 * Unpin of an order-0 page (`unpin_user_pages`), ns/page. Source: the same commit and run:
 * put ≈ 31.3k–31.7k µs for 2,097,152 pages ≈ 15 ns/page (reference §9).
 */
export const UNPIN_SMALL_NS = 15;

/**
 * Long-term pin of one 4 KiB subpage of a large folio, ns/subpage. Source: the same 2025
 * commit, `gup_test -HL -m 8192 -n 512` (8 GiB of 2 MiB hugetlb): get 4,867 µs after the patch
 * for 2,097,152 subpages ≈ 2.3 ns/subpage (reference §9: "a few ns per huge subpage").
 */
export const PIN_HUGE_SUBPAGE_NS = 2.3;

/**
 * Unpin of one subpage of a large folio, ns/subpage. Source: the same run, put ≈ 10.5k–10.9k µs
 * for 2,097,152 subpages ≈ 5 ns/subpage (reference §9).
 */
export const UNPIN_HUGE_SUBPAGE_NS = 5;

/**
 * FOLL_GET grab cost relative to a FOLL_PIN grab. Source: Red Hat CKI run_gup_tests expected
 * results, `gup_test -u` (GUP_FAST) get 36,058 µs vs `gup_test -a` (PIN_FAST) get 38,827 µs:
 * 36,058 / 38,827 ≈ 0.929, "pin ≈ +8% on get" (reference §9; hardware unknown, ratio only).
 */
export const GET_OVER_PIN = 36_058 / 38_827;

/**
 * `put_page` cost relative to `unpin_user_page`. Source: the same CKI figures, put 818 µs vs
 * 2,214 µs: 818 / 2,214 ≈ 0.369, "≈ 2.7× on put" (reference §9).
 */
export const PUT_OVER_UNPIN = 818 / 2_214;

/**
 * GUP-fast (lockless walk) grab cost relative to the slow path under mmap_lock. Source: Joao
 * Martins, "mm/hugetlb: grab head page refcount once for group of subpages" series, patch 2 (2021):
 * on the same 16 GiB hugetlbfs file, PIN_LONGTERM (slow) ≈ 5.8k µs vs PIN_FAST ≈ 3.7k µs:
 * 3.7 / 5.8 ≈ 0.64 (reference §9). ESTIMATE for order-0 pages: no small-page fast/slow pair is
 * published (reference §12), so the hugetlb ratio is applied to every grab the fast path made.
 */
export const FAST_OVER_SLOW = 3.7 / 5.8;

/**
 * One uncontended atomic read-modify-write on a separate cache line (a `kref_get` / `kref_put`,
 * or an exact pin counter kept beside the refcount, which a policy declares as
 * `capabilities.extraAtomicsPerPin` / `extraAtomicsPerUnpin`), ns. ESTIMATE: a LOCK-prefixed add costs
 * roughly 18–20 core cycles on recent x86 cores (Agner Fog, "Instruction tables", LOCK ADD /
 * LOCK XADD latencies), about 6 ns at 3 GHz. No GUP measurement isolates it.
 */
export const ATOMIC_RMW_NS = 6;

/**
 * Visiting one entry of an owner's file-pin list during the lookup (pointer chase and compare,
 * the list hot in L1/L2), ns. ESTIMATE: an L2 hit is about 12–14 cycles on recent x86 (~4 ns
 * at 3 GHz), an L1 hit about 4–5 cycles; 2 ns per entry. Reference §9: "No published per-page
 * cost for Ira's file-pin bookkeeping was found. Model it as an extra list scan plus kref
 * increment per DAX page, plus one GFP_ATOMIC allocation per new (owner, file) pair."
 */
export const FILE_PIN_LIST_ENTRY_NS = 2;

/**
 * One GFP_ATOMIC `kzalloc` of a 64-byte file-pin object (`add_file_pin()`, RFC v2 14/19), ns.
 * ESTIMATE: the SLUB fast path is one per-cpu freelist cmpxchg plus zeroing 64 bytes, a few
 * tens of cycles; 20 ns. Charged once per new (owner, file) object, not per page.
 */
export const FILE_PIN_ALLOC_NS = 20;
