/**
 * The typed events every part of pinlab emits on one bus. The bench, the CLI's `--trace`, the
 * playground and the tests all read this same stream. Bulk operations emit one event per call.
 * @module
 */

/** Why an MMU notifier invalidation happened (`enum mmu_notifier_event`, include/linux/mmu_notifier.h). */
export type MmuNotifyEvent = "unmap" | "clear" | "protection_vma" | "protection_page" | "soft_dirty" | "release" | "migrate" | "exclusive";

import type { FaultPoint } from "../sim/fault-spec.js";

/** Hazard classes the oracle records. */
export type HazardClass = "dma_after_clean" | "dma_to_truncated" | "cow_divergence" | "dma_to_freed" | "longterm_in_movable" | "cow_leak";

/**
 * How a hazard ended: `prevented` (refused or handled), `detected` (it happened, but the policy's
 * `maybeDmaPinned` said the frame was pinned at that moment, so the fs/mm could have acted), or
 * `undetected` (silent). Guide 1 has the rule per class.
 */
export type HazardOutcome = "prevented" | "detected" | "undetected";

/** Who holds a GUP reference: a device, a scenario handle, or the kernel itself. */
export interface HolderRef {
  /** `device` for device plugins, `handle` for scenario `gup` results, `kernel` for internal users. */
  readonly kind: "device" | "handle" | "kernel";
  /** The device or handle name. */
  readonly name: string;
}

/** Payload of each event type, keyed by the event's `type`. */
export interface KernelEventPayloads {
  /** The kernel instance was built. */
  boot: { frames: number; zones: Record<string, number>; policy: string; seed: number };
  /** A process was created. */
  process: { pid: number; name: string; parent?: number };
  /** mmap created a VMA. */
  mmap: { pid: number; start: number; end: number; prot: string; flags: string[]; file?: string; pgoff?: number };
  /** munmap removed a range (pages = pages that were mapped). */
  munmap: { pid: number; start: number; end: number; pages: number };
  /**
   * (2.0) mremap resized or moved a mapping: how (`same`, `shrink`, `expand`, `move`), and for a
   * move the pages, swap entries and PMD leaves whose entries moved and the THP leaves split first.
   */
  mremap: {
    pid: number; start: number; oldLength: number; newStart: number; newLength: number; how: string;
    pages?: number; swapEntries?: number; pmdLeaves?: number; split?: number;
  };
  /** mprotect changed a range's protection. */
  mprotect: { pid: number; start: number; end: number; prot: string; writeProtected: number };
  /** madvise on a range. */
  madvise: { pid: number; start: number; end: number; advice: string; pages: number };
  /** A request to split the large folios of a range (ext, debugfs split_huge_pages): found, split. */
  split_huge_pages: { pid: number; start: number; end: number; order: number; total: number; split: number };
  /** A khugepaged pass (ext): aligned 2 MiB ranges scanned, THPs made by collapse. */
  khugepaged: { scanned: number; collapsed: number };
  /** One or more page faults from one call (touch, user access, GUP fault-in), counted by kind. */
  fault: { pid: number; start: number; pages: number; write: boolean; source: string; counts: Record<string, number>; errno?: string };
  /** A private page was copied on write (or unshared) while a holder still held the old frame. */
  cow: { pid: number; addr: number; oldPfn: number; newPfn: number; reason: "write" | "unshare" };
  /** fork duplicated an mm. */
  fork: { parent: number; child: number; vmas: number; sharedPages: number; copiedForDma: number };
  /** A process exited. */
  exit: { pid: number; pages: number };
  /** User-space read or write of bytes. */
  access: { pid: number; addr: number; length: number; write: boolean };
  /**
   * A GUP call (get_user_pages*, pin_user_pages*, vaddr_pin_pages*): one event per call. A call
   * refused before it walked says why in `reason` (which rule of `is_valid_gup_args()` it broke):
   * text for traces, left out of the `eventsHash`, so rewording it changes no behaviour proof.
   */
  gup: {
    call: string; pid: number; start: number; nrPages: number; flags: readonly string[]; mode: "get" | "pin";
    got: number; errno?: string | undefined; fastPages: number; slowPages: number; migrated: number; holder?: string | undefined;
    reason?: string;
  };
  /** A release of GUP references (put_page, unpin_user_page*): one event per call. */
  release: { call: string; pages: number; dirty: boolean; mode: "get" | "pin"; holder?: string | undefined };
  /** A caller released with the wrong call or released what it did not hold. */
  misuse: { call: string; pfn: number; message: string; holder?: string };
  /** Writeback submitted pages of a file. */
  writeback: { file: string; pages: number; flaggedPinned: number; deferred: number; bounced: number; async: boolean };
  /** Writeback IO completed; `errors` (only when some did) = pages whose IO ended with EIO. */
  writeback_end: { file: string; pages: number; errors?: number };
  /** The filesystem met a page it cannot write (e.g. ext4's "does not have buffers attached"). */
  fs_warn: { file: string; index: number; message: string };
  /** A file's size changed or a hole was punched. */
  truncate: { file: string; op: "ftruncate" | "punch_hole"; start: number; end: number; pages: number; orphaned: number; errno?: string };
  /** A layout lease was taken, released or broken. */
  lease: { file: string; pid: number; op: string; errno?: string };
  /** Pages were migrated (migrate, compaction, CMA, longterm-pin migration). */
  migrate: { reason: string; migrated: number; failed: number; zone?: string };
  /** Reclaim scanned file pages (and, with swap, anonymous ones: `swapped` pages went to swap). */
  reclaim: { file?: string; reclaimed: number; activated: number; buffersStripped: number; failed: number; swapped?: number };
  /** A contiguous CMA allocation. */
  cma_alloc: { pages: number; ok: boolean; migrated: number; errno?: string };
  /** An MMU notifier invalidation (one per range, counting the interval notifiers it reached). */
  invalidate: { pid: number; start: number; end: number; event: MmuNotifyEvent; notified: number };
  /** A device (or handle peek) accessed memory by DMA. */
  dma: { device: string; op: "read" | "write"; pfns: number; length: number };
  /** The oracle recorded a hazard. */
  hazard: { class: HazardClass; outcome: HazardOutcome; device: string; pfn: number; step?: number; detail: string };
  /** A device-specific event (registration, fault, invalidation...). */
  device: { device: string; kind: string; action: string; detail: Record<string, unknown> };
  /**
   * Fault injection made call number `call` (1-based, counting every call of the point) of
   * `point` fail; what failed follows in the trace (a fault's ENOMEM, a migration's failure, a
   * writeback_end with errors, a device's EIO).
   */
  fault_inject: { point: FaultPoint; call: number };
  /** A scenario step began. */
  step: { index: number; op: string };
}

/** The name of an event type. */
export type KernelEventType = keyof KernelEventPayloads;

/** An event as delivered: its type, payload, virtual time `t` (ns) and sequence number. */
export type KernelEvent<K extends KernelEventType = KernelEventType> = {
  [T in K]: { readonly type: T; readonly seq: number; readonly t: number } & Readonly<KernelEventPayloads[T]>;
}[K];
