/**
 * (issue 21) How a concurrent block's `order` runs when some steps have preemption points: the
 * order names a thread per *part* (a step with k points has k + 1 parts, see `step-points.ts`).
 * A step starts at its first part; when it stops at a point, the parts the order gives other
 * threads next run there, inside it, until its own next part comes. A step run at a point must
 * end before the step it interrupted goes on (the model runs it to its end there: a CPU that
 * took the window finishes its work before the interrupted one resumes). So the steps open at
 * any moment form a stack: only the newest may go on.
 * Steps are numbered by when they start: a step run at a point is numbered after the step it
 * interrupts.
 * @module
 */

/** A thread of a block: its name and the parts of each of its steps (1 for a step with no point). */
export interface ScheduleThread {
  /** The thread's name. */
  readonly name: string;
  /** Parts per step, in program order. */
  readonly parts: readonly number[];
}

/** Where a step runs when it runs at another's point: that step's position (in start order) and the point's index in its points. */
export interface ScheduledNesting {
  /** The position, in start order, of the step interrupted. */
  readonly parent: number;
  /** Which of its points (0: the first). */
  readonly point: number;
}

/** A block's order, scheduled: the steps in start order and where each runs. */
export interface BlockSchedule {
  /** The steps in the order they start: thread and index in the thread. */
  readonly starts: readonly { readonly thread: string; readonly index: number }[];
  /** Per step in start order: where it runs inside another, or undefined when on its own. */
  readonly nested: readonly (ScheduledNesting | undefined)[];
}

/** Why an order cannot be scheduled: the position in the order and a message. */
export interface ScheduleProblem {
  /** The index in `order` of the entry at fault (order.length: the order ended early). */
  readonly at: number;
  /** What is wrong. */
  readonly message: string;
}

/**
 * Schedule `order` (a thread name per part; each thread named as often as its steps have parts)
 * over `threads`. Returns the schedule, or the problem: an entry for a thread whose open step is
 * not the newest open one (it would go on while a step it was interrupted by is not finished).
 */
export function scheduleBlock(threads: readonly ScheduleThread[], order: readonly string[]): BlockSchedule | ScheduleProblem {
  const byName = new Map(threads.map((t) => [t.name, t]));
  const step = new Map(threads.map((t) => [t.name, 0])); // the thread's current step
  const part = new Map(threads.map((t) => [t.name, 0])); // parts of it done
  const starts: { thread: string; index: number }[] = [];
  const nested: (ScheduledNesting | undefined)[] = [];
  const open: { thread: string; pos: number }[] = [];
  for (let i = 0; i < order.length; i++) {
    const name = order[i];
    const t = byName.get(name);
    const k = step.get(name) ?? 0;
    if (t === undefined || k >= t.parts.length) return { at: i, message: `thread "${name}" has no part left here` };
    const done = part.get(name) ?? 0;
    if (done === 0) {
      const top = open[open.length - 1];
      const pos = starts.length;
      starts.push({ thread: name, index: k });
      nested.push(top === undefined ? undefined : { parent: top.pos, point: (part.get(top.thread) ?? 1) - 1 });
      if (t.parts[k] > 1) open.push({ thread: name, pos });
    } else {
      const top = open[open.length - 1];
      if (top === undefined || top.thread !== name) {
        return { at: i, message: `thread "${name}" goes on with its step ${k} while thread "${top?.thread ?? "?"}"'s step, which runs inside it, has not finished: a step run at a point ends before the step it interrupted goes on` };
      }
    }
    if (done + 1 === t.parts[k]) {
      if (t.parts[k] > 1) open.pop();
      step.set(name, k + 1);
      part.set(name, 0);
    } else part.set(name, done + 1);
  }
  if (open.length > 0) return { at: order.length, message: `the order ends while thread "${open[open.length - 1].thread}"'s step is stopped at a point` };
  return { starts, nested };
}

/** True for a schedule problem. */
export function isScheduleProblem(s: BlockSchedule | ScheduleProblem): s is ScheduleProblem {
  return "message" in s;
}
