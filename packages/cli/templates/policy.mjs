// @ts-check
/**
 * __NAME__: a pinlab pin-accounting policy plugin, written by `pinlab new policy __NAME__`.
 *
 * A policy is everything about GUP accounting that differs between the kernels pinlab compares:
 * how a grab and a release are counted, what `folio_maybe_dma_pinned()` answers, and the rules
 * that depend on it (fork, unsharing, long-term pins, truncate, leases). Guide 4, "Writing a
 * policy plugin", goes through every hook.
 *
 * This skeleton starts as Linux v6.12 (`pin-bias`, from `@pinlab/policies`): it builds that
 * policy with the same context and spreads it, then spells out the hooks you are most likely to
 * change, each delegating to `pin-bias` until you change it. `__NAME__.yaml` next to this file runs
 * it beside `pin-bias`; when you change a hook, give `__NAME__` its own expectations there with
 * `expect_by_policy`.
 *
 * It is one plain ES module: no build step, no package.json, no install. `@pinlab/core`,
 * `@pinlab/policies` and `zod` are the running pinlab's own (pinlab resolves them for its
 * plugins wherever they are).
 *
 * @module
 */
import { definePinPolicy, registerPinPolicy } from "@pinlab/core";
import { PinBiasOptionsSchema, pinBias } from "@pinlab/policies";

/** The `__NAME__` policy descriptor. */
const __IDENT__ = definePinPolicy({
  meta: {
    // The name configs, scenarios and --policy use: lower-case kebab-case.
    id: "__NAME__",
    summary: "pin-bias (Linux v6.12) with hooks to change: written by pinlab new policy",
    // The kernel version or patch series (with its date) the policy follows.
    kernel: "Linux v6.12 (pin-bias), as written by pinlab new policy",
    description: "Starts as `pin-bias`: each hook delegates to it until changed.",
    // Its options, a strict zod object (`z.object({}).strict()` for none): pin-bias's `bias` here,
    // so `policyOptions: { __NAME__: { bias: 64 } }` works. `ctx.options` holds them, parsed.
    options: PinBiasOptionsSchema,
    // What drivers and the bench need to know of it (guide 4, "Capabilities"): file pins, extra
    // atomics per pin and unpin. It pins as pin-bias does, so it declares the same.
    capabilities: pinBias.meta.capabilities,
  },

  /**
   * The policy for one kernel instance. `ctx.options` (parsed), `ctx.memory` (the frame table:
   * `refcount`, `mapcount`, `flags`... typed arrays), `ctx.events`, `ctx.config`, `ctx.mmOf(pid)`,
   * `ctx.inodeOf(id)`. Keep state in this closure: a bench runs many kernels in one process.
   */
  create(ctx) {
    const base = pinBias.create(ctx);
    return {
      // Every hook of pin-bias, including grab / release / refsForPins / pinCount and its
      // `fastPath` declaration (GUP-fast counts plain frames itself while `grab`, `release`,
      // `longtermPinnable` and `fastFolioAllowed` are pin-bias's own functions: replace one of
      // them and core calls the hooks for every page instead, which stays correct).
      ...base,
      id: "__NAME__",

      /**
       * The policy part of `is_valid_gup_args()` (mm/gup.c): every GUP call, fast or slow, after
       * the common checks. Return a positive errno (from @pinlab/core) to refuse the flags, 0 to
       * accept. pin_user_pages() then returns 0, pin_user_pages_fast() the -errno.
       * @param {number} flags FOLL_* bits
       */
      checkFlags(flags) {
        return base.checkFlags(flags);
      },

      /**
       * `folio_maybe_dma_pinned()` (include/linux/mm.h): the question writeback, reclaim,
       * migration and fork ask. False positives are tolerated (a page is treated as pinned),
       * false negatives are not (the hazard oracle records what slips through).
       * @param {number} pfn
       */
      maybeDmaPinned(pfn) {
        return base.maybeDmaPinned(pfn);
      },

      /**
       * `folio_needs_cow_for_dma()` via `__folio_try_dup_anon_rmap()`: at fork, for an exclusive
       * anonymous folio of an mm that has pinned (MMF_HAS_PINNED). True gives the child a copy
       * now and leaves the pinned page to the parent (no cow_divergence).
       * @param {import("@pinlab/core").MmStruct} mm @param {number} head
       */
      forkMustCopy(mm, head) {
        return base.forkMustCopy(mm, head);
      },

      /**
       * `gup_must_unshare()` (mm/internal.h): must GUP unshare this page before pinning it
       * (`vma` is undefined on the fast path)?
       * @param {import("@pinlab/core").Vma | undefined} vma @param {number} flags @param {number} pfn
       */
      mustUnshare(vma, flags, pfn) {
        return base.mustUnshare(vma, flags, pfn);
      },

      /**
       * The long-term part of `check_vma_flags()` (mm/gup.c), per VMA on the slow path with
       * FOLL_LONGTERM: an errno refuses (FS-DAX: EOPNOTSUPP; writable pins of dirty-tracked
       * shared files: EFAULT), 0 allows.
       * @param {import("@pinlab/core").Vma} vma @param {number} flags
       */
      checkLongtermVma(vma, flags) {
        return base.checkLongtermVma(vma, flags);
      },

      /**
       * Truncate and hole punch, before anything is unmapped (`break_layout()` and waiting for
       * busy DAX pages): an errno refuses (ETXTBSY, EBUSY...), 0 goes ahead.
       * @param {Parameters<import("@pinlab/core").PinPolicy["checkTruncate"]>[0]} req
       */
      checkTruncate(req) {
        return base.checkTruncate(req);
      },

      // Also: grab / release (try_grab_folio() / gup_put_folio()), refsForPins and pinCount, which
      // must agree with each other (the invariant checker holds them to it), longtermPinnable
      // (folio_is_longterm_pinnable()), fastFolioAllowed, longtermFilePage / releaseFilePages /
      // setLease / filePins (file pins and layout leases) and accountingBytes (the bench). Guide
      // 4's table "The hooks" says where core calls each.
    };
  },
});

export default __IDENT__;

/**
 * Contribute this plugin to a pinlab container: what `--plugin` and a config's `plugins:` call.
 * Nothing is registered as a side effect of importing the module.
 * @param {Parameters<typeof registerPinPolicy>[0]} container
 */
export function register(container) {
  // The module's own path names it in messages (two copies of one plugin id are told apart).
  registerPinPolicy(container, __IDENT__, new URL(import.meta.url).pathname);
}
