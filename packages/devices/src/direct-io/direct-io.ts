/**
 * The `direct-io` device plugin descriptor.
 * @module
 */
import { defineDevice } from "@pinlab/core";
import { DirectIoDevice, DIRECT_IO_KIND } from "./direct-io-device.js";
import { DIRECT_IO_DESCRIPTION, directIoActions, directIoOptions } from "./direct-io-meta.js";

/**
 * `direct-io`: O_DIRECT reads and writes that pin the user buffer for one IO and complete later
 * on the clock (iomap direct IO, bio page release; Linux v6.12).
 */
export const directIo = defineDevice({
  meta: {
    id: DIRECT_IO_KIND,
    summary: "O_DIRECT IO: FOLL_PIN of the user buffer for one IO, completing after the device latency",
    driver: "iomap direct IO + bio (fs/iomap/direct-io.c, block/bio.c, lib/iov_iter.c; Linux v6.12)",
    description: DIRECT_IO_DESCRIPTION,
    options: directIoOptions,
    actions: directIoActions,
  },
  create: (ctx) => new DirectIoDevice(ctx),
});
