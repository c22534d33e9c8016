// @ts-check
/**
 * no-longterm: an example out-of-tree pinlab policy plugin.
 *
 * A thought experiment, not a kernel series: Linux v6.12 pin accounting (the `pin-bias` policy)
 * in a kernel that refuses every FOLL_LONGTERM request, so that nothing but an MMU-notifier mirror
 * (ODP) can hold user memory indefinitely. Short-term pins (direct IO) are untouched.
 *
 * It reuses `pin-bias` for everything and overrides one hook, `checkFlags`, the policy's part of
 * `is_valid_gup_args()` (mm/gup.c): every GUP call passes its flags there before it walks a page
 * table, on the fast path and the slow path alike. `pin_user_pages_fast()` then returns -EPERM,
 * `pin_user_pages()` returns 0, as they do for any flags `is_valid_gup_args()` refuses.
 *
 * @module
 */
import { EPERM, FOLL_LONGTERM, definePinPolicy, registerPinPolicy } from "@pinlab/core";
import { PinBiasOptionsSchema, pinBias } from "@pinlab/policies";

/** The `no-longterm` policy descriptor. */
const noLongterm = definePinPolicy({
  meta: {
    id: "no-longterm",
    summary: "pin-bias, but every FOLL_LONGTERM request is refused with EPERM: only ODP mirrors may hold memory indefinitely",
    kernel: "Linux v6.12 (pin-bias), with is_valid_gup_args() refusing FOLL_LONGTERM: a thought experiment, not a kernel series",
    description:
      "Counts exactly as `pin-bias` (same options). `checkFlags` refuses FOLL_LONGTERM with EPERM, so RDMA memory " +
      "registration and io_uring fixed buffers fail, while direct IO (short-term FOLL_PIN) and ODP mirrors work.",
    options: PinBiasOptionsSchema,
    // It pins as pin-bias does: no file pins, nothing counted beside the refcount.
    capabilities: pinBias.meta.capabilities,
  },
  create(ctx) {
    const base = pinBias.create(ctx);
    return {
      ...base,
      id: "no-longterm",
      checkFlags(flags) {
        if ((flags & FOLL_LONGTERM) !== 0) return EPERM;
        return base.checkFlags(flags);
      },
    };
  },
});

export default noLongterm;

/**
 * Contribute this plugin to a pinlab container.
 * @param {Parameters<typeof registerPinPolicy>[0]} container
 */
export function register(container) {
  registerPinPolicy(container, noLongterm, "docs/examples/no-longterm");
}
