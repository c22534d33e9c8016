/**
 * Fault flags (`enum fault_flag`, include/linux/mm_types.h, v6.12) and the per-call fault tally.
 * @module
 */

/** FAULT_FLAG_WRITE. */
export const FAULT_FLAG_WRITE = 1 << 0;
/** FAULT_FLAG_UNSHARE: make an anonymous page exclusive without writing it. */
export const FAULT_FLAG_UNSHARE = 1 << 1;
/** FAULT_FLAG_REMOTE: the faulting task is not the mm's owner. */
export const FAULT_FLAG_REMOTE = 1 << 2;

/** Fault counts by kind, accumulated over one call (touch, user access, GUP fault-in). */
export type FaultStats = Record<string, number>;

/** Count `n` faults of `kind`. */
export function count(stats: FaultStats, kind: string, n = 1): void {
  stats[kind] = (stats[kind] ?? 0) + n;
}

