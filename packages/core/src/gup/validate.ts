/**
 * GUP argument validation, in one place, in the style of `is_valid_gup_args()` (mm/gup.c, v6.12):
 * each rule on one line with the reason, rejecting early.
 * @module
 */
import { EINVAL } from "../errno.js";
import type { PinPolicy } from "../policy/pin-policy.js";
import { FOLL_GET, FOLL_LONGTERM, FOLL_PCI_P2PDMA, FOLL_PIN, FOLL_UNLOCKABLE, INTERNAL_GUP_FLAGS } from "./foll-flags.js";

/** The outcome of validation: the flags the call proceeds with, or why it was refused. */
export type GupArgsResult = { ok: true; flags: number } | { ok: false; errno: number; reason: string };

/**
 * `is_valid_gup_args(pages, locked, &gup_flags, to_set)` (mm/gup.c, v6.12): check caller flags, then OR in what
 * the wrapper sets (`toSet`). `hasPages` is whether a pages array was passed; `locked` is the
 * `*locked` value when a locked pointer was passed. Policy-dependent rules (FOLL_LONGTERM
 * without FOLL_PIN, which kernels before FOLL_PIN accepted) go to `policy.checkFlags`.
 */
export function validateGupFlags(policy: PinPolicy, flags: number, toSet: number, hasPages: boolean, locked?: number): GupArgsResult {
  // Internal-only flags (FOLL_TOUCH/PIN/TRIED/FAST_ONLY/REMOTE/UNLOCKABLE/MADV_POPULATE) may not come from callers.
  if ((flags & INTERNAL_GUP_FLAGS) !== 0) return { ok: false, errno: EINVAL, reason: "internal-only FOLL flag passed by the caller" };
  let f = flags | toSet;
  if (locked !== undefined) {
    // At the external interface *locked must be 1.
    if (locked !== 1) return { ok: false, errno: EINVAL, reason: "*locked must be 1" };
    f |= FOLL_UNLOCKABLE;
  }
  // FOLL_GET and FOLL_PIN are mutually exclusive.
  if ((f & (FOLL_PIN | FOLL_GET)) === (FOLL_PIN | FOLL_GET)) return { ok: false, errno: EINVAL, reason: "FOLL_GET and FOLL_PIN together" };
  // FOLL_LONGTERM may only be used when pinning (policy: kernels before FOLL_PIN allowed it with FOLL_GET).
  const policyErr = policy.checkFlags(f);
  if (policyErr !== 0) return { ok: false, errno: policyErr, reason: (f & FOLL_LONGTERM) !== 0 && (f & FOLL_PIN) === 0 ? "FOLL_LONGTERM without FOLL_PIN" : "flags refused by the policy" };
  // A pages array must be given when taking references.
  if ((f & (FOLL_GET | FOLL_PIN)) !== 0 && !hasPages) return { ok: false, errno: EINVAL, reason: "FOLL_GET/FOLL_PIN without a pages array" };
  // The P2PDMA pgmap must stay hot-unpluggable: no long-term pins of it.
  if ((f & FOLL_LONGTERM) !== 0 && (f & FOLL_PCI_P2PDMA) !== 0) return { ok: false, errno: EINVAL, reason: "FOLL_LONGTERM with FOLL_PCI_P2PDMA" };
  return accepted(f);
}

const ACCEPTED = new Map<number, GupArgsResult>();

/** The (shared, frozen) accepted result for `flags`: a GUP call allocates nothing to be validated. */
function accepted(flags: number): GupArgsResult {
  let r = ACCEPTED.get(flags);
  if (r === undefined) {
    r = Object.freeze({ ok: true as const, flags });
    if (ACCEPTED.size < 4096) ACCEPTED.set(flags, r);
  }
  return r;
}
