/**
 * What the `odp-mirror` device accepts: its options and its actions, each with the schema of its fields.
 * @module
 */
import { actionFields, timeField, type DeviceActionSpecs } from "@pinlab/core";
import { z } from "zod";
import { deregMrFields, dmaReadFields, dmaWriteFields, regMrFields } from "../shared/mr-fields.js";

/** How the mirror is filled: `none` (hmm_range_fault, no reference), `get` / `pin` (2019: a transient GUP reference). */
export const ODP_FILL_MODES = ["none", "get", "pin"] as const;

/** A fill mode. */
export type OdpFillMode = (typeof ODP_FILL_MODES)[number];

/** Options of an `odp-mirror` device. */
export const odpMirrorOptions = z
  .object({
    fill: z.enum(ODP_FILL_MODES).default("none")
      .describe("none: hmm_range_fault, no page reference (v6.12); get / pin: the 2019 driver, a GUP reference while filling, dropped right after mapping"),
    faultLatency: timeField.prefault("0ns")
      .describe("time one prefetch fault pass takes between the page-table walk and the mirror update; invalidations in between force a retry"),
    faultTimeout: timeField.prefault("1000ms").describe("stop retrying a fault after this long and fail with EBUSY (HMM_RANGE_DEFAULT_TIMEOUT, include/linux/hmm.h)"),
    maxFaultPasses: z.number().int().min(1).default(64).describe("stop retrying after this many passes and fail with EBUSY (bounds retries that take no time)"),
    intervalRetry: z.boolean().default(true)
      .describe("true: check mmu_interval_read_retry under the mirror lock before publishing a fault pass (v6.12); false: a buggy driver that skips it and publishes the frames its walk found even when an invalidation raced the pass, so the mirror can map a stale, freed frame"),
  })
  .strict();

/** Parsed `odp-mirror` options. */
export type OdpMirrorOptions = z.output<typeof odpMirrorOptions>;

/** `prefetch` fields (`write: true` is IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE). */
export const odpPrefetchFields = z.object({ region: actionFields.name, offset: actionFields.size, length: actionFields.size, write: z.boolean().optional() }).strict();

/** The actions of `odp-mirror`: what the device's handlers are typed from. */
export const odpMirrorActions = {
  // reg_mr's `access` is optional here too: an ODP region registered without it may be written and read.
  reg_mr: { summary: "register an ODP region: insert an interval notifier, pin nothing", fields: regMrFields, result: "the region name" },
  dereg_mr: { summary: "deregister: zap the mirror (dirtying writable entries), remove the notifier", fields: deregMrFields, releases: "region" },
  prefetch: { summary: "fill the mirror for [offset, offset + length) (ibv_advise_mr)", fields: odpPrefetchFields, result: "pages requested (or mapped, when synchronous)" },
  dma_write: { summary: "the device writes through its mirror, faulting for write on a miss", fields: dmaWriteFields, result: "bytes written" },
  dma_read: { summary: "the device reads through its mirror, faulting on a miss", fields: dmaReadFields, result: "exactly length bytes, as a string (NULs included)" },
} satisfies DeviceActionSpecs;

/** The markdown description of `odp-mirror`. */
export const ODP_MIRROR_DESCRIPTION = `
An on-demand-paging RDMA region: the device keeps its own page table of the range and **holds no
pin**. It follows \`ib_umem_odp\` (drivers/infiniband/core/umem_odp.c), mlx5's invalidation
(drivers/infiniband/hw/mlx5/odp.c) and the in-kernel test mirror \`dmirror\` (lib/test_hmm.c),
Linux v6.12.

- \`reg_mr\` inserts an MMU interval notifier over the range (\`mmu_interval_notifier_insert\`) and
  allocates an empty mirror. Nothing is pinned and nothing is charged to pinned_vm.
- A device access that misses (or needs write on a read-only entry) faults: \`read_begin\`, walk
  the CPU page table faulting what is missing (\`hmm_range_fault\`), then \`read_retry\` under the
  mirror lock; a collision with an invalidation starts a new pass. After \`maxFaultPasses\` passes
  or \`faultTimeout\` (HMM_RANGE_DEFAULT_TIMEOUT) the fault fails with \`EBUSY\`.
- \`prefetch\` (\`ibv_advise_mr\`) fills ahead; with \`faultLatency\` > 0 it completes later on the
  clock, so munmap, migration, writeback or truncate in between force a retry (reference row 19).
  \`dma_write\` / \`dma_read\` fault inline, in no virtual time.
- The invalidate callback (\`mlx5_ib_invalidate_range\`) calls \`mmu_interval_set_seq\`, zaps the
  affected entries and marks the pages that were mapped writable dirty
  (\`ib_umem_odp_unmap_dma_pages\`). Munmap, mprotect, COW, writeback's clean, truncate,
  migration and exit all reach it.
- \`intervalRetry: false\` models a buggy driver that skips \`mmu_interval_read_retry\`: a pass that
  raced an invalidation publishes the frames its walk found. The invalidation had nothing to zap
  yet, so the mirror now maps frames the process no longer maps, with no reference on them: freed,
  maybe reused. The device's next DMA through them is \`dma_to_freed\`, undetected.
- \`fill: get | pin\` reproduces the 2019 driver: the fill takes a GUP reference and drops it right
  after the mirror is updated, which is the question the seed thread argued about.
`.trim();
