import { inject, injectable } from "tsyringe";
import { EVENTS } from "../events/event-bus.js";
import { EINVAL, KernelError } from "../errno.js";
import type { EventBus } from "../events/event-bus.js";
import type { MmuNotifyEvent } from "../events/event-types.js";
import type { MmuNotifierCalls } from "../mm/context.js";
import type { MmStruct } from "../mm/mm-types.js";
import { createToken } from "../di/tokens.js";

/** The range being invalidated (`struct mmu_notifier_range`). */
export interface MmuNotifierRange {
  /** The mm. */
  readonly mm: MmStruct;
  /** First byte. */
  readonly start: number;
  /** One past the last byte. */
  readonly end: number;
  /** Why (`enum mmu_notifier_event`). */
  readonly event: MmuNotifyEvent;
}

/** Callbacks of an interval notifier (`struct mmu_interval_notifier_ops`). */
export interface MmuIntervalNotifierOps {
  /**
   * Called before the mm changes a mapping in the range. The driver must stop using the range
   * (zap its mirror) and call {@link MmuNotifiers.setSeq} with `curSeq`, as drivers call
   * `mmu_interval_set_seq()` under their lock. Return false only when it could not.
   */
  invalidate(sub: MmuIntervalNotifier, range: MmuNotifierRange, curSeq: number): boolean;
}

/** One interval notifier (`struct mmu_interval_notifier`). */
export class MmuIntervalNotifier {
  /** The sequence number; bumped by every invalidation that hits this interval. */
  invalidateSeq = 0;
  /** Invalidations received. */
  invalidations = 0;
  /** False once removed. */
  live = true;

  /** Describe an interval; use {@link MmuNotifiers.insert} to create one. */
  constructor(
    /** The mm watched. */
    readonly mm: MmStruct,
    /** First byte. */
    readonly start: number,
    /** One past the last byte. */
    readonly end: number,
    /** Callbacks. */
    readonly ops: MmuIntervalNotifierOps,
    /** Who registered it, for traces. */
    readonly owner: string,
  ) {}
}

/**
 * The interval-notifier API a driver calls (include/linux/mmu_notifier.h, v6.12): what a device
 * plugin sees of the MMU notifiers.
 */
export interface MmuIntervalNotifiers {
  /** `mmu_interval_notifier_insert()` (mm/mmu_notifier.c, v6.12): watch [start, start + length) of `mm`. */
  insert(mm: MmStruct, start: number, length: number, ops: MmuIntervalNotifierOps, owner: string): MmuIntervalNotifier;
  /** `mmu_interval_notifier_remove()` (mm/mmu_notifier.c, v6.12). */
  remove(sub: MmuIntervalNotifier): void;
  /** `mmu_interval_read_begin()` (mm/mmu_notifier.c, v6.12): the sequence before walking the page tables. */
  readBegin(sub: MmuIntervalNotifier): number;
  /** `mmu_interval_read_retry()` (include/linux/mmu_notifier.h, v6.12): true when an invalidation happened since `seq`. */
  readRetry(sub: MmuIntervalNotifier, seq: number): boolean;
  /** `mmu_interval_set_seq()` (include/linux/mmu_notifier.h, v6.12): the driver saw invalidation `curSeq` (from its invalidate callback). */
  setSeq(sub: MmuIntervalNotifier, curSeq: number): void;
}

/**
 * MMU interval notifiers (mm/mmu_notifier.c): drivers that mirror a process's page tables (ODP,
 * HMM) register an interval and are told before any mapping in it changes. The sequence protocol
 * is the kernel's: `readBegin()` before walking the page tables, `readRetry()` under the driver
 * lock before publishing the result; a true retry means an invalidation happened in between.
 */
@injectable()
export class MmuNotifiers implements MmuNotifierCalls, MmuIntervalNotifiers {
  private readonly byMm = new Map<MmStruct, MmuIntervalNotifier[]>();
  /** Invalidations started, by reason, whether or not any interval was registered. */
  readonly counts: Record<MmuNotifyEvent, number> = {
    unmap: 0, clear: 0, protection_vma: 0, protection_page: 0, soft_dirty: 0, release: 0, migrate: 0, exclusive: 0,
  };

  /** Build the notifier registry of one kernel instance. */
  constructor(@inject(EVENTS) private readonly events: EventBus) {}

  /**
   * Register an interval over [start, start + length) of `mm` (`mmu_interval_notifier_insert`,
   * mm/mmu_notifier.c, v6.12). Throws a `KernelError` (EINVAL; the kernel says EOVERFLOW) for an empty, negative or
   * non-integer range.
   */
  insert(mm: MmStruct, start: number, length: number, ops: MmuIntervalNotifierOps, owner: string): MmuIntervalNotifier {
    // mmu_interval_notifier_insert(): length == 0 or start + length - 1 overflowing is refused.
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < 0 || length <= 0 || !Number.isSafeInteger(start + length)) {
      throw new KernelError(EINVAL, `${owner}: an MMU interval notifier needs a non-empty range of whole bytes, got start ${start}, length ${length}`);
    }
    const sub = new MmuIntervalNotifier(mm, start, start + length, ops, owner);
    const list = this.byMm.get(mm) ?? [];
    list.push(sub);
    this.byMm.set(mm, list);
    return sub;
  }

  /** Unregister (`mmu_interval_notifier_remove`, mm/mmu_notifier.c, v6.12). */
  remove(sub: MmuIntervalNotifier): void {
    sub.live = false;
    const list = this.byMm.get(sub.mm);
    if (list === undefined) return;
    const i = list.indexOf(sub);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byMm.delete(sub.mm);
  }

  /**
   * Drop every interval still registered on `mm` (`mmu_notifier_subscriptions_destroy()`,
   * include/linux/mmu_notifier.h, v6.12): the mm is gone.
   */
  subscriptionsDestroy(mm: MmStruct): void {
    for (const sub of [...this.intervals(mm)]) this.remove(sub);
  }

  /** Intervals registered on `mm`. */
  intervals(mm: MmStruct): readonly MmuIntervalNotifier[] {
    return this.byMm.get(mm) ?? [];
  }

  /** Begin a read-side critical section (`mmu_interval_read_begin`, mm/mmu_notifier.c, v6.12): the current sequence. */
  readBegin(sub: MmuIntervalNotifier): number {
    return sub.invalidateSeq;
  }

  /** True when an invalidation happened since `seq` was read (`mmu_interval_read_retry`, include/linux/mmu_notifier.h, v6.12). */
  readRetry(sub: MmuIntervalNotifier, seq: number): boolean {
    return sub.invalidateSeq !== seq;
  }

  /** Record that the driver saw invalidation `curSeq` (`mmu_interval_set_seq`, include/linux/mmu_notifier.h, v6.12). */
  setSeq(sub: MmuIntervalNotifier, curSeq: number): void {
    sub.invalidateSeq = curSeq;
  }

  /**
   * Invalidate [start, end) of `mm` (`mmu_notifier_invalidate_range_start` + `_end`, mm/mmu_notifier.c, v6.12): call every
   * overlapping interval, then emit one `invalidate` event. Returns how many intervals were told.
   */
  invalidateRange(mm: MmStruct, start: number, end: number, event: MmuNotifyEvent): number {
    this.counts[event]++;
    const list = this.byMm.get(mm);
    let notified = 0;
    if (list !== undefined) {
      for (const sub of [...list]) {
        if (!sub.live || sub.end <= start || sub.start >= end) continue;
        const cur = sub.invalidateSeq + 1;
        sub.invalidations++;
        sub.ops.invalidate(sub, { mm, start, end, event }, cur);
        // Even if the driver did not call setSeq, readers must see a new sequence.
        if (sub.invalidateSeq < cur) sub.invalidateSeq = cur;
        notified++;
      }
    }
    if (notified > 0 || event === "release") this.events.emit("invalidate", { pid: mm.pid, start, end, event, notified });
    return notified;
  }
}

/** The token of a kernel instance's MMU interval notifiers. */
export const NOTIFIERS = createToken<MmuNotifiers>("NOTIFIERS");
