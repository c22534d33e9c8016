/**
 * A run of one scenario under one policy (on one kernel era), recorded position by position. Position `p` is the
 * machine after the first `p` steps (position 0: set up, no step run yet). The run is the
 * deterministic replay from the scenario's seed: a fresh kernel, then `runStep` for each step in
 * order; every position is kept as a checkpoint (frames and PTEs as deltas with periodic
 * keyframes), so moving to any position, back or forth, costs no re-execution.
 */
import { Bindings, runStep, setUpKernel, type Hazard, type KernelEvent, type KernelInstance, type LoadedScenario, type RunContext, type StepResult, type ZoneSpan } from "@pinlab/core";
import { captureFrames, capturePtes, captureViews } from "./capture.js";
import { FRAME_WIDTH } from "./frame-state.js";
import type { PositionViews } from "./machine-types.js";
import type { Registry } from "./registry.js";
import { RowHistory } from "./row-history.js";
import { resolveEra, runKey, type ResolvedEra } from "./run-plan.js";

/** Options of a recording. */
export interface RecordOptions {
  /** A full keyframe every this many positions (default 32). */
  readonly keyframeEvery?: number;
  /** Audit the model after every step (the scenario's `check_invariants` also turns it on). */
  readonly checkInvariants?: boolean;
  /** (2.0) The kernel era to run on, over the scenario's `machine.kernel` and the policy's default (like `--kernel`). */
  readonly kernel?: string;
}

/** Everything recorded about one run. Read it through {@link Recording}'s methods. */
export class Recording {
  /** Step results, one per step run so far. */
  readonly steps: StepResult[] = [];
  /** The views of each position (length = steps run + 1). */
  readonly views: PositionViews[] = [];
  /** Every event of the run, in order. */
  events: readonly KernelEvent[] = [];
  /** Events emitted up to each position (`events.slice(0, eventEnd[p])`). */
  readonly eventEnd: number[] = [];
  /** Every hazard the oracle recorded, in order. */
  hazards: readonly Hazard[] = [];
  /** Frame rows (key = pfn). */
  readonly frames: RowHistory;
  /** PTE rows (key = pteKey(pid, vpn), row = [pfn, bits]). */
  readonly ptes: RowHistory;
  /** Frames used from the start of each zone, at any position so far. */
  readonly used: number[] = [];
  /** The zones of the machine. */
  zones: readonly ZoneSpan[] = [];
  /** File names by inode id (for a frame's owner). */
  readonly inodeNames = new Map<number, string>();
  /** SHA-256 of the event stream after each position. */
  readonly eventsHash: string[] = [];
  /** Set when the kernel could not be built (then no position exists). */
  setupError: string | undefined;
  /** (2.0) The era the run uses and where it comes from (the kernel's own era once it is built). */
  era: ResolvedEra;
  /** (2.0) The column's key ({@link runKey}): the policy, or `policy@era` when an era was chosen. */
  readonly key: string;

  /** An empty recording of `scenario` under `policy`, on era `kernel` if one is chosen (else the scenario's or the policy's, `era`). */
  constructor(readonly scenario: LoadedScenario, readonly policy: string, keyframeEvery: number, readonly kernel?: string, policyDefault?: string) {
    this.frames = new RowHistory(FRAME_WIDTH, keyframeEvery);
    this.ptes = new RowHistory(2, keyframeEvery);
    this.key = runKey(kernel === undefined ? { policy } : { policy, kernel });
    this.era = resolveEra({ policy, ...(kernel !== undefined ? { kernel } : {}) }, scenario.header.machine.kernel, policyDefault);
  }

  /** (2.0) The column's name for a person: `policy @ era` (e.g. `pin-bias @ v5.3`). */
  get label(): string {
    return `${this.policy} @ ${this.era.id}`;
  }

  /** Number of positions recorded (steps run + 1), 0 when setup failed. */
  get positions(): number {
    return this.views.length;
  }

  /** True once every step has run (or setup failed). */
  get complete(): boolean {
    return this.setupError !== undefined || this.steps.length === this.scenario.steps.length;
  }

  /** Hazards recorded up to position `pos` (those of steps before it). */
  hazardsAt(pos: number): readonly Hazard[] {
    const n = this.views[Math.min(pos, this.views.length - 1)]?.counters.hazards ?? 0;
    return this.hazards.slice(0, n);
  }

  /** Events emitted up to position `pos`. */
  eventsAt(pos: number): readonly KernelEvent[] {
    return this.events.slice(0, this.eventEnd[Math.min(pos, this.eventEnd.length - 1)] ?? 0);
  }
}

/** Runs a scenario step by step into a {@link Recording}; can be advanced in slices to keep a page responsive. */
export class Recorder {
  /** The recording being built. */
  readonly recording: Recording;
  private readonly ctx: RunContext | undefined;
  private readonly audit: boolean;
  private readonly deviceKinds: ReadonlyMap<string, string>;

  /** Build the kernel for `policy` and record position 0. */
  constructor(scenario: LoadedScenario, policy: string, registry: Registry, opts: RecordOptions = {}) {
    this.recording = new Recording(scenario, policy, opts.keyframeEvery ?? 32, opts.kernel, registry.plugins.policies.get(policy)?.meta.defaultKernel);
    this.audit = opts.checkInvariants === true || scenario.header.check_invariants === true;
    this.deviceKinds = new Map(scenario.header.devices.map((d) => [d.name, d.kind]));
    let inst: KernelInstance;
    try {
      inst = setUpKernel(scenario, policy, { container: registry.container, trace: true, ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}) });
    } catch (e) {
      this.recording.setupError = (e as Error).message;
      this.ctx = undefined;
      return;
    }
    this.ctx = { inst, bindings: new Bindings(), scenario, plugins: registry.plugins, policy, kernel: inst.kernel.kernelEra.id, index: 0 };
    this.recording.era = { ...this.recording.era, id: inst.kernel.kernelEra.id };
    this.recording.zones = inst.kernel.memory.zones;
    this.recording.events = inst.kernel.events.events;
    this.recording.hazards = inst.oracle.hazards;
    this.capture();
  }

  /** True when every step has run. */
  get done(): boolean {
    return this.recording.complete;
  }

  /** Run and record the next step. Returns false when there is none. */
  step(): boolean {
    const ctx = this.ctx;
    if (ctx === undefined || this.done) return false;
    ctx.index = this.recording.steps.length;
    this.recording.steps.push(runStep(ctx, this.audit));
    this.capture();
    return true;
  }

  /** Run steps until done or until `budgetMs` of wall time has passed. Returns true when done. */
  advance(budgetMs = Infinity): boolean {
    const until = performance.now() + budgetMs;
    while (!this.done && performance.now() < until) this.step();
    return this.done;
  }

  private capture(): void {
    const ctx = this.ctx;
    if (ctx === undefined) return;
    const r = this.recording;
    const inst = ctx.inst;
    captureFrames(inst, r.frames, r.used);
    r.frames.commit();
    capturePtes(inst, r.ptes);
    r.ptes.commit();
    r.views.push(captureViews(inst, this.deviceKinds, r.views[r.views.length - 1]));
    r.eventEnd.push(inst.kernel.events.count);
    r.eventsHash.push(inst.kernel.events.hash());
    for (const [id, inode] of inst.kernel.inodes) if (!r.inodeNames.has(id)) r.inodeNames.set(id, inode.name);
  }
}

/** Record a whole run at once. */
export function record(scenario: LoadedScenario, policy: string, registry: Registry, opts: RecordOptions = {}): Recording {
  const rec = new Recorder(scenario, policy, registry, opts);
  rec.advance();
  return rec.recording;
}

/** The step during which event number `seq` was emitted (-1 = during setup). */
export function stepOfEvent(rec: Recording, seq: number): number {
  let lo = 0;
  let hi = rec.eventEnd.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rec.eventEnd[mid] > seq) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}
