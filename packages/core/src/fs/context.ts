/**
 * What the fs code (writeback, truncate, leases) needs of the kernel: the mm's context, plus
 * the kernel config, the clock, the files, and the questions fs asks the pin policy. Built on
 * mm/context.ts and extended by migrate/context.ts and kernel/context.ts.
 * @module
 */
import type { KernelConfig } from "../config/kernel-config.js";
import type { MmContext, MmObserver, MmPolicy, ObserverCall } from "../mm/context.js";
import type { VirtualClock } from "../sim/clock.js";
import type { FaultInjector } from "../sim/fault-injection.js";
import type { Inode } from "./inode.js";

/** What fs tells observers, besides the mm's moments. Every method is optional. */
export interface FsObserver extends MmObserver {
  /** Writeback cleaned a file page for IO; `flagged` = the policy said it may be DMA-pinned. */
  onClean?(inode: Inode, index: number, pfn: number, flagged: boolean): void;
  /** Writeback kept a maybe-pinned page dirty (`wait`) or wrote a bounce copy (`bounce`). */
  onPinnedWriteback?(inode: Inode, index: number, pfn: number, action: "wait" | "bounce"): void;
  /** A page or block left its file (truncate, hole punch) while still referenced. */
  onOrphan?(inode: Inode, index: number, pfn: number): void;
  /** A frame was freed, or an FS-DAX block went back to the filesystem's free space. */
  onFree?(pfn: number, nr: number): void;
}

/** What a truncate or hole punch asks the policy before it unmaps anything. */
export interface TruncateRequest {
  /** The file. */
  readonly inode: Inode;
  /** First page index removed. */
  readonly start: number;
  /** One past the last page index removed. */
  readonly end: number;
  /** The truncating process, when known. */
  readonly pid?: number;
  /** `ftruncate` or `punch_hole`. */
  readonly op: "ftruncate" | "punch_hole";
  /** Frames in the range whose refcount exceeds what the cache and mappings explain (DAX busy pages). */
  readonly busyPfns: readonly number[];
}

/** What fs asks the pin policy, besides the mm's questions. */
export interface FsPolicy extends MmPolicy {
  /** Before truncate / hole punch: break layouts, refuse (ETXTBSY, EDEADLOCK, EBUSY) or allow (0). */
  checkTruncate(req: TruncateRequest): number;
}

/** What the fs code needs of the kernel. */
export interface FsContext extends MmContext {
  /** The kernel config (what writeback does with maybe-pinned pages, its IO latency). */
  readonly config: KernelConfig;
  /** The virtual clock (writeback IO completes on it). */
  readonly clock: VirtualClock;
  /** Fault injection: writeback completion and folio migration ask it whether to fail. */
  readonly faults: FaultInjector;
  /** The pin policy, for the questions the mm and fs ask it. */
  readonly policy: FsPolicy;
  /** Files by inode id. */
  readonly inodes: ReadonlyMap<number, Inode>;
  /** Files by name. */
  readonly files: ReadonlyMap<string, Inode>;
  /** Tell every observer something. */
  observe(...call: ObserverCall<FsObserver>): void;
}
