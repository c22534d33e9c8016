/**
 * The `rdma-mr` device plugin descriptor.
 * @module
 */
import { defineDevice } from "@pinlab/core";
import { RdmaMrDevice, RDMA_MR_KIND } from "./rdma-mr-device.js";
import { RDMA_MR_DESCRIPTION, rdmaMrActions, rdmaMrOptions } from "./rdma-mr-meta.js";

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
    actions: rdmaMrActions,
  },
  create: (ctx) => new RdmaMrDevice(ctx),
});
