/**
 * The counters an `odp-mirror` device keeps, after the ones test_hmm reports per command
 * (`cmd->cpages`, `cmd->faults`, lib/test_hmm.c) plus the fault protocol and invalidation.
 * @module
 */

/** Counters of one `odp-mirror` device (all cumulative). */
export interface OdpCounters {
  /** Device fault requests: a DMA that missed (one per fault round, like `cmd->faults`) or a prefetch. */
  faults: number;
  /** read_begin … read_retry passes over all faults. */
  faultPasses: number;
  /** Passes that collided with an invalidation (EBUSY from the walk, or read_retry true) and started over. */
  retries: number;
  /** Fault requests that failed (EFAULT, EPERM, EBUSY after the timeout...). */
  faultErrors: number;
  /** Mirror entries filled. */
  pagesMapped: number;
  /** Pages read or written by DMA through the mirror (test_hmm's `cpages`). */
  pagesCopied: number;
  /** Invalidate callbacks received. */
  invalidations: number;
  /** Mirror entries zapped by invalidations and deregistration. */
  pagesZapped: number;
  /** Pages marked dirty because their entry was writable when zapped (`ib_umem_odp_unmap_dma_pages`). */
  pagesDirtied: number;
  /** Page references taken while filling (fill `get` / `pin`), each dropped right after mapping. */
  transientRefs: number;
  /** Prefetch requests. */
  prefetches: number;
  /** DMA transfers that failed (an IOMMU fault, fault injection's `dma` point): answered with EIO. */
  dmaErrors: number;
}

/** A fresh set of counters. */
export function newOdpCounters(): OdpCounters {
  return {
    faults: 0, faultPasses: 0, retries: 0, faultErrors: 0, pagesMapped: 0, pagesCopied: 0, invalidations: 0, pagesZapped: 0, pagesDirtied: 0,
    transientRefs: 0, prefetches: 0, dmaErrors: 0,
  };
}
