/**
 * What an incremental invariant audit carries from one audit to the next (see checker.ts and
 * incremental-audit.ts).
 * @module
 */

/**
 * The scope of an audit and the state it keeps between audits. A full audit looks at every frame
 * and resets the state; an incremental one looks at the frames the step touched, the ones its
 * census finds mapped or cached, and the ones the last census found (a frame unmapped since then
 * is looked at once more: a leak shows there).
 */
export interface AuditScope {
  /** Look at every frame. */
  readonly full: boolean;
  /** Frames touched since the last audit (looked at besides the ones the census finds). */
  readonly touched: readonly number[];
  /** Frames the last audit's census found mapped, cached or in the swap cache; this audit replaces them. */
  found: number[];
}
