/**
 * What migration, compaction, CMA and reclaim need of the kernel: the fs context, plus process
 * lookup and the migration hook of observers. Built on fs/context.ts and extended by
 * kernel/context.ts.
 * @module
 */
import type { FsContext, FsObserver } from "../fs/context.js";
import type { ObserverCall } from "../mm/context.js";
import type { MmStruct } from "../mm/mm-types.js";

/** What migration tells observers, besides what fs and the mm tell them. */
export interface MigrateObserver extends FsObserver {
  /** A frame's contents moved to a new frame (migration). */
  onMigrate?(oldPfn: number, newPfn: number): void;
}

/** What the migrate code needs of the kernel. */
export interface MigrateContext extends FsContext {
  /** The mm of a live process by pid. */
  mmOf(pid: number): MmStruct | undefined;
  /** Tell every observer something. */
  observe(...call: ObserverCall<MigrateObserver>): void;
}
