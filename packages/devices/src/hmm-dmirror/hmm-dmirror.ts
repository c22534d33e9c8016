/**
 * The `hmm-dmirror` device plugin descriptor.
 * @module
 */
import { defineDevice } from "@pinlab/core";
import { HmmDmirrorDevice } from "./hmm-dmirror-device.js";
import { HMM_DMIRROR_DESCRIPTION, HMM_DMIRROR_KIND, hmmDmirrorActions, hmmDmirrorOptions } from "./hmm-dmirror-meta.js";

/**
 * `hmm-dmirror`: the HMM test device of lib/test_hmm.c, which hmm-tests.c drives: a snapshot of
 * the CPU page table as a device sees it through `hmm_range_fault()`.
 */
export const hmmDmirror = defineDevice({
  meta: {
    id: HMM_DMIRROR_KIND,
    summary: "The HMM test mirror (lib/test_hmm.c dmirror): snapshots of the CPU page table through hmm_range_fault",
    driver: "lib/test_hmm.c (dmirror), mm/hmm.c; selftests tools/testing/selftests/mm/hmm-tests.c; Linux v6.12",
    description: HMM_DMIRROR_DESCRIPTION,
    options: hmmDmirrorOptions,
    actions: hmmDmirrorActions,
  },
  create: (ctx) => new HmmDmirrorDevice(ctx),
});
