/**
 * The `odp-mirror` device plugin descriptor.
 * @module
 */
import { defineDevice } from "@pinlab/core";
import { OdpMirrorDevice } from "./odp-mirror-device.js";
import { ODP_MIRROR_DESCRIPTION, odpMirrorActions, odpMirrorOptions } from "./odp-mirror-meta.js";
import { ODP_MIRROR_KIND } from "./umem-odp.js";

/**
 * `odp-mirror`: an on-demand-paging RDMA region (`ib_umem_odp`, mlx5 ODP) or HMM mirror
 * (lib/test_hmm.c): no pin is held; an MMU interval notifier keeps the device's mirror coherent.
 */
export const odpMirror = defineDevice({
  meta: {
    id: ODP_MIRROR_KIND,
    summary: "On-demand paging: a device page table filled by faults and zapped by MMU notifiers, no pin held",
    driver: "ib_umem_odp + mlx5 ODP (drivers/infiniband/core/umem_odp.c, drivers/infiniband/hw/mlx5/odp.c), test_hmm dmirror (lib/test_hmm.c), mm/hmm.c; Linux v6.12",
    description: ODP_MIRROR_DESCRIPTION,
    options: odpMirrorOptions,
    actions: odpMirrorActions,
  },
  create: (ctx) => new OdpMirrorDevice(ctx),
});
