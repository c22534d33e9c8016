/**
 * What the `rdma-mr` device accepts: its options and its actions, each with the zod schema of
 * its fields as a scenario writes them (the handlers receive them parsed and resolved).
 * @module
 */
import { timeField, type DeviceActionSpecs } from "@pinlab/core";
import { z } from "zod";
import { deregMrFields, dmaReadFields, dmaWriteFields, regMrFields } from "../shared/mr-fields.js";

/** How `reg_mr` pins: chosen from the policy (`auto`), or forced. */
export const RDMA_PIN_CALLS = ["auto", "pin_user_pages_fast", "vaddr_pin_pages"] as const;

/** Options of an `rdma-mr` device. */
export const rdmaMrOptions = z
  .object({
    capIpcLock: z.boolean().default(false)
      .describe("the registering process has CAP_IPC_LOCK: RLIMIT_MEMLOCK is not enforced (pinned_vm is still charged)"),
    pinCall: z.enum(RDMA_PIN_CALLS).default("auto")
      .describe("pin_user_pages_fast (v6.12 ib_umem_get), vaddr_pin_pages (the 2019 RFC, owner = the uverbs file), or auto: vaddr_pin_pages where the policy has file pins (vaddr-pin)"),
    dmaLatency: timeField.prefault("0ns").describe("time a posted dma_write takes to land (0 = at once); dma_read always completes at once"),
  })
  .strict();

/** Parsed `rdma-mr` options. */
export type RdmaMrOptions = z.output<typeof rdmaMrOptions>;

/** The actions of `rdma-mr`: what the device's handlers are typed from. */
export const rdmaMrActions = {
  reg_mr: { summary: "register [addr, addr + length) of proc: charge pinned_vm, pin long-term", fields: regMrFields, result: "the region name" },
  dereg_mr: { summary: "deregister a region: unpin (dirtying when writable), give pinned_vm back", fields: deregMrFields, releases: "region" },
  dma_write: { summary: "the HCA writes data at an offset of a region", fields: dmaWriteFields, result: "bytes written" },
  dma_read: { summary: "the HCA reads length bytes at an offset of a region", fields: dmaReadFields, result: "exactly length bytes, as a string (NULs included)" },
} satisfies DeviceActionSpecs;

/** The markdown description of `rdma-mr` (docs, `pinlab list`). */
export const RDMA_MR_DESCRIPTION = `
An RDMA memory region registered the way \`ib_umem_get()\` does it (drivers/infiniband/core/umem.c,
Linux v6.12):

1. \`ib_check_mr_access()\`: remote write or atomic without local write is \`EINVAL\`.
2. Zero pages or a range that wraps (its page-aligned end past ULONG_MAX) is \`EINVAL\`;
   \`can_do_mlock()\` failing is \`EPERM\`. A range past TASK_SIZE is not refused here: the pin
   answers \`EFAULT\` (step 4).
3. The pages are charged to \`mm->pinned_vm\` **before** pinning; past RLIMIT_MEMLOCK without
   CAP_IPC_LOCK the charge is backed out and the call fails with \`ENOMEM\`.
4. The range is pinned with \`pin_user_pages_fast(FOLL_LONGTERM | FOLL_WRITE if writable)\` in chunks
   of 512 pages (one page of \`struct page *\`), each chunk appended to a scatter list. Any failure
   unpins everything pinned so far and gives the pinned_vm charge back.

The frames stay pinned until \`dereg_mr\` (\`ib_umem_release()\`), which unpins each scatter-list
entry with \`unpin_user_page_range_dirty_lock()\`, dirtying the pages when the region was writable,
and reduces pinned_vm. Between the two, \`dma_write\` / \`dma_read\` reach the pinned frames at any
time, whatever the process did to its mappings meanwhile: that is what the hazard oracle watches.

Under a policy with file pins, \`vaddr-pin\` (Ira Weiny's 2019 RFC, patches 15-16/19), the region pins through
\`vaddr_pin_pages()\` with the uverbs context file as owner, and releases through
\`vaddr_unpin_pages_dirty_lock()\`.
`.trim();
