import type { HolderRef } from "../events/event-types.js";
import type { Inode } from "../fs/inode.js";
import type { MmStruct } from "../mm/mm-struct.js";

/**
 * Observation points the mm calls at the moments that matter to the hazard oracle. Observers
 * watch; they never change what the mm does. Every method is optional.
 */
export interface KernelObserver {
  /** A private page was replaced in `mm` at `vpn` (COW or unshare): the old frame stays with whoever else holds it. */
  onCow?(mm: MmStruct, vpn: number, oldPfn: number, newPfn: number, reason: "write" | "unshare"): void;
  /** fork copied a maybe-pinned exclusive anon page for the child instead of sharing it. */
  onForkCopy?(parent: MmStruct, vpn: number, pfn: number): void;
  /** Writeback cleaned a file page for IO; `flagged` = the policy said it may be DMA-pinned. */
  onClean?(inode: Inode, index: number, pfn: number, flagged: boolean): void;
  /** Writeback kept a maybe-pinned page dirty (`wait`) or wrote a bounce copy (`bounce`). */
  onPinnedWriteback?(inode: Inode, index: number, pfn: number, action: "wait" | "bounce"): void;
  /** A page or block left its file (truncate, hole punch) while still referenced. */
  onOrphan?(inode: Inode, index: number, pfn: number): void;
  /** A frame's contents moved to a new frame (migration). */
  onMigrate?(oldPfn: number, newPfn: number): void;
  /** A frame was freed, or an FS-DAX block went back to the filesystem's free space. */
  onFree?(pfn: number, nr: number): void;
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
