/**
 * What the layers above the machine model (GUP, the oracle, the invariant checker, the DMA
 * engine) need of a kernel instance: the top of the bottom-up contexts (mm/context.ts ->
 * fs/context.ts -> migrate/context.ts -> here), with the concrete notifiers and the whole pin
 * policy. The `Kernel` class implements it; modules depend on this interface, not on the class.
 * @module
 */
import type { KernelConfig } from "../config/kernel-config.js";
import { createToken } from "../di/tokens.js";
import type { Inode } from "../fs/inode.js";
import type { MigrateContext } from "../migrate/context.js";
import type { ObserverCall } from "../mm/context.js";
import type { Process } from "../mm/process.js";
import type { MmuNotifiers } from "../notifier/mmu-notifiers.js";
import type { PinPolicy } from "../policy/pin-policy.js";
import type { VirtualClock } from "../sim/clock.js";
import type { Rng } from "../sim/rng.js";
import type { KernelObserver } from "./hooks.js";
import type { ObserverList } from "./observer-list.js";

/** What GUP, the oracle, the invariant checker and the DMA engine need of a kernel instance. */
export interface KernelContext extends MigrateContext {
  /** The validated config. */
  readonly config: KernelConfig;
  /** The virtual clock. */
  readonly clock: VirtualClock;
  /** The seeded random source. */
  readonly rng: Rng;
  /** The MMU interval notifiers. */
  readonly notifiers: MmuNotifiers;
  /** The active pin-accounting policy. */
  readonly policy: PinPolicy;
  /** Processes by pid (dead ones stay, with `alive = false`). */
  readonly processes: ReadonlyMap<number, Process>;
  /** Observers (the hazard oracle, the bench's ledger, tests), with one list per hook. */
  readonly observers: ObserverList<KernelObserver>;
  /** Tell every observer something. */
  observe(...call: ObserverCall<KernelObserver>): void;
  /** The process named `name`; throws ENOENT if there is none. */
  process(name: string): Process;
  /** The file named `name`; throws ENOENT if there is none. */
  file(name: string): Inode;
}

/** The token of the kernel instance itself. */
export const KERNEL = createToken<KernelContext>("KERNEL");
