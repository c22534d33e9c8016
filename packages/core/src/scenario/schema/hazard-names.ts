/**
 * The hazard classes and outcomes as scenarios write them (a leaf module: the `expect` and
 * `explore` schemas both use them).
 * @module
 */

/** Hazard classes, as scenarios write them. */
export const HAZARD_CLASSES = ["dma_after_clean", "dma_to_truncated", "cow_divergence", "dma_to_freed", "longterm_in_movable", "cow_leak"] as const;
/** Hazard outcomes. */
export const HAZARD_OUTCOMES = ["prevented", "detected", "undetected"] as const;
