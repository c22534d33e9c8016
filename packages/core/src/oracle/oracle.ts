import { inject, injectable } from "tsyringe";
import { EVENTS } from "../events/event-bus.js";
import { KERNEL } from "../kernel/context.js";
import type { EventBus } from "../events/event-bus.js";
import type { HazardClass, HazardOutcome, HolderRef } from "../events/event-types.js";
import { FOLL_LONGTERM, FOLL_WRITE } from "../gup/foll-flags.js";
import type { Inode } from "../fs/inode.js";
import type { GrabInfo, KernelObserver } from "../kernel/hooks.js";
import type { KernelContext } from "../kernel/context.js";
import { PG_ANON, PG_DEVICE_COHERENT, PG_DIRTY, PG_FILE } from "../memory/page-flags.js";
import { ZoneId } from "../memory/zones.js";
import type { MmStruct } from "../mm/mm-types.js";
import { hex, PAGE_SIZE } from "../sim/units.js";
import { heldIn, type HolderRecord } from "./holder-record.js";
import { HolderIndex } from "./holder-index.js";
import { cowLeakPrevented, cowLeakRead, isForeign, markForeignWrite } from "./cow-leak.js";
import { freedFrameDetail } from "./freed-frame.js";
import { createToken } from "../di/tokens.js";

export type { Hazard, HoldRequest } from "./hazard.js";
import type { Hazard, HoldRequest } from "./hazard.js";

interface CleanMark {
  seq: number;
  flagged: boolean;
}

/**
 * The hazard oracle: ground truth the policies do not have. It knows which holder (device or
 * scenario handle) holds which frame and what that frame was when taken, and it watches the mm
 * (COW, fork copies, writeback cleans, truncates, frees) and every DMA. It records each hazard
 * with its outcome: prevented (refused or handled), detected (the policy flagged it so the
 * fs/mm could act), or undetected (silent corruption). It never changes behaviour.
 */
@injectable()
export class Oracle implements KernelObserver {
  /** Every hazard recorded so far, in order. */
  readonly hazards: Hazard[] = [];
  /** The current scenario step (set from `step` events). */
  step = -1;
  private readonly holders = new HolderIndex();
  private readonly cleaned = new Map<number, CleanMark>();
  private readonly seen = new Set<string>();
  private clock = 0;

  /** Attach to a kernel: observe the mm and follow scenario steps. */
  constructor(@inject(KERNEL) private readonly k: KernelContext, @inject(EVENTS) private readonly events: EventBus) {
    k.observers.push(this);
    events.on("step", (e) => {
      this.step = e.index;
    });
  }

  /** Holders with their current frames (for display). */
  holdings(): ReadonlyMap<string, ReadonlyMap<number, HolderRecord>> {
    return this.holders.holders();
  }

  /** Names of holders that hold `pfn`. */
  holdersOf(pfn: number): string[] {
    return this.holders.atFrame(pfn).map((h) => h.name);
  }

  /** Record frames a holder now uses without GUP references (an ODP mirror filling entries). */
  hold(holder: HolderRef, reqs: readonly HoldRequest[]): void {
    for (const r of reqs) {
      if (r.pfn === this.k.memory.zeroPfn) continue; // never a DMA target anyone could lose
      this.addRecord(holder, r.pfn, r.pid, r.vaddr, r.write, r.longterm === true);
      this.holders.get(holder.name, r.pfn)!.mirrored = true;
    }
  }

  /** Forget frames a holder no longer uses (mirror entries zapped). */
  drop(holder: HolderRef, pfns: ArrayLike<number>): void {
    for (let i = 0; i < pfns.length; i++) {
      const pfn = pfns[i];
      const rec = this.holders.get(holder.name, pfn);
      if (rec !== undefined && --rec.count <= 0) this.holders.remove(holder.name, pfn);
    }
  }

  /**
   * A device (or a handle's `peek`) accesses frame `pfn` by DMA. Checks the frame against what it
   * was when the holder took it, and records any hazard.
   */
  checkDma(holder: HolderRef, pfn: number, write: boolean): void {
    const rec = this.holders.get(holder.name, pfn);
    if (rec === undefined) return;
    const flags = this.k.frames.flags[pfn];
    // 1. The frame was freed (or, for FS-DAX, its block reused; or a mirror missed its invalidation).
    const freed = freedFrameDetail(this.k, rec, pfn, write);
    if (freed !== undefined) {
      this.record("dma_to_freed", "undetected", holder.name, pfn, freed);
      return;
    }
    // 2. The page left its file (truncate / hole punch) while the holder kept it.
    if (rec.inode !== 0) {
      const inode = this.k.inodes.get(rec.inode);
      if (inode === undefined || inode.cache.get(rec.index) !== pfn) {
        this.record("dma_to_truncated", this.flaggedOutcome(pfn), holder.name, pfn, `${write ? "DMA write" : "DMA read"} to page ${rec.index} of "${inode?.name ?? "?"}", which is no longer in the file`);
        return;
      }
    }
    // 3. The process now sees a different frame at that address (COW separated them).
    if (rec.private && rec.pid >= 0 && this.processFrame(rec.pid, rec.vaddr) >= 0 && this.processFrame(rec.pid, rec.vaddr) !== pfn) {
      this.record("cow_divergence", this.flaggedOutcome(pfn), holder.name, pfn, `the device uses frame ${pfn} but process ${rec.pid} now maps frame ${this.processFrame(rec.pid, rec.vaddr)} at ${hex(rec.vaddr)}`);
      return;
    }
    // 4. A read of a private frame another process wrote into after COW (the vmsplice leak).
    if (!write && rec.leakedFrom >= 0) {
      this.record("cow_leak", this.flaggedOutcome(pfn), holder.name, pfn, cowLeakRead(holder.name, pfn, rec));
      return;
    }
    // 5. A write into a file page that writeback cleaned after the holder took it.
    if (write && rec.inode !== 0 && (flags & PG_DIRTY) === 0) {
      const clean = this.cleaned.get(pfn);
      if (clean !== undefined && clean.seq > rec.seq) {
        this.record("dma_after_clean", clean.flagged ? "detected" : "undetected", holder.name, pfn,
          `DMA write into page ${rec.index} after writeback cleaned it${clean.flagged ? " (the policy had flagged it as maybe DMA-pinned)" : ""}; the data will not reach the disk unless the page is dirtied again`);
      }
    }
  }

  /** Count hazards matching a class and outcome (either may be omitted). */
  count(cls?: HazardClass, outcome?: HazardOutcome): number {
    return this.hazards.filter((h) => (cls === undefined || h.class === cls) && (outcome === undefined || h.outcome === outcome)).length;
  }

  // --- KernelObserver -------------------------------------------------------------------------

  /** @inheritDoc */
  onGrab(holder: HolderRef | undefined, pfns: ArrayLike<number>, info: GrabInfo): void {
    if (holder === undefined) return;
    const write = (info.flags & FOLL_WRITE) !== 0;
    const longterm = (info.flags & FOLL_LONGTERM) !== 0;
    for (let i = 0; i < pfns.length; i++) {
      const pfn = pfns[i];
      if (pfn === this.k.memory.zeroPfn) continue;
      this.addRecord(holder, pfn, info.pid, info.start + i * PAGE_SIZE, write, longterm);
      const zone = this.k.memory.zoneOf(pfn);
      if (longterm && (zone === ZoneId.MOVABLE || zone === ZoneId.CMA)) {
        this.record("longterm_in_movable", this.flaggedOutcome(pfn), holder.name, pfn, `a long-term pin holds frame ${pfn} in ${this.k.memory.zoneName(pfn)}: it can no longer be migrated or compacted`);
      } else if (longterm && (this.k.frames.flags[pfn] & PG_DEVICE_COHERENT) !== 0) {
        // folio_is_longterm_pinnable() (include/linux/mm.h, v6.12): "Coherent device memory must always allow eviction."
        this.record("longterm_in_movable", this.flaggedOutcome(pfn), holder.name, pfn, `a long-term pin holds device-coherent frame ${pfn}: the device can no longer evict it`);
      }
    }
  }

  /** @inheritDoc */
  onRelease(holder: HolderRef | undefined, pfns: ArrayLike<number>): void {
    if (holder !== undefined) this.drop(holder, pfns);
  }

  /** @inheritDoc */
  onLongtermMigration(holder: HolderRef | undefined, migrated: number, refusedErrno: number): void {
    if (holder === undefined) return;
    this.record("longterm_in_movable", "prevented", holder.name, -1,
      refusedErrno !== 0 ? "a long-term pin of MOVABLE/CMA memory was refused: migration out failed" : `a long-term pin migrated ${migrated} page(s) out of MOVABLE/CMA before pinning`);
  }

  /** @inheritDoc */
  onCow(mm: MmStruct, vpn: number, oldPfn: number, newPfn: number, _reason?: "write" | "unshare", nr = 1): void {
    if (nr > 1) {
      // A whole 1 GiB folio: one hazard per holder of any of its pages, found through the holder's records.
      for (const [name, recs] of this.holders.holders()) {
        const held = heldIn(recs, mm.pid, vpn, oldPfn, nr);
        if (held === 0) continue;
        this.record("cow_divergence", this.flaggedOutcome(oldPfn), name, oldPfn,
          `process ${mm.pid} copied the ${nr} pages at ${hex(vpn * PAGE_SIZE)} on write to frames from ${newPfn}; ${name} still holds ${held} of frames ${oldPfn}+: device and process now see different memory`);
      }
      return;
    }
    for (const { name, rec } of [...this.holders.atFrame(oldPfn)]) {
      // The writer leaves a frame another process's reference holds (that process no longer maps it): no leak.
      if (isForeign(rec, mm.pid) && this.processFrame(rec.pid, rec.vaddr) !== oldPfn) {
        this.record("cow_leak", "prevented", name, oldPfn, cowLeakPrevented(mm.pid, vpn, oldPfn, name, rec.pid));
      } else if (rec.pid === mm.pid && rec.vaddr === vpn * PAGE_SIZE) {
        this.record("cow_divergence", this.flaggedOutcome(oldPfn), name, oldPfn,
          `process ${mm.pid} copied ${hex(rec.vaddr)} on write to frame ${newPfn}; ${name} still holds frame ${oldPfn}: device and process now see different memory`);
      }
    }
  }

  /** @inheritDoc */
  onUserWrite(mm: MmStruct, pfn: number): void {
    for (const { rec } of this.holders.atFrame(pfn)) markForeignWrite(rec, mm.pid);
  }

  /** @inheritDoc */
  onForkCopy(parent: MmStruct, vpn: number, pfn: number, nr = 1): void {
    if (nr > 1) {
      for (const [name, recs] of this.holders.holders()) {
        const held = heldIn(recs, parent.pid, -1, pfn, nr);
        if (held === 0) continue;
        this.record("cow_divergence", "prevented", name, pfn, `fork gave the child a copy of the ${nr} pages at ${hex(vpn * PAGE_SIZE)}; the parent keeps the ${held} pinned frame(s) from ${pfn}`);
      }
      return;
    }
    for (const { name, rec } of [...this.holders.atFrame(pfn)]) {
      if (rec.pid !== parent.pid) continue;
      this.record("cow_divergence", "prevented", name, pfn, `fork gave the child a copy of ${hex(vpn * PAGE_SIZE)}; the parent keeps the pinned frame ${pfn}`);
    }
  }

  /** @inheritDoc */
  onMremap(mm: MmStruct, oldStart: number, newStart: number, length: number): void {
    // The process now sees each frame a holder took from the moved range at its new address.
    for (const rec of this.holders.records()) {
      if (rec.pid === mm.pid && rec.vaddr >= oldStart && rec.vaddr < oldStart + length) rec.vaddr += newStart - oldStart;
    }
  }

  /** @inheritDoc */
  onClean(_inode: Inode, _index: number, pfn: number, flagged: boolean): void {
    this.cleaned.set(pfn, { seq: ++this.clock, flagged });
  }

  /** @inheritDoc */
  onPinnedWriteback(inode: Inode, index: number, pfn: number, action: "wait" | "bounce"): void {
    for (const name of this.holdersOf(pfn)) {
      this.record("dma_after_clean", "prevented", name, pfn,
        action === "wait" ? `writeback left page ${index} of "${inode.name}" dirty while it is pinned` : `writeback wrote a bounce copy of page ${index} of "${inode.name}" and kept it dirty`);
    }
  }

  /** @inheritDoc */
  onMigrate(oldPfn: number, newPfn: number): void {
    const c = this.cleaned.get(oldPfn);
    if (c !== undefined) {
      this.cleaned.delete(oldPfn);
      this.cleaned.set(newPfn, c);
    }
  }

  /** @inheritDoc */
  onFree(pfn: number): void {
    this.cleaned.delete(pfn);
  }

  /** Record a prevented hazard on behalf of the mm or a policy (a refused truncate or pin). */
  prevented(cls: HazardClass, holder: string, pfn: number, detail: string): void {
    this.record(cls, "prevented", holder, pfn, detail);
  }

  // --- internals ------------------------------------------------------------------------------

  private addRecord(holder: HolderRef, pfn: number, pid: number, vaddr: number, write: boolean, longterm: boolean): void {
    const existing = this.holders.get(holder.name, pfn);
    if (existing !== undefined) {
      existing.count++;
      return;
    }
    const f = this.k.frames;
    const flags = f.flags[pfn];
    const file = (flags & PG_FILE) !== 0;
    const mm = this.k.mmOf(pid);
    const vma = mm?.findVma(vaddr);
    this.holders.add(holder.name, {
      pfn, pid, vaddr, inode: file ? f.mapping[pfn] : 0, index: file ? f.index[pfn] : 0,
      private: (flags & PG_ANON) !== 0 || (vma !== undefined && vma.isCow), write, longterm, seq: ++this.clock, count: 1, leakedFrom: -1, mirrored: false,
    });
  }

  /**
   * The outcome of a hazard that got through: `detected` when the policy's `maybeDmaPinned`
   * (`folio_maybe_dma_pinned()`, include/linux/mm.h, v6.12) says the frame is pinned at the moment
   * the hazard happens, so the mm or filesystem had what it needed to act; `undetected` otherwise.
   * The one rule behind every class but `dma_to_freed` (a freed frame carries no flag).
   */
  private flaggedOutcome(pfn: number): HazardOutcome {
    return this.k.policy.maybeDmaPinned(pfn) ? "detected" : "undetected";
  }

  private processFrame(pid: number, vaddr: number): number {
    const mm = this.k.mmOf(pid);
    return mm === undefined ? -1 : mm.pageTable.pfn(Math.floor(vaddr / PAGE_SIZE));
  }

  private record(cls: HazardClass, outcome: HazardOutcome, device: string, pfn: number, detail: string): void {
    const key = `${cls}/${outcome}/${device}/${pfn}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const h: Hazard = { class: cls, outcome, step: this.step, device, pfn, detail };
    this.hazards.push(h);
    this.events.emit("hazard", { class: cls, outcome, device, pfn, step: this.step, detail });
  }
}

/** The token of a kernel instance's hazard oracle. */
export const ORACLE = createToken<Oracle>("ORACLE");
