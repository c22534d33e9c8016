/**
 * The typed DI tokens of pinlab (tsyringe). One token per service; constructors name their
 * dependencies with `@inject(TOKEN)` explicitly and never rely on emitted type metadata.
 *
 * Two tokens are extension points, filled by plugin packages and read with `resolveAll`:
 * {@link PIN_POLICY} (policy descriptors) and {@link DEVICE_PLUGIN} (device descriptors).
 * @module
 */
import type { DependencyContainer, InjectionToken } from "tsyringe";
import type { KernelConfig } from "../kernel/config.js";
import type { VirtualClock } from "../sim/clock.js";
import type { Rng } from "../sim/rng.js";
import type { EventBus } from "../events/event-bus.js";
import type { PhysicalMemory } from "../memory/physical-memory.js";
import type { MmuNotifiers } from "../notifier/mmu-notifiers.js";
import type { PinPolicy, PinPolicyDescriptor } from "../policy/pin-policy.js";
import type { DeviceDescriptor } from "../device/device-plugin.js";
import type { Gup } from "../gup/gup.js";
import type { Oracle } from "../oracle/oracle.js";
import type { DmaEngine } from "../device/dma-engine.js";
import type { Kernel } from "../kernel/kernel.js";

/** A typed injection token: a unique symbol that remembers the type it resolves to. */
export type Token<T> = symbol & { readonly __pinlabToken?: T };

function token<T>(name: string): Token<T> {
  return Symbol.for(`pinlab.${name}`) as Token<T>;
}

/** The validated kernel config of this instance. */
export const CONFIG = token<KernelConfig>("CONFIG");
/** The virtual clock. */
export const CLOCK = token<VirtualClock>("CLOCK");
/** The seeded random source. */
export const RNG = token<Rng>("RNG");
/** The event bus. */
export const EVENTS = token<EventBus>("EVENTS");
/** Physical memory: frame table, zones, allocators, page contents. */
export const MEMORY = token<PhysicalMemory>("MEMORY");
/** MMU interval notifiers. */
export const NOTIFIERS = token<MmuNotifiers>("NOTIFIERS");
/** The GUP API (get_user_pages / pin_user_pages and friends). */
export const GUP = token<Gup>("GUP");
/** The hazard oracle. */
export const ORACLE = token<Oracle>("ORACLE");
/** The DMA engine devices use to touch frames. */
export const DMA = token<DmaEngine>("DMA");
/** The kernel instance itself. */
export const KERNEL = token<Kernel>("KERNEL");
/** The active pin-accounting policy of a kernel instance. */
export const ACTIVE_POLICY = token<PinPolicy>("ACTIVE_POLICY");
/** Extension point: every registered pin-policy descriptor (`resolveAll`). */
export const PIN_POLICY = token<PinPolicyDescriptor>("PIN_POLICY");
/** Extension point: every registered device-plugin descriptor (`resolveAll`). */
export const DEVICE_PLUGIN = token<DeviceDescriptor>("DEVICE_PLUGIN");

/** Resolve a typed token from a container. */
export function resolve<T>(container: DependencyContainer, tok: Token<T>): T {
  return container.resolve<T>(tok as InjectionToken<T>);
}

/** Resolve every registration of a typed token (an extension point); empty when none. */
export function resolveAll<T>(container: DependencyContainer, tok: Token<T>): T[] {
  return container.isRegistered(tok as InjectionToken<T>, true) ? container.resolveAll<T>(tok as InjectionToken<T>) : [];
}
