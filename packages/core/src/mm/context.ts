/**
 * What the mm code needs of the kernel, declared here, below everything that provides it. The
 * contexts are built bottom-up: fs/context.ts, migrate/context.ts and kernel/context.ts each
 * extend the one below with what their layer needs, and the `Kernel` class implements them all.
 * The mm reaches the pin policy, the MMU notifiers and the files behind mappings only through
 * the interfaces declared here, the way the kernel's mm reaches a filesystem through
 * `vm_operations_struct`.
 * @module
 */
import type { DevPagemaps } from "./memremap.js";
import type { ThpSettings } from "../config/thp-config.js";
import type { EraRules } from "../era/era-rules.js";
import type { EventBus } from "../events/event-bus.js";
import type { MmuNotifyEvent } from "../events/event-types.js";
import type { FrameTable } from "../memory/frame-table.js";
import type { PhysicalMemory } from "../memory/physical-memory.js";
import type { AnonVma, MappedFile, MmStruct, Vma } from "./mm-types.js";
import type { Process } from "./process.js";
import type { SwapInfo } from "./swapfile.js";
import type { VmStat } from "./vmstat.js";
import type { Preemption } from "../sim/preemption.js";

/** One call of an observer hook of `O`: the hook's name, then its arguments. */
export type ObserverCall<O> = { [K in keyof O]-?: NonNullable<O[K]> extends (...args: infer A) => void ? [hook: K, ...args: A] : never }[keyof O];

/**
 * What the mm tells observers (the hazard oracle): the moments a DMA holder and a process can
 * part ways. Observers watch; they never change what the mm does. Every method is optional.
 */
export interface MmObserver {
  /**
   * A private page was replaced in `mm` at `vpn` (COW or unshare): the old frame stays with whoever
   * else holds it. (2.0) `nr` > 1: the `nr` pages from there at once, a 1 GiB hugetlb folio copied
   * whole (PUD level: one call, never one per subpage); absent = 1.
   */
  onCow?(mm: MmStruct, vpn: number, oldPfn: number, newPfn: number, reason: "write" | "unshare", nr?: number): void;
  /** fork copied a maybe-pinned exclusive anon page for the child instead of sharing it ((2.0) `nr` pages from `vpn` at once, as {@link onCow}). */
  onForkCopy?(parent: MmStruct, vpn: number, pfn: number, nr?: number): void;
  /**
   * (2.0) Process `mm` wrote into frame `pfn` (`copy_to_user()` from its own code, or a forced
   * write through `/proc/PID/mem`): whoever else holds the frame now sees that data.
   */
  onUserWrite?(mm: MmStruct, pfn: number): void;
  /** mremap moved the page-table entries of [oldStart, oldStart + length) of `mm` to `newStart` (`move_page_tables()`): the same frames, at new addresses. */
  onMremap?(mm: MmStruct, oldStart: number, newStart: number, length: number): void;
}

/** What the mm asks the pin policy (the rest of `PinPolicy` is for the layers above). */
export interface MmPolicy {
  /** `folio_needs_cow_for_dma()` (include/linux/mm.h, v6.12): must fork give the child a copy of this exclusive anon folio now? */
  forkMustCopy(mm: MmStruct, head: number): boolean;
  /**
   * `folio_maybe_dma_pinned()` (include/linux/mm.h, v6.12): may this frame be DMA-pinned? Asked
   * by reclaim before it swaps an anonymous folio out and by `try_to_unmap_one()` before it
   * makes a PTE a swap entry (`folio_try_share_anon_rmap_pte()`), as well as by writeback,
   * migration and file reclaim above.
   */
  maybeDmaPinned(pfn: number): boolean;
  /**
   * Process `pid` exited (`do_exit` -> `exit_files`): its files close, and with them the leases it
   * held (`locks_remove_file`), except where something else still holds the file open (the RFC's
   * file pins take a file reference). Optional: policies without leases need nothing.
   */
  onExit?(pid: number): void;
}

/** The MMU-notifier calls the mm makes (include/linux/mmu_notifier.h, v6.12); notifier/ implements them. */
export interface MmuNotifierCalls {
  /**
   * `mmu_notifier_invalidate_range_start()` + `_end()` (include/linux/mmu_notifier.h, v6.12): tell every interval notifier over
   * [start, end) of `mm` that its mapping is about to change, and why. Returns how many were told.
   */
  invalidateRange(mm: MmStruct, start: number, end: number, event: MmuNotifyEvent): number;
  /** `mmu_notifier_subscriptions_destroy()` (include/linux/mmu_notifier.h, v6.12): the mm is gone; drop every interval notifier still registered on it. */
  subscriptionsDestroy(mm: MmStruct): void;
}

/** What the mm code (faults, mmap, fork, rmap, the page cache) needs of the kernel. */
export interface MmContext {
  /** Physical memory. */
  readonly memory: PhysicalMemory;
  /** The frame table (`memory.frames`). */
  readonly frames: FrameTable;
  /** The event bus. */
  readonly events: EventBus;
  /** Kernel counters. */
  readonly vmstat: VmStat;
  /** The MMU notifiers. */
  readonly notifiers: MmuNotifierCalls;
  /** The swap device (`machine.swap`), or null when the machine has none (a kernel without swap: anonymous memory stays). */
  readonly swap: SwapInfo | null;
  /** The pin policy, for the questions the mm asks it. */
  readonly policy: MmPolicy;
  /** (2.0) The rules of the kernel era the machine runs (COW reuse, fork, unsharing...). */
  readonly era: EraRules;
  /** anon_vmas by id (for the rmap walk). */
  readonly anonVmas: ReadonlyMap<number, AnonVma>;
  /** Files by inode id (for the rmap walk). */
  readonly inodes: ReadonlyMap<number, MappedFile>;
  /** The machine's THP settings (/sys/kernel/mm/transparent_hugepage). */
  readonly thp: ThpSettings;
  /** ZONE_DEVICE pagemaps (`memremap_pages()`): device-private and device-coherent pages and their drivers' ops. */
  readonly pgmaps: DevPagemaps;
  /** (issue 21) The preemption points: where another thread's steps can run inside an operation. */
  readonly preempt: Preemption;
  /** Tell every observer something. */
  observe(...call: ObserverCall<MmObserver>): void;
  /** A fresh kernel-unique id for inodes, anon_vmas and mms. */
  newId(): number;
  /** Allocate the next pid (for fork). */
  allocPid(): number;
  /** Register a process created by fork. */
  addProcess(proc: Process): void;
  /** The process named `name`, or undefined. */
  findProcess(name: string): Process | undefined;
  /** The anon_vma of `vma`, created on first need (`anon_vma_prepare()`, mm/rmap.c, v6.12). */
  anonVmaPrepare(vma: Vma): AnonVma;
  /** Attach `vma` to its anon_vma and file. */
  linkVma(vma: Vma): void;
  /** Detach `vma` from its anon_vma and file (`unlink_anon_vmas()`, mm/rmap.c; `unlink_file_vma()`, mm/vma.c; v6.12), for a VMA that goes away. */
  unlinkVma(vma: Vma): void;
  /**
   * The internal file behind a shared anonymous mapping (`shmem_zero_setup()`, mm/shmem.c) or an
   * anonymous MAP_HUGETLB one (`hugetlb_file_setup()`, fs/hugetlbfs/inode.c), v6.12: `size`
   * bytes, living as long as its mappings; `hugetlbOrder` is a hugetlbfs file's hstate order
   * (`MAP_HUGE_1GB`: 18), absent for the default 2 MiB.
   */
  internalFileSetup(fs: "shmem" | "hugetlbfs", size: number, hugetlbOrder?: number): MappedFile;
}
