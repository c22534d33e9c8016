/**
 * (issue 21) Which thread of a concurrent block runs each step, for the steps table and the
 * stepper: a label per step (`wb 1/2`: thread `wb`, its first of two steps), the step it runs
 * inside when its block's order puts it at a preemption point of another step
 * (`LoadedScenario.nested`: "inside step 6 at gup_fast.read"), and each block's order as a strip
 * of steps with the one just run marked.
 */
import type { LoadedScenario, NestedAt } from "@pinlab/core";

/** The thread a step of a concurrent block belongs to. */
export interface StepThread {
  /** The block's index (in `LoadedScenario.blocks`). */
  readonly block: number;
  /** The thread's name. */
  readonly thread: string;
  /** Which of the thread's steps this is, from 1. */
  readonly nth: number;
  /** How many steps the thread has. */
  readonly of: number;
  /** Where it runs when it interrupts another step at a preemption point. */
  readonly nested?: NestedAt;
}

/** Per step of `loaded`, its thread (undefined for a step outside every block). */
export function stepThreads(loaded: Pick<LoadedScenario, "steps" | "paths" | "blocks" | "nested">): (StepThread | undefined)[] {
  const out: (StepThread | undefined)[] = loaded.steps.map(() => undefined);
  (loaded.blocks ?? []).forEach((b, block) => {
    const counts = new Map(b.threads.map((t) => [t.name, t.steps.length]));
    // `starts` lists the block's steps in running order (its `order` names a thread per part: a
    // step stopped at preemption points takes several entries).
    b.starts.forEach(({ thread, index }, k) => {
      const i = b.start + k;
      if (i >= out.length) return;
      const nested = loaded.nested?.[i];
      out[i] = { block, thread, nth: index + 1, of: counts.get(thread) ?? index + 1, ...(nested !== undefined ? { nested } : {}) };
    });
  });
  return out;
}

/** A step's thread as a person reads it: `wb 1/2`. */
export function threadLabel(t: StepThread): string {
  return `${t.thread} ${t.nth}/${t.of}`;
}

/** Where a nested step runs: `inside step 6 at gup_fast.read` (undefined for a step that runs on its own). */
export function nestedLabel(t: StepThread | undefined): string | undefined {
  return t?.nested === undefined ? undefined : `inside step ${t.nested.step} at ${t.nested.point}`;
}

/** A step's thread and, when nested, where it runs: `wb 1/2, inside step 6 at gup.faultin`. */
export function threadText(t: StepThread | undefined): string | undefined {
  if (t === undefined) return undefined;
  const nested = nestedLabel(t);
  return nested === undefined ? threadLabel(t) : `${threadLabel(t)}, ${nested}`;
}

/** Where a step of an order strip stands against the position. */
export type StripState = "done" | "current" | "next" | "todo";

/** One step of an order strip. */
export interface StripItem {
  /** The step's index. */
  readonly step: number;
  /** Its thread. */
  readonly thread: StepThread;
  /** `current`: the step just run (position step+1); `next`: the step about to run. */
  readonly state: StripState;
}

/** A block's order as a strip of its steps. */
export interface OrderStrip {
  /** The block's index. */
  readonly block: number;
  /** Its first step. */
  readonly start: number;
  /** Its steps, in running order. */
  readonly items: readonly StripItem[];
}

/** Every block's order at position `pos` (pos steps run: step pos-1 is current, step pos next). */
export function orderStrips(threads: readonly (StepThread | undefined)[], pos: number): OrderStrip[] {
  const strips: { block: number; start: number; items: StripItem[] }[] = [];
  threads.forEach((thread, step) => {
    if (thread === undefined) return;
    let strip = strips.find((s) => s.block === thread.block);
    if (strip === undefined) {
      strip = { block: thread.block, start: step, items: [] };
      strips.push(strip);
    }
    const state: StripState = step === pos - 1 ? "current" : step === pos ? "next" : step < pos ? "done" : "todo";
    strip.items.push({ step, thread, state });
  });
  return strips;
}
