/**
 * The `rdma-mr` device plugin descriptor.
 * @module
 */
import { defineDevice } from "@pinlab/core";
import { RdmaMrDevice, RDMA_MR_KIND } from "./rdma-mr-device.js";
import { RDMA_MR_DESCRIPTION, deregMrFields, dmaReadFields, dmaWriteFields, rdmaMrOptions, regMrFields } from "./rdma-mr-meta.js";

/**
 * `rdma-mr`: an RDMA HCA whose memory regions are pinned long-term by `ib_umem_get()` and released
 * by `ib_umem_release()` (drivers/infiniband/core/umem.c, Linux v6.12).
 */
export const rdmaMr = defineDevice({
  meta: {
    id: RDMA_MR_KIND,
    summary: "RDMA memory registration: long-term FOLL_PIN of a user range until deregistration",
    driver: "ib_uverbs + ib_umem (drivers/infiniband/core/umem.c, uverbs_cmd.c; Linux v6.12)",
    description: RDMA_MR_DESCRIPTION,
    options: rdmaMrOptions,
    actions: {
      reg_mr: { summary: "register [addr, addr + length) of proc: charge pinned_vm, pin long-term", fields: regMrFields, result: "the region name" },
      dereg_mr: { summary: "deregister a region: unpin (dirtying when writable), give pinned_vm back", fields: deregMrFields },
      dma_write: { summary: "the HCA writes data at an offset of a region", fields: dmaWriteFields, result: "bytes written" },
      dma_read: { summary: "the HCA reads length bytes at an offset of a region", fields: dmaReadFields, result: "the bytes, as a string" },
    },
  },
  create: (ctx) => new RdmaMrDevice(ctx),
});
