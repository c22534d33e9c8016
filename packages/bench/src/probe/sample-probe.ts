/**
 * What one sample of a cell records: timed grab and release windows (gup_test style: the pin
 * phase and the release phase apart, verification outside), refused operations by errno,
 * `maybeDmaPinned` audits, hazards, accounting memory, simulated cost, and counters.
 * @module
 */
import { errnoName, type HazardClass, type HazardOutcome, type KernelInstance } from "@pinlab/core";
import { diffSimCounts, emptySimCounts, grabbedPages, grabNs, priceSimCounts, releasedPages, releaseNs, SimLedger, type SimCounts, type SimTotals } from "../cost-model/sim-ledger.js";
import { DeviceDriver } from "../workloads/support/device-driver.js";
import { buildCellKernel, type KernelCell, type WorkloadKernelConfig } from "./cell-kernel.js";
import { addAudit, auditPins, emptyAudit, type AuditTally } from "./pin-audit.js";

/** The series a cell's headline numbers come from. */
export const MAIN_SERIES = "main";

/** Counts by hazard class, then by outcome. */
export type HazardTally = Partial<Record<HazardClass, Record<HazardOutcome, number>>>;

/** Timed windows of one series in one sample. */
export interface SeriesTiming {
  /** Wall-clock ns in grab windows. */
  pinNs: number;
  /** Pages grabbed in them. */
  pinPages: number;
  /** Wall-clock ns in release windows. */
  releaseNs: number;
  /** Pages released in them. */
  releasePages: number;
  /** Simulated ns of the grabs inside the windows (cost model). */
  simGrabNs: number;
  /** Simulated ns of the releases inside the windows (cost model). */
  simReleaseNs: number;
  /** Pages the cost model priced as grabbed inside the windows. */
  simPages: number;
}

/** One point of a measured curve (e.g. false-positive rate against the number of processes). */
export interface CurvePoint {
  /** The curve. */
  readonly curve: string;
  /** Its x value. */
  readonly x: number;
  /** Values at x. */
  readonly values: Readonly<Record<string, number>>;
}

/** What a sample found that does not depend on timing (identical for every sample of a seed). */
export interface SampleOutcome {
  /** Hazards recorded by the oracle of every kernel the sample built or watched. */
  hazards: HazardTally;
  /** Refused operations by errno name. */
  refused: Record<string, number>;
  /** Refused operations by operation, then errno name. */
  refusedBy: Record<string, Record<string, number>>;
  /** `maybeDmaPinned` audits, summed. */
  audit: AuditTally;
  /** Peak of the policy's `accountingBytes()` seen at grab and audit points. */
  accountingBytes: number;
  /** Frames of the machine that peak was seen on. */
  frames: number;
  /** Simulated cost of every grab and release of the sample. */
  sim: SimTotals;
  /** Workload counters (pages lost, invalidations, migrations...). */
  counters: Record<string, number>;
  /** Measured curves. */
  curves: CurvePoint[];
}

/** Everything one sample recorded. */
export interface SampleRecord {
  /** Timed windows by series. */
  readonly timing: Record<string, SeriesTiming>;
  /** The deterministic part. */
  readonly outcome: SampleOutcome;
}

/** Options of a timed window. */
export interface WindowOptions {
  /** Series the window belongs to (default {@link MAIN_SERIES}). */
  readonly series?: string;
}

interface Watched {
  readonly inst: KernelInstance;
  readonly ledger: SimLedger;
  readonly hazardsFrom: number;
  readonly simFrom: SimCounts;
}

function now(): number {
  return Number(process.hrtime.bigint());
}

/**
 * The recorder of one sample. Workloads build kernels through it (so their hazards, cost and
 * accounting are collected), wrap each grab and each release in {@link SampleProbe.pin} /
 * {@link SampleProbe.release}, and report refusals, audits and counters.
 */
export class SampleProbe {
  private readonly watched: Watched[] = [];
  private readonly timing: Record<string, SeriesTiming> = {};
  private readonly outcome: SampleOutcome = {
    hazards: {}, refused: {}, refusedBy: {}, audit: emptyAudit(), accountingBytes: 0, frames: 0, sim: priceSimCounts(emptySimCounts()), counters: {}, curves: [],
  };

  /** A probe for one sample of `cell`. */
  constructor(private readonly cell: KernelCell) {}

  /**
   * Build a kernel with the cell's policy, options and seed, and watch it. `config` gives the
   * machine and any other kernel setting.
   */
  kernel(config: WorkloadKernelConfig): KernelInstance {
    const inst = buildCellKernel(this.cell, config);
    this.watch(inst);
    return inst;
  }

  /** Watch a kernel built elsewhere (one shared by the samples of a cell): only what happens from now on counts. */
  watch(inst: KernelInstance): void {
    if (this.watched.some((w) => w.inst === inst)) return;
    const ledger = SimLedger.of(inst);
    this.watched.push({ inst, ledger, hazardsFrom: inst.oracle.hazards.length, simFrom: ledger.snapshot() });
  }

  /** Attach a device to a watched kernel. */
  device(inst: KernelInstance, name: string, kind: string, options: Readonly<Record<string, unknown>> = {}): DeviceDriver {
    return new DeviceDriver(inst, name, kind, options);
  }

  /**
   * Time a grab: `fn` returns the pages it took, or `-errno` (recorded as a refusal of `op`). The
   * window holds `fn` alone; the accounting peak is read after it.
   */
  pin(op: string, fn: () => number, opts: WindowOptions = {}): number {
    const s = this.series(opts.series);
    const sim0 = this.simCounts();
    const t0 = now();
    const ret = fn();
    const t1 = now();
    s.pinNs += t1 - t0;
    if (ret > 0) s.pinPages += ret;
    else if (ret < 0) this.refused(op, -ret);
    const d = diffSimCounts(this.simCounts(), sim0);
    s.simGrabNs += grabNs(d);
    s.simReleaseNs += releaseNs(d);
    s.simPages += grabbedPages(d);
    this.notePeak();
    return ret;
  }

  /** Time a release of `pages` pages. */
  release(pages: number, fn: () => void, opts: WindowOptions = {}): void {
    const s = this.series(opts.series);
    const sim0 = this.simCounts();
    const t0 = now();
    fn();
    const t1 = now();
    s.releaseNs += t1 - t0;
    s.releasePages += pages;
    const d = diffSimCounts(this.simCounts(), sim0);
    s.simGrabNs += grabNs(d);
    s.simReleaseNs += releaseNs(d);
    s.simPages += grabbedPages(d);
  }

  /**
   * Time a step whose kind is known only once it ran (a scenario step): it counts as a grab
   * window of `pages` grabbed pages when it grabbed some, else as a release window when it
   * released some; a step that did neither is not timed. Returns `fn`'s value and the pages.
   */
  step<T>(fn: () => T, opts: WindowOptions = {}): { readonly value: T; readonly grabbed: number; readonly released: number } {
    const sim0 = this.simCounts();
    const t0 = now();
    const value = fn();
    const dt = now() - t0;
    const d = diffSimCounts(this.simCounts(), sim0);
    const grabbed = grabbedPages(d);
    const released = releasedPages(d);
    if (grabbed > 0 || released > 0) {
      const s = this.series(opts.series);
      if (grabbed > 0) {
        s.pinNs += dt;
        s.pinPages += grabbed;
      } else {
        s.releaseNs += dt;
        s.releasePages += released;
      }
      s.simGrabNs += grabNs(d);
      s.simReleaseNs += releaseNs(d);
      s.simPages += grabbed;
      this.notePeak();
    }
    return { value, grabbed, released };
  }

  /** Time a loop that is not a GUP call (a baseline): `pages` pages in the grab or the release column of `series`. */
  baseline(series: string, phase: "pin" | "release", pages: number, fn: () => void): void {
    const s = this.series(series);
    const t0 = now();
    fn();
    const dt = now() - t0;
    if (phase === "pin") {
      s.pinNs += dt;
      s.pinPages += pages;
    } else {
      s.releaseNs += dt;
      s.releasePages += pages;
    }
  }

  /** Record that `op` was refused with `errno` (positive). */
  refused(op: string, errno: number): void {
    const name = errnoName(errno) ?? `E${errno}`;
    const o = this.outcome;
    o.refused[name] = (o.refused[name] ?? 0) + 1;
    const byOp = (o.refusedBy[op] ??= {});
    byOp[name] = (byOp[name] ?? 0) + 1;
  }

  /** Check a kernel-style return: a negative one is recorded as a refusal of `op`. Returns `ret`. */
  check(op: string, ret: number): number {
    if (ret < 0) this.refused(op, -ret);
    return ret;
  }

  /** Ask the policy about user pages (all, or `pfns`) and add the answers to the sample's audit. */
  audit(inst: KernelInstance, pfns?: ArrayLike<number>): AuditTally {
    const t = auditPins(inst, pfns);
    addAudit(this.outcome.audit, t);
    this.notePeak();
    return t;
  }

  /** Add `n` to a counter. */
  count(name: string, n = 1): void {
    this.outcome.counters[name] = (this.outcome.counters[name] ?? 0) + n;
  }

  /** Record a point of a curve. */
  point(curve: string, x: number, values: Readonly<Record<string, number>>): void {
    this.outcome.curves.push({ curve, x, values: { ...values } });
  }

  /** Close the sample: collect hazards and simulated cost from every watched kernel. */
  finish(): SampleRecord {
    const o = this.outcome;
    const total = emptySimCounts();
    for (const w of this.watched) {
      for (const h of w.inst.oracle.hazards.slice(w.hazardsFrom)) {
        const byOutcome = (o.hazards[h.class] ??= { prevented: 0, detected: 0, undetected: 0 });
        byOutcome[h.outcome]++;
      }
      const d = diffSimCounts(w.ledger.counts, w.simFrom);
      for (const key of Object.keys(d) as (keyof SimCounts)[]) total[key] += d[key];
    }
    o.sim = priceSimCounts(total);
    return { timing: this.timing, outcome: o };
  }

  private series(name: string | undefined): SeriesTiming {
    const key = name ?? MAIN_SERIES;
    return (this.timing[key] ??= { pinNs: 0, pinPages: 0, releaseNs: 0, releasePages: 0, simGrabNs: 0, simReleaseNs: 0, simPages: 0 });
  }

  private simCounts(): SimCounts {
    const total = emptySimCounts();
    for (const w of this.watched) for (const key of Object.keys(total) as (keyof SimCounts)[]) total[key] += w.ledger.counts[key];
    return total;
  }

  private notePeak(): void {
    for (const w of this.watched) {
      const b = w.inst.kernel.policy.accountingBytes();
      if (b > this.outcome.accountingBytes) {
        this.outcome.accountingBytes = b;
        this.outcome.frames = w.inst.kernel.frames.nrFrames;
      }
    }
    if (this.outcome.frames === 0 && this.watched.length > 0) this.outcome.frames = this.watched[0].inst.kernel.frames.nrFrames;
  }
}
