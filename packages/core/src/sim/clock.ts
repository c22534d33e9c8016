import { injectable } from "tsyringe";
import { createToken } from "../di/tokens.js";

/** A callback scheduled on the virtual clock. */
export type TimerCallback = () => void;

/** A handle to a scheduled callback, for cancelling it. */
export interface TimerHandle {
  /** Virtual time (ns) at which the callback runs. */
  readonly at: number;
  /** A short label for traces, e.g. `"dio-complete"`. */
  readonly label: string;
  /** Cancel the callback if it has not run yet. Returns false if it already ran or was cancelled. */
  cancel(): boolean;
}

interface Entry {
  at: number;
  seq: number;
  label: string;
  fn: TimerCallback;
  live: boolean;
}

/**
 * The virtual clock: nanoseconds since boot and a discrete-event queue. Nothing in pinlab reads
 * wall time; device latency, writeback IO and lease timeouts are events on this clock. Entries at
 * the same time run in the order they were scheduled, so runs are deterministic.
 *
 * Models the role of `ktime_get()` plus the timer wheel, with none of their concurrency.
 */
@injectable()
export class VirtualClock {
  private time = 0;
  private seq = 0;
  private heap: Entry[] = [];
  private liveCount = 0;

  /** Current virtual time in nanoseconds. */
  get now(): number {
    return this.time;
  }

  /** Number of callbacks still waiting. */
  get pending(): number {
    return this.liveCount;
  }

  /** Time of the next pending callback, or undefined when nothing is pending. */
  get nextAt(): number | undefined {
    this.dropDead();
    return this.heap.length > 0 ? this.heap[0].at : undefined;
  }

  /** Schedule `fn` to run `delay` nanoseconds from now (0 = at the current time, after those already due). */
  schedule(delay: number, label: string, fn: TimerCallback): TimerHandle {
    if (!(delay >= 0) || !Number.isFinite(delay)) throw new RangeError(`clock: delay must be a non-negative number of ns, got ${delay}`);
    const entry: Entry = { at: this.time + Math.round(delay), seq: this.seq++, label, fn, live: true };
    this.push(entry);
    this.liveCount++;
    return {
      at: entry.at,
      label,
      cancel: () => {
        if (!entry.live) return false;
        entry.live = false;
        this.liveCount--;
        return true;
      },
    };
  }

  /** Run every callback due at or before `now + delta`, then set the time to `now + delta`. */
  advance(delta: number): number {
    if (!(delta >= 0)) throw new RangeError(`clock: cannot advance by ${delta}`);
    return this.runUntil(this.time + delta);
  }

  /** Run callbacks due at or before `target` in time order; the clock ends at `target`. Returns how many ran. */
  runUntil(target: number): number {
    let ran = 0;
    for (;;) {
      this.dropDead();
      const top = this.heap[0];
      if (top === undefined || top.at > target) break;
      this.pop();
      top.live = false;
      this.liveCount--;
      this.time = Math.max(this.time, top.at);
      top.fn();
      ran++;
    }
    if (target > this.time) this.time = target;
    return ran;
  }

  /**
   * (issue 21) Run the earliest pending callback labelled `label` now, at the current time, as if
   * its delay had just ended (a completion that came sooner); the clock does not move. Returns
   * false when no callback with that label is pending.
   */
  fire(label: string): boolean {
    let pick: Entry | undefined;
    for (const e of this.heap) if (e.live && e.label === label && (pick === undefined || this.less(e, pick))) pick = e;
    if (pick === undefined) return false;
    pick.live = false;
    this.liveCount--;
    pick.fn();
    return true;
  }

  /** The labels of the pending callbacks, earliest first. */
  pendingLabels(): string[] {
    return this.heap.filter((e) => e.live).sort((a, b) => (this.less(a, b) ? -1 : 1)).map((e) => e.label);
  }

  /**
   * Run until nothing is pending (`settle`). Stops after `limit` callbacks so a callback that
   * keeps rescheduling itself cannot hang the caller; returns how many ran.
   */
  settle(limit = 1_000_000): number {
    let ran = 0;
    for (;;) {
      this.dropDead();
      const top = this.heap[0];
      if (top === undefined) return ran;
      if (ran >= limit) throw new Error(`clock: settle stopped after ${limit} callbacks; "${top.label}" keeps rescheduling`);
      ran += this.runUntil(top.at);
    }
  }

  private dropDead(): void {
    while (this.heap.length > 0 && !this.heap[0].live) this.pop();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/** The token of a kernel instance's virtual clock. */
export const CLOCK = createToken<VirtualClock>("CLOCK");
