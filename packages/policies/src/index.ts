/**
 * pinlab pin-accounting policies. Each policy is one descriptor made with `definePinPolicy`, in
 * a folder of its own; this file is the explicit registry: {@link policies} maps each id to its
 * descriptor and {@link register} contributes them all to a container. Importing this module
 * registers nothing by itself.
 *
 * | id | follows | counting |
 * | --- | --- | --- |
 * | `legacy-get` | Linux ~v5.3 (2019) | every grab a plain reference; `maybeDmaPinned` always false |
 * | `pin-bias` | Linux v6.12 | small folio +1024 per pin, large folio exact `_pincount` |
 * | `vaddr-pin` | Ira Weiny's 2019 RFC on v6.12 | as `pin-bias`, plus file pins and layout leases for FS-DAX |
 * | `exact-pincount` | v6.12 rules, pinlab extension | an exact counter per frame, 4 bytes each |
 * @packageDocumentation
 */
import { registerPinPolicy, type PinPolicyDescriptor } from "@pinlab/core";
import type { DependencyContainer } from "tsyringe";
import { exactPincount } from "./exact-pincount/descriptor.js";
import { legacyGet } from "./legacy-get/descriptor.js";
import { pinBias } from "./pin-bias/descriptor.js";
import { vaddrPin } from "./vaddr-pin/descriptor.js";

export { exactPincount } from "./exact-pincount/descriptor.js";
export { ExactPincountOptionsSchema, type ExactPincountOptions } from "./exact-pincount/options.js";
export { legacyGet } from "./legacy-get/descriptor.js";
export { LegacyGetOptionsSchema, type LegacyGetOptions } from "./legacy-get/options.js";
export { pinBias } from "./pin-bias/descriptor.js";
export { GUP_PIN_COUNTING_BIAS } from "./pin-bias/bias-counting.js";
export { PinBiasOptionsSchema, type PinBiasOptions } from "./pin-bias/options.js";
export { vaddrPin } from "./vaddr-pin/descriptor.js";
export { VaddrPinOptionsSchema, type VaddrPinOptions } from "./vaddr-pin/options.js";

/** The package name every descriptor is registered under (named in duplicate-id errors). */
export const POLICIES_PACKAGE = "@pinlab/policies";

/** The policy descriptors this package provides, by id. */
export const policies = {
  "legacy-get": legacyGet,
  "pin-bias": pinBias,
  "vaddr-pin": vaddrPin,
  "exact-pincount": exactPincount,
} satisfies Record<string, PinPolicyDescriptor>;

/** A policy id of this package. */
export type PolicyId = keyof typeof policies;

/** Contribute every policy of this package to `container` under the PIN_POLICY extension point. */
export function register(container: DependencyContainer): void {
  for (const descriptor of Object.values(policies)) registerPinPolicy(container, descriptor, POLICIES_PACKAGE);
}
