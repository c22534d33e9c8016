/**
 * The counting part of a policy.
 * @module
 */
import type { FastPathDeclaration, PinPolicy } from "@pinlab/core";

/**
 * The counting members of a policy: how a grab and a release move the frame table
 * (`try_grab_folio` / `gup_put_folio`), and what that lets the policy answer
 * (`folio_maybe_dma_pinned`, the displayed pin count, the refcount share of outstanding pins).
 */
export type PinCounting = Pick<PinPolicy, "grab" | "release" | "maybeDmaPinned" | "pinCount" | "refsForPins"> & {
  /** The counting of a plain frame as numbers (see `FastPathDeclaration`): refcount units per pin, and the exact counter if any. */
  readonly fast: Pick<FastPathDeclaration, "pinRefs" | "pinCounter">;
};
