/**
 * pinlab device plugins: `rdma-mr`, `odp-mirror`, `direct-io` and `hmm-dmirror`. Each device is one descriptor
 * made with `defineDevice`; {@link register} contributes them all to a container. Nothing is
 * registered as a side effect of importing this package.
 * @packageDocumentation
 */
import { registerDevice, type DeviceDescriptor } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import { directIo } from "./direct-io/direct-io.js";
import { hmmDmirror } from "./hmm-dmirror/hmm-dmirror.js";
import { odpMirror } from "./odp-mirror/odp-mirror.js";
import { rdmaMr } from "./rdma-mr/rdma-mr.js";

export { directIo } from "./direct-io/direct-io.js";
export { hmmDmirror } from "./hmm-dmirror/hmm-dmirror.js";
export { odpMirror } from "./odp-mirror/odp-mirror.js";
export { rdmaMr } from "./rdma-mr/rdma-mr.js";

/** The device descriptors this package provides, by kind. */
export const devices = {
  "rdma-mr": rdmaMr,
  "odp-mirror": odpMirror,
  "direct-io": directIo,
  "hmm-dmirror": hmmDmirror,
} satisfies Record<string, DeviceDescriptor>;

/** Contribute every device of this package to `container` under the DEVICE_PLUGIN extension point. */
export function register(container: DependencyContainer): void {
  for (const d of Object.values(devices)) registerDevice(container, d, "@pinlab/devices");
}
