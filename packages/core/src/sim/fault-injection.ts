/**
 * Fault injection: the kernel's `struct fault_attr` and `should_fail()` (lib/fault-inject.c,
 * include/linux/fault-inject.h, v6.12), one attribute per fault point. Each point counts every
 * call, configured or not, so a caller can learn how many calls a run made (a sweep failing
 * call 1, 2, ... N in turn) and a run with faults stays deterministic: which calls fail depends
 * only on the spec, the call index and, for `probability`, a random source of the point's own.
 * @module
 */
import { createToken } from "../di/tokens.js";
import { FAULT_POINTS, type FaultPoint, type FaultSpec, type FaultsConfig } from "./fault-spec.js";
import { Rng } from "./rng.js";

/** What one fault point saw: calls made and failures injected. */
export interface FaultPointStats {
  /** Calls of the point so far, failed or not. */
  readonly calls: number;
  /** Calls that were made to fail. */
  readonly injected: number;
}

/** Told of each injected failure (the kernel instance emits a `fault_inject` event). */
export type FaultListener = (point: FaultPoint, call: number) => void;

/**
 * The seed of a point's own random source: FNV-1a (32-bit) of `seed/point`. Drawing from it
 * never touches the kernel's main random source, and each point's draws are independent of
 * what the other points are configured to do.
 */
export function faultSeed(seed: number, point: FaultPoint): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}/${point}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** One point's `struct fault_attr`: its spec, its counters and, for `probability`, its random source. */
class FaultAttr {
  calls = 0;
  injected = 0;
  private readonly at: ReadonlySet<number> | undefined;
  private readonly rng: Rng | undefined;

  constructor(private readonly spec: FaultSpec | undefined, seed: number, point: FaultPoint) {
    this.at = spec?.at !== undefined ? new Set(spec.at) : undefined;
    this.rng = spec?.probability !== undefined ? new Rng(faultSeed(seed, point)) : undefined;
  }

  /** `should_fail_ex()`: count the call, then say whether it fails. */
  shouldFail(): boolean {
    const call = ++this.calls;
    const s = this.spec;
    if (s === undefined) return false;
    // `times` reached: like the kernel, no more failures and no more draws.
    if (s.times !== undefined && this.injected >= s.times) return false;
    let fail: boolean;
    if (s.every !== undefined) fail = call % s.every === 0;
    else if (this.at !== undefined) fail = this.at.has(call);
    else fail = this.rng!.nextFloat() < s.probability!;
    if (fail) this.injected++;
    return fail;
  }
}

/**
 * The fault injector of one kernel instance. `shouldFail(point)` is what each hooked path asks
 * (the page allocator, folio migration, writeback completion, the DMA engine); `stats()` tells
 * how many calls each point saw and how many were made to fail.
 */
export class FaultInjector {
  private readonly attrs: Record<FaultPoint, FaultAttr>;

  /**
   * Build the injector for `faults` (absent: nothing fails, calls are still counted). `seed` is
   * the run's seed; `listener` hears of each injected failure.
   */
  constructor(faults: FaultsConfig | undefined, seed: number, private readonly listener: FaultListener = () => undefined) {
    this.attrs = Object.fromEntries(FAULT_POINTS.map((p) => [p, new FaultAttr(faults?.[p], seed, p)])) as Record<FaultPoint, FaultAttr>;
  }

  /**
   * `should_fail()` (lib/fault-inject.c, v6.12) for `point`: count this call and answer whether
   * it fails. A failure is reported to the listener with the call's 1-based index.
   */
  shouldFail(point: FaultPoint): boolean {
    const attr = this.attrs[point];
    if (!attr.shouldFail()) return false;
    this.listener(point, attr.calls);
    return true;
  }

  /** Calls and injected failures per point, so far. */
  stats(): Record<FaultPoint, FaultPointStats> {
    return Object.fromEntries(FAULT_POINTS.map((p) => [p, { calls: this.attrs[p].calls, injected: this.attrs[p].injected }])) as Record<FaultPoint, FaultPointStats>;
  }
}

/** The token of a kernel instance's fault injector. */
export const FAULTS = createToken<FaultInjector>("FAULTS");
