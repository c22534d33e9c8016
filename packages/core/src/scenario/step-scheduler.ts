/**
 * (issue 21) Running steps at other steps' preemption points: the handler the runner installs on
 * the kernel's {@link Preemption} when a scenario's order puts a step of a concurrent block at a
 * point of another (`LoadedScenario.nested`). Every step it runs gets a frame; when the running
 * step reaches its next declared point (`stepPreemptPoints`), the steps scheduled there run,
 * each to its end (they may have points of their own), and the step goes on. Steps scheduled at
 * a point the step never reached (another path through the kernel) run after it ends.
 *
 * Locks: the interrupted steps hold what their points say (`MmapLockHold`); a step run there
 * that needs a conflicting mmap lock (its op's, `stepMmapLock`, or one the kernel code takes,
 * `Preemption.mmapLock`) throws {@link WouldBlockError}: that order cannot happen.
 * @module
 */
import { WouldBlockError, type MmapLockHold, type PreemptHandler, type PreemptPoint } from "../sim/preemption.js";
import type { KernelInstance } from "../instance/create-kernel.js";
import type { LoadedScenario } from "./load-scenario.js";
import { stepMmapLock, stepPreemptPoints } from "./step-points.js";

/** A step being run: its points, the next one, and what it holds while stopped at one. */
interface Frame {
  readonly step: number;
  readonly points: readonly PreemptPoint[];
  cursor: number;
  holds: readonly MmapLockHold[];
}

/** The handler (see the module comment); `runOne(i)` runs step i and checks its expectations. */
export class StepScheduler implements PreemptHandler {
  /** Per step: the steps run at each of its points (by point index). */
  private readonly children = new Map<number, number[][]>();
  private readonly frames: Frame[] = [];
  /** The step that would have waited, once one has (the run then stops). */
  blockedStep: number | undefined;

  /**
   * Schedule `loaded`'s nested steps; `runOne` runs one step (its outcome and expectations),
   * `resume(i)` makes step i the current one again after steps ran inside it.
   */
  constructor(
    private readonly loaded: LoadedScenario, private readonly inst: KernelInstance,
    private readonly runOne: (index: number) => void, private readonly resume: (index: number) => void,
  ) {
    (loaded.nested ?? []).forEach((n, j) => {
      if (n === undefined) return;
      const points = stepPreemptPoints(loaded.steps[n.step]);
      const list = this.children.get(n.step) ?? points.map(() => [] as number[]);
      list[points.indexOf(n.point)].push(j);
      this.children.set(n.step, list);
    });
  }

  /** True when step `i` runs inside another (the runner skips it: its parent runs it). */
  isNested(i: number): boolean {
    return this.loaded.nested?.[i] !== undefined;
  }

  /** Run step `i`, and the steps scheduled at its points. */
  run(i: number): void {
    const step = this.loaded.steps[i];
    const lock = stepMmapLock(step);
    const proc = (step as { proc?: unknown }).proc;
    const mm = typeof proc === "string" ? this.inst.kernel.findProcess(proc)?.mm : undefined;
    if (lock !== undefined && mm !== undefined && mm !== null) this.check(mm.id, lock, i, this.frames.length);
    const kids = this.children.get(i) ?? [];
    const frame: Frame = { step: i, points: kids.length > 0 ? stepPreemptPoints(step) : [], cursor: 0, holds: [] };
    this.frames.push(frame);
    try {
      this.runOne(i);
    } finally {
      this.frames.pop();
    }
    // Points the step never reached: what was scheduled there runs after it.
    for (; frame.cursor < frame.points.length; frame.cursor++) for (const j of kids[frame.cursor] ?? []) this.run(j);
  }

  /** The running step reached `point`: run what is scheduled there if it is the step's next declared point. */
  point(point: PreemptPoint, holds: readonly MmapLockHold[]): void {
    const f = this.frames[this.frames.length - 1];
    if (f === undefined || f.cursor >= f.points.length || f.points[f.cursor] !== point) return;
    const kids = this.children.get(f.step)?.[f.cursor] ?? [];
    f.cursor++;
    f.holds = holds;
    try {
      for (const j of kids) this.run(j);
    } finally {
      f.holds = [];
      this.resume(f.step);
    }
  }

  /** Kernel code of the running step takes `mm`'s mmap lock. */
  mmapLock(mm: number, mode: "read" | "write"): void {
    const running = this.frames[this.frames.length - 1];
    if (running !== undefined) this.check(mm, mode, running.step, this.frames.length - 1);
  }

  /** Throw WouldBlockError when one of the first `upTo` frames (the interrupted steps) holds `mm`'s lock against `mode` that `step` needs. */
  private check(mm: number, mode: "read" | "write", step: number, upTo: number): void {
    for (let k = 0; k < upTo; k++) {
      const f = this.frames[k];
      for (const h of f.holds) {
        if (h.mm === mm && (h.mode === "write" || mode === "write")) {
          this.blockedStep = step;
          throw new WouldBlockError(f.points[f.cursor - 1], mm, mode, `step ${step} (${this.loaded.steps[step].op}), run inside step ${f.step} (${this.loaded.steps[f.step].op}),`);
        }
      }
    }
  }
}
