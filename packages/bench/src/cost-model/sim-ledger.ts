/**
 * The cost model applied to what a kernel actually did: a kernel observer that counts every
 * grab and release GUP performs by kind (so the totals are exact integers, the same for the
 * same story), and prices the counts with the constants of `constants.ts`.
 * @module
 */
import {
  FOLL_LONGTERM, PG_FILE, type GrabInfo, type HolderRef, type KernelEvent, type KernelInstance, type KernelObserver,
} from "@pinlab/core";
import {
  ATOMIC_RMW_NS, FAST_OVER_SLOW, FILE_PIN_ALLOC_NS, FILE_PIN_LIST_ENTRY_NS, GET_OVER_PIN, PIN_HUGE_SUBPAGE_NS, PIN_SMALL_NS,
  PUT_OVER_UNPIN, UNPIN_HUGE_SUBPAGE_NS, UNPIN_SMALL_NS,
} from "./constants.js";

/** What a kernel's GUP did, counted by what the cost model prices differently. All integers. */
export interface SimCounts {
  /** Pages pinned: small folio, slow path. */
  pinSmallSlow: number;
  /** Pages pinned: small folio, fast path. */
  pinSmallFast: number;
  /** Subpages of large folios pinned on the slow path. */
  pinHugeSlow: number;
  /** Subpages of large folios pinned on the fast path. */
  pinHugeFast: number;
  /** Pages referenced (FOLL_GET, or a pin a policy counts as a plain reference): small, slow. */
  getSmallSlow: number;
  /** The same on the fast path. */
  getSmallFast: number;
  /** Subpages of large folios referenced on the slow path. */
  getHugeSlow: number;
  /** The same on the fast path. */
  getHugeFast: number;
  /** Small pages unpinned. */
  unpinSmall: number;
  /** Subpages of large folios unpinned. */
  unpinHuge: number;
  /** Small pages put. */
  putSmall: number;
  /** Subpages of large folios put. */
  putHuge: number;
  /** Extra atomic operations the policy pays beyond the refcount (an exact counter), grab side. */
  extraAtomicsGrab: number;
  /** The same, release side. */
  extraAtomicsRelease: number;
  /** File-pin list entries visited while recording pins. */
  filePinVisitsGrab: number;
  /** File-pin krefs taken. */
  filePinKrefsGrab: number;
  /** File-pin objects allocated. */
  filePinAllocs: number;
  /** File-pin list entries visited while releasing. */
  filePinVisitsRelease: number;
  /** File-pin krefs dropped. */
  filePinKrefsRelease: number;
}

/** Counts plus their price. */
export interface SimTotals extends SimCounts {
  /** Simulated ns of every grab. */
  grabNs: number;
  /** Simulated ns of every release. */
  releaseNs: number;
  /** Pages grabbed. */
  grabbedPages: number;
}

/** Zeroed counts. */
export function emptySimCounts(): SimCounts {
  return {
    pinSmallSlow: 0, pinSmallFast: 0, pinHugeSlow: 0, pinHugeFast: 0, getSmallSlow: 0, getSmallFast: 0, getHugeSlow: 0, getHugeFast: 0,
    unpinSmall: 0, unpinHuge: 0, putSmall: 0, putHuge: 0, extraAtomicsGrab: 0, extraAtomicsRelease: 0,
    filePinVisitsGrab: 0, filePinKrefsGrab: 0, filePinAllocs: 0, filePinVisitsRelease: 0, filePinKrefsRelease: 0,
  };
}

/** `a - b`, field by field. */
export function diffSimCounts(a: SimCounts, b: SimCounts): SimCounts {
  const out = emptySimCounts();
  for (const key of Object.keys(out) as (keyof SimCounts)[]) out[key] = a[key] - b[key];
  return out;
}

/** Pages grabbed in `c`. */
export function grabbedPages(c: SimCounts): number {
  return c.pinSmallSlow + c.pinSmallFast + c.pinHugeSlow + c.pinHugeFast + c.getSmallSlow + c.getSmallFast + c.getHugeSlow + c.getHugeFast;
}

/** Pages released (unpinned or put) in `c`. */
export function releasedPages(c: SimCounts): number {
  return c.unpinSmall + c.unpinHuge + c.putSmall + c.putHuge;
}

/** The price of grabbing one page: `mode` as the policy counted it, a subpage of a large folio or not, on the fast path or not. */
export function grabPageNsFor(mode: "get" | "pin", huge: boolean, fast: boolean): number {
  const base = huge ? PIN_HUGE_SUBPAGE_NS : PIN_SMALL_NS;
  return base * (mode === "get" ? GET_OVER_PIN : 1) * (fast ? FAST_OVER_SLOW : 1);
}

/** Simulated ns of the grabs in `c`. */
export function grabNs(c: SimCounts): number {
  const g = grabPageNsFor;
  return c.pinSmallSlow * g("pin", false, false) + c.pinSmallFast * g("pin", false, true) + c.pinHugeSlow * g("pin", true, false) + c.pinHugeFast * g("pin", true, true)
    + c.getSmallSlow * g("get", false, false) + c.getSmallFast * g("get", false, true) + c.getHugeSlow * g("get", true, false) + c.getHugeFast * g("get", true, true)
    + (c.extraAtomicsGrab + c.filePinKrefsGrab) * ATOMIC_RMW_NS + c.filePinVisitsGrab * FILE_PIN_LIST_ENTRY_NS + c.filePinAllocs * FILE_PIN_ALLOC_NS;
}

/** Simulated ns of the releases in `c`. */
export function releaseNs(c: SimCounts): number {
  return c.unpinSmall * UNPIN_SMALL_NS + c.unpinHuge * UNPIN_HUGE_SUBPAGE_NS + (c.putSmall * UNPIN_SMALL_NS + c.putHuge * UNPIN_HUGE_SUBPAGE_NS) * PUT_OVER_UNPIN
    + (c.extraAtomicsRelease + c.filePinKrefsRelease) * ATOMIC_RMW_NS + c.filePinVisitsRelease * FILE_PIN_LIST_ENTRY_NS;
}

/** Counts with their price. */
export function priceSimCounts(c: SimCounts): SimTotals {
  return { ...c, grabNs: grabNs(c), releaseNs: releaseNs(c), grabbedPages: grabbedPages(c) };
}

const LEDGERS = new WeakMap<object, SimLedger>();

/**
 * Counts every GUP grab and release of one kernel for the cost model. It pairs each `gup` /
 * `release` event (which carries the fast/slow split and the call family) with the observer
 * call that follows it with the frames, classifies the frames by folio size (first, middle and
 * last frame of a call; every frame only when they disagree), and counts the extra atomics the
 * policy declares (`meta.capabilities`) and its file-pin bookkeeping. It never changes what the
 * kernel does.
 */
export class SimLedger implements KernelObserver {
  /** Running counts since the kernel was built. */
  readonly counts: SimCounts = emptySimCounts();
  private lastGup: KernelEvent<"gup"> | undefined;
  private lastRelease: KernelEvent<"release"> | undefined;
  /** Extra atomics per pinned and per unpinned page, as the policy declares them (`meta.capabilities`). */
  private readonly extraAtomicsPerPin: number;
  private readonly extraAtomicsPerUnpin: number;
  private filePinObjects = 0;
  private hasFilePins = false;

  private constructor(private readonly inst: KernelInstance) {
    const k = inst.kernel;
    this.extraAtomicsPerPin = inst.policyCapabilities.extraAtomicsPerPin;
    this.extraAtomicsPerUnpin = inst.policyCapabilities.extraAtomicsPerUnpin;
    k.events.on("gup", (e) => {
      this.lastGup = e;
    });
    k.events.on("release", (e) => {
      this.lastRelease = e;
    });
    k.observers.push(this);
  }

  /** The ledger of a kernel instance, attached on first use. */
  static of(inst: KernelInstance): SimLedger {
    let l = LEDGERS.get(inst.kernel);
    if (l === undefined) {
      l = new SimLedger(inst);
      LEDGERS.set(inst.kernel, l);
    }
    return l;
  }

  /** A copy of the running counts. */
  snapshot(): SimCounts {
    return { ...this.counts };
  }

  /** @inheritDoc */
  onGrab(_holder: HolderRef | undefined, pfns: ArrayLike<number>, info: GrabInfo): void {
    const n = pfns.length;
    if (n === 0) return;
    const fast = Math.min(this.lastGup?.fastPages ?? 0, n);
    const huge = this.hugeCount(pfns);
    // The fast path fills the first pages of the array; large-folio pages are usually all of a call or none.
    const hugeFast = Math.min(huge, fast);
    const small = n - huge;
    const smallFast = Math.min(small, fast - hugeFast);
    const c = this.counts;
    if (info.mode === "pin") {
      c.pinHugeFast += hugeFast;
      c.pinHugeSlow += huge - hugeFast;
      c.pinSmallFast += smallFast;
      c.pinSmallSlow += small - smallFast;
      c.extraAtomicsGrab += n * this.extraAtomicsPerPin;
      if ((info.flags & FOLL_LONGTERM) !== 0) this.countFilePins(pfns, info.pid);
    } else {
      c.getHugeFast += hugeFast;
      c.getHugeSlow += huge - hugeFast;
      c.getSmallFast += smallFast;
      c.getSmallSlow += small - smallFast;
    }
  }

  /** @inheritDoc */
  onRelease(_holder: HolderRef | undefined, pfns: ArrayLike<number>): void {
    const n = pfns.length;
    if (n === 0) return;
    const pin = (this.lastRelease?.mode ?? "pin") === "pin" && this.inst.kernel.policy.countsPins;
    const huge = this.hugeCount(pfns);
    const c = this.counts;
    if (pin) {
      c.unpinHuge += huge;
      c.unpinSmall += n - huge;
      c.extraAtomicsRelease += n * this.extraAtomicsPerUnpin;
      if (this.hasFilePins) {
        const files = this.filePages(pfns);
        c.filePinVisitsRelease += files * Math.max(1, this.filePinObjects);
        c.filePinKrefsRelease += files;
      }
    } else {
      c.putHuge += huge;
      c.putSmall += n - huge;
    }
  }

  /** Subpages of large folios among `pfns` (a frame the release freed counts as small). */
  private hugeCount(pfns: ArrayLike<number>): number {
    const f = this.inst.kernel.frames;
    const n = pfns.length;
    const first = f.isLarge(pfns[0]);
    if (first === f.isLarge(pfns[n - 1]) && first === f.isLarge(pfns[n >> 1])) return first ? n : 0;
    let huge = 0;
    for (let i = 0; i < n; i++) if (f.isLarge(pfns[i])) huge++;
    return huge;
  }

  private filePages(pfns: ArrayLike<number>): number {
    const f = this.inst.kernel.frames;
    let n = 0;
    for (let i = 0; i < pfns.length; i++) if ((f.flags[pfns[i]] & PG_FILE) !== 0) n++;
    return n;
  }

  /**
   * File-pin bookkeeping (reference §3.4, §9): each file page of a long-term pin costs a scan of
   * the owner's file-pin list plus a kref, and each new file-pin object an allocation. The list
   * length is what the policy shows in `/proc/<pid>/file_pins` for the pinning process after
   * the call; releases are charged with the last length seen.
   */
  private countFilePins(pfns: ArrayLike<number>, pid: number): void {
    // Asked first: for a policy without file pins it is an empty list, and no frame is looked at.
    const entries = this.inst.kernel.policy.filePins(pid).length;
    if (entries === 0) return;
    const files = this.filePages(pfns);
    if (files === 0) return;
    const c = this.counts;
    this.hasFilePins = true;
    if (entries > this.filePinObjects) c.filePinAllocs += entries - this.filePinObjects;
    this.filePinObjects = entries;
    c.filePinVisitsGrab += files * entries;
    c.filePinKrefsGrab += files;
  }
}
