/**
 * What the `odp-mirror` device accepts: its options and its actions, each with the schema of its fields.
 * @module
 */
import { actionFields, type DeviceActionSpecs } from "@pinlab/core";
import { z } from "zod";
import { timeOption } from "../shared/fields.js";
import { IB_ACCESS } from "../shared/ib-access.js";

/** How the mirror is filled: `none` (hmm_range_fault, no reference), `get` / `pin` (2019: a transient GUP reference). */
export const ODP_FILL_MODES = ["none", "get", "pin"] as const;

/** A fill mode. */
export type OdpFillMode = (typeof ODP_FILL_MODES)[number];

/** Options of an `odp-mirror` device. */
export const odpMirrorOptions = z
  .object({
    fill: z.enum(ODP_FILL_MODES).default("none")
      .describe("none: hmm_range_fault, no page reference (v6.12); get / pin: the 2019 driver, a GUP reference while filling, dropped right after mapping"),
    faultLatency: timeOption("0ns")
      .describe("time one prefetch fault pass takes between the page-table walk and the mirror update; invalidations in between force a retry"),
    faultTimeout: timeOption("1000ms").describe("stop retrying a fault after this long and fail with EBUSY (HMM_RANGE_DEFAULT_TIMEOUT, include/linux/hmm.h)"),
    maxFaultPasses: z.number().int().min(1).default(64).describe("stop retrying after this many passes and fail with EBUSY (bounds retries that take no time)"),
  })
  .strict();

/** Parsed `odp-mirror` options. */
export type OdpMirrorOptions = z.output<typeof odpMirrorOptions>;

/** `reg_mr` fields (`access` is optional: an ODP region without it may be written and read). */
export const odpRegMrFields = z
  .object({ proc: actionFields.proc, addr: actionFields.addr, length: actionFields.size, access: z.array(z.enum(IB_ACCESS)).optional() })
  .strict();

/** `dereg_mr` fields. */
export const odpDeregMrFields = z.object({ region: actionFields.name }).strict();

/** `prefetch` fields (`write: true` is IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE). */
export const odpPrefetchFields = z.object({ region: actionFields.name, offset: actionFields.size, length: actionFields.size, write: z.boolean().optional() }).strict();

/** `dma_write` fields. */
export const odpDmaWriteFields = z.object({ region: actionFields.name, offset: actionFields.size, data: z.string() }).strict();

/** `dma_read` fields. */
export const odpDmaReadFields = z.object({ region: actionFields.name, offset: actionFields.size, length: actionFields.size }).strict();

/** The actions of `odp-mirror`: what the device's handlers are typed from. */
export const odpMirrorActions = {
  reg_mr: { summary: "register an ODP region: insert an interval notifier, pin nothing", fields: odpRegMrFields, result: "the region name" },
  dereg_mr: { summary: "deregister: zap the mirror (dirtying writable entries), remove the notifier", fields: odpDeregMrFields },
  prefetch: { summary: "fill the mirror for [offset, offset + length) (ibv_advise_mr)", fields: odpPrefetchFields, result: "pages requested (or mapped, when synchronous)" },
  dma_write: { summary: "the device writes through its mirror, faulting for write on a miss", fields: odpDmaWriteFields, result: "bytes written" },
  dma_read: { summary: "the device reads through its mirror, faulting on a miss", fields: odpDmaReadFields, result: "the bytes, as a string" },
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
- \`fill: get | pin\` reproduces the 2019 driver: the fill takes a GUP reference and drops it right
  after the mirror is updated, which is the question the seed thread argued about.
`.trim();
