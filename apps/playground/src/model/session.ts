/**
 * A comparison session: one scenario recorded under several runs (policies, or one policy at several kernel eras), in slices of wall time so
 * a page stays responsive on long scenarios, with the derived comparison (steps side by side,
 * distinct hazards), the display region shared by the columns, and a small cache of
 * materialized positions.
 */
import type { LoadedScenario } from "@pinlab/core";
import { compareSteps, distinctHazards, type StepComparison } from "./compare.js";
import { regionFor, type DisplayRegion } from "./display-region.js";
import { classifyFrame, FRAME_WIDTH } from "./frame-state.js";
import { machineAt, type MachineAt } from "./machine-at.js";
import { Recorder, type Recording, type RecordOptions } from "./recording.js";
import type { Registry } from "./registry.js";
import type { RunSpec } from "./run-plan.js";
import { stepSummary } from "./step-text.js";
import { stepThreads, type StepThread } from "./step-threads.js";

/** Positions kept materialized per column. */
const CACHE = 24;

/** One scenario under several runs, one per column. */
export class Session {
  /** One recorder per run, in column order. */
  readonly recorders: readonly Recorder[];
  /** Step summaries, by index. */
  readonly summaries: readonly string[];
  /** (issue 21) The thread of each step of a concurrent block (undefined outside blocks). */
  readonly threads: readonly (StepThread | undefined)[];
  private cache = new Map<string, MachineAt>();
  private readonly names = new Map<number, { steps: number; names: Map<number, string> }>();
  private derived: { region: DisplayRegion; comparison: StepComparison[]; distinct: Map<string, Set<number>>; stamp: string } | undefined;

  /** Set up a recorder per run of `runs` (position 0 of each is recorded at once). */
  constructor(readonly scenario: LoadedScenario, readonly runs: readonly RunSpec[], registry: Registry, opts: RecordOptions = {}) {
    this.recorders = runs.map((r) => new Recorder(scenario, r.policy, registry, { ...opts, ...(r.kernel !== undefined ? { kernel: r.kernel } : {}) }));
    this.summaries = scenario.steps.map(stepSummary);
    this.threads = stepThreads(scenario);
  }

  /** The recordings, in column order. */
  get recordings(): Recording[] {
    return this.recorders.map((r) => r.recording);
  }

  /** True when every run is complete. */
  get done(): boolean {
    return this.recorders.every((r) => r.done);
  }

  /** Steps in the scenario. */
  get length(): number {
    return this.scenario.steps.length;
  }

  /** The last position every column has reached. */
  get reachable(): number {
    return Math.max(0, Math.min(...this.recordings.map((r) => (r.setupError !== undefined ? this.length : r.positions - 1))));
  }

  /** Record for up to `budgetMs` (shared across the runs, slowest first). Returns true when all are done. */
  advance(budgetMs = Infinity): boolean {
    const until = performance.now() + budgetMs;
    while (!this.done && performance.now() < until) {
      const behind = this.recorders.filter((r) => !r.done).sort((a, b) => a.recording.positions - b.recording.positions)[0];
      behind?.step();
    }
    return this.done;
  }

  /** Record everything, asynchronously, yielding to the page between slices of `sliceMs`. `progress` is called after each slice. */
  async complete(sliceMs: number, progress: () => void, cancelled: () => boolean): Promise<void> {
    while (!this.advance(sliceMs)) {
      progress();
      await yieldToPage();
      if (cancelled()) return;
    }
    progress();
  }

  /** The display region, the step comparison and the distinct hazards for what is recorded so far. */
  get view(): { region: DisplayRegion; comparison: StepComparison[]; distinct: Map<string, Set<number>> } {
    const stamp = this.recordings.map((r) => `${r.positions}:${r.used.join(",")}`).join("|");
    if (this.derived?.stamp !== stamp) {
      const recs = this.recordings;
      const fresh = regionFor(recs);
      const old = this.derived?.region;
      const same = old !== undefined && old.zones.length === fresh.zones.length && old.zones.every((z, i) => z.shown === fresh.zones[i].shown);
      if (!same) this.cache.clear();
      this.derived = { region: same ? old : fresh, comparison: compareSteps(recs), distinct: distinctHazards(recs), stamp };
    }
    return this.derived;
  }

  /** Position `pos` of column `i`, materialized (cached). */
  machine(i: number, pos: number): MachineAt {
    const rec = this.recorders[i].recording;
    const key = `${i}:${pos}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const m = machineAt(rec, pos, this.view.region);
    this.cache.set(key, m);
    while (this.cache.size > CACHE * this.recorders.length) this.cache.delete(this.cache.keys().next().value as string);
    return m;
  }

  /** For each shown frame, 1 when its state (colour or markers) differs between any two of `machines`. */
  static frameDifferences(machines: readonly MachineAt[]): Uint8Array | undefined {
    if (machines.length < 2) return undefined;
    const region = machines[0].region;
    const out = new Uint8Array(region.size);
    for (const z of region.zones) {
      for (let k = 0; k < z.shown; k++) {
        const i = z.offset + k;
        const first = frameSignature(machines[0], i, z.start + k);
        for (let j = 1; j < machines.length; j++) {
          if (frameSignature(machines[j], i, z.start + k) !== first) {
            out[i] = 1;
            break;
          }
        }
      }
    }
    return out;
  }

  /** Names bound to mmap (and mremap) results (`as:`) under column `i`: start address -> name. */
  mmapNames(i: number): Map<number, string> {
    const rec = this.recorders[i].recording;
    const hit = this.names.get(i);
    if (hit !== undefined && hit.steps === rec.steps.length) return hit.names;
    const out = new Map<number, string>();
    this.names.set(i, { steps: rec.steps.length, names: out });
    rec.steps.forEach((s, idx) => {
      const step = this.scenario.steps[idx];
      if ((step.op === "mmap" || step.op === "mremap") && step.as !== undefined && typeof s.result === "number") out.set(s.result, step.as);
    });
    return out;
  }
}

const KINDS = ["free", "anon", "file", "zero", "reserved", "orphan", "other"];

/** A number standing for what a cell shows (state and markers) of region index `i` (frame `pfn`). */
export function frameSignature(m: MachineAt, i: number, pfn: number): number {
  const c = classifyFrame(m.rows.subarray(i * FRAME_WIDTH, (i + 1) * FRAME_WIDTH), m.holders.has(pfn));
  return KINDS.indexOf(c.kind) * 16 + (c.pinned ? 8 : 0) + (c.held ? 4 : 0) + (c.dirty ? 2 : 0) + (c.writeback ? 1 : 0);
}

/** Let the page handle input and paint: a task queued through a MessageChannel (setTimeout(0) is clamped to 4 ms when nested). */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
