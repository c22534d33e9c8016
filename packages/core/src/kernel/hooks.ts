/**
 * The observation points of a kernel instance, gathered: what the mm, fs and migration tell
 * observers (declared where they happen: `MmObserver`, `FsObserver`, `MigrateObserver`) and
 * what GUP tells them.
 * @module
 */
import type { HolderRef } from "../events/event-types.js";
import type { MigrateObserver } from "../migrate/context.js";

/**
 * Observation points the kernel calls at the moments that matter to the hazard oracle.
 * Observers watch; they never change what the kernel does. Every method is optional.
 */
export interface KernelObserver extends MigrateObserver {
  /** GUP took references on frames for a holder (one call per GUP call). `pfns` is valid during the call only. */
  onGrab?(holder: HolderRef | undefined, pfns: ArrayLike<number>, info: GrabInfo): void;
  /** GUP references were released (one call per release call). `pfns` is valid during the call only. */
  onRelease?(holder: HolderRef | undefined, pfns: ArrayLike<number>): void;
  /** A long-term pin was refused or migrated out of MOVABLE/CMA for a holder. */
  onLongtermMigration?(holder: HolderRef | undefined, migrated: number, refusedErrno: number): void;
}

/** Context of a grab, for observers. */
export interface GrabInfo {
  /** The process whose pages were grabbed. */
  readonly pid: number;
  /** First virtual address. */
  readonly start: number;
  /** FOLL_* flags of the call (after the wrapper added its own). */
  readonly flags: number;
  /** `get` or `pin`, as the policy counted it. */
  readonly mode: "get" | "pin";
}

/**
 * The name of every hook of {@link KernelObserver} (the mm's, fs's, migration's and GUP's): the
 * per-hook lists of `Kernel.observers`. A hook missing here fails the typecheck below.
 */
export const KERNEL_OBSERVER_HOOKS = [
  "onCow", "onForkCopy", "onUserWrite", "onMremap", "onClean", "onPinnedWriteback", "onOrphan", "onFree", "onMigrate",
  "onGrab", "onRelease", "onLongtermMigration",
] as const satisfies readonly (keyof KernelObserver)[];

/** Every hook of {@link KernelObserver} is in {@link KERNEL_OBSERVER_HOOKS} (this is `never` when one is not). */
type MissingHook = Exclude<keyof KernelObserver, (typeof KERNEL_OBSERVER_HOOKS)[number]>;
const everyHookListed: [MissingHook] extends [never] ? true : MissingHook = true;
void everyHookListed;
