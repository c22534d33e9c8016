/**
 * (issue 21) Concurrent blocks: a `concurrent` step's threads are flattened into the ordinary
 * step list, where the block stands, in the order its `order` says (absent: the threads one
 * after the other, in the order written). `order` names a thread per part of a step: one for a
 * step with no preemption point, k + 1 for a step with k (`step-points.ts`); a step given parts
 * of other threads at its points runs them inside it (`block-schedule.ts`). A step inside a
 * block is numbered where it starts. Every
 * flat step keeps the source path it was written at (`["steps", 3, "threads", "a", 1]`), so a
 * message about it points at its own line, not at the block's.
 * @module
 */
import type { ScenarioProblem } from "./scenario-error.js";
import { fieldPath } from "./scenario-error.js";
import type { SourceMap } from "./source-map.js";
import { CONCURRENT_KEYS, CONCURRENT_OP, THREAD_NAME_PATTERN } from "./schema/concurrent.js";
import type { Step } from "./schema/steps.js";
import { isScheduleProblem, scheduleBlock, type BlockSchedule, type ScheduleThread } from "./block-schedule.js";
import { stepPreemptPoints } from "./step-points.js";
import type { PreemptPoint } from "../sim/preemption.js";

/** (issue 21) A step run at a preemption point of another: the step interrupted and the point. */
export interface NestedAt {
  /** The index of the step interrupted. */
  readonly step: number;
  /** The point it is interrupted at. */
  readonly point: PreemptPoint;
}

/** A path into the scenario document. */
export type SourcePath = readonly PropertyKey[];

/** One thread of a concurrent block: its name and its steps, in program order. */
export interface ConcurrentThread {
  /** The thread's name. */
  readonly name: string;
  /** Its steps, in order. */
  readonly steps: readonly Step[];
  /** The source path of each of its steps. */
  readonly paths: readonly SourcePath[];
  /** The parts of each of its steps in an `order` (1 + its preemption points). */
  readonly parts: readonly number[];
}

/** A concurrent block as the loader flattened it. */
export interface ConcurrentBlock {
  /** The flat index of the block's first step. */
  readonly start: number;
  /** Its threads, in the order written. */
  readonly threads: readonly ConcurrentThread[];
  /** The order it runs in: a thread name per part (per step when no step has a preemption point). */
  readonly order: readonly string[];
  /** Its steps in start order (the flat steps from `start` on): thread and index in the thread. */
  readonly starts: BlockSchedule["starts"];
  /** Per step in start order: where it runs inside another step of the block (positions in start order). */
  readonly nested: BlockSchedule["nested"];
}

/** A block before its steps are validated: where it starts and which raw step is which thread's. */
export interface RawBlock {
  /** The flat index of the block's first step. */
  readonly start: number;
  /** Thread names, in the order written, with the parts of each of their steps. */
  readonly threads: readonly ScheduleThread[];
  /** The order: a thread name per part. */
  readonly order: readonly string[];
  /** The order scheduled. */
  readonly schedule: BlockSchedule;
}

/** Raw steps flattened: the steps, the source path of each, and the blocks. */
export interface FlatSteps {
  /** The raw steps, in running order. */
  readonly raw: unknown[];
  /** The source path of each. */
  readonly paths: SourcePath[];
  /** The blocks. */
  readonly blocks: RawBlock[];
}

/** The field path a problem in the step at `path` names, `field` inside it: `steps[3].threads.a[1].addr` inside a block, `field` otherwise. */
export function fieldIn(path: SourcePath, field: string | undefined): string | undefined {
  if (path.length <= 2) return field;
  const at = fieldPath(path);
  return field === undefined || field === "" ? at : `${at}.${field}`;
}

const isMapLike = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Flatten every `concurrent` step of `rawSteps`; problems with a block go to `problems` (the block is then left out). */
export function flattenSteps(rawSteps: readonly unknown[], file: string, map: SourceMap, problems: ScenarioProblem[]): FlatSteps {
  const out: FlatSteps = { raw: [], paths: [], blocks: [] };
  rawSteps.forEach((raw, i) => {
    if (!isMapLike(raw) || raw.op !== CONCURRENT_OP) {
      out.raw.push(raw);
      out.paths.push(["steps", i]);
      return;
    }
    const block = checkBlock(raw, i, out.raw.length, file, map, problems);
    if (block === undefined) return;
    for (const { thread, index } of block.schedule.starts) {
      out.raw.push((raw.threads as Record<string, unknown[]>)[thread][index]);
      out.paths.push(["steps", i, "threads", thread, index]);
    }
    out.blocks.push(block);
  });
  return out;
}

/** Check one block's shape; undefined (and problems) when it is not sound. */
function checkBlock(raw: Record<string, unknown>, i: number, start: number, file: string, map: SourceMap, problems: ScenarioProblem[]): RawBlock | undefined {
  const before = problems.length;
  const at = (path: PropertyKey[], message: string) =>
    problems.push({ file, pos: map.pos(["steps", i, ...path]), step: start, op: CONCURRENT_OP, field: fieldPath(["steps", i, ...path]), message });
  for (const key of Object.keys(raw)) {
    if (!CONCURRENT_KEYS.includes(key)) problems.push({ file, pos: map.keyPos(["steps", i], key), step: start, op: CONCURRENT_OP, field: fieldPath(["steps", i, key]), message: `unknown field "${key}"; expected one of: ${CONCURRENT_KEYS.join(", ")} (a thread's steps carry their own as/expect)` });
  }
  if (!isMapLike(raw.threads)) {
    at(["threads"], `expected a map from thread names to lists of steps, got ${raw.threads === undefined ? "nothing" : "something else"}`);
    return undefined;
  }
  const threads: ScheduleThread[] = [];
  for (const [name, steps] of Object.entries(raw.threads)) {
    if (!THREAD_NAME_PATTERN.test(name)) at(["threads", name], `"${name}" is not a thread name ([A-Za-z_][A-Za-z0-9_.-]*)`);
    if (!Array.isArray(steps) || steps.length === 0) {
      at(["threads", name], "expected a non-empty list of steps");
      continue;
    }
    steps.forEach((s, k) => {
      if (isMapLike(s) && s.op === CONCURRENT_OP) at(["threads", name, k, "op"], "a concurrent block cannot be nested in another: give its threads' steps to the outer block's threads");
    });
    threads.push({ name, parts: steps.map((st) => 1 + stepPreemptPoints(st).length) });
  }
  if (Object.keys(raw.threads).length < 2) at(["threads"], `a concurrent block needs at least 2 threads, got ${Object.keys(raw.threads).length}`);
  const order = raw.order === undefined ? threads.flatMap((t) => Array<string>(partCount(t)).fill(t.name)) : checkOrder(raw.order, threads, (p, m) => at(["order", ...p], m));
  if (problems.length > before || order === undefined) return undefined;
  const schedule = scheduleBlock(threads, order);
  if (isScheduleProblem(schedule)) {
    at(schedule.at < order.length ? ["order", schedule.at] : ["order"], schedule.message);
    return undefined;
  }
  return { start, threads, order, schedule };
}

/** The parts of a thread's steps, summed: how often an `order` names it. */
const partCount = (t: ScheduleThread) => t.parts.reduce((a, b) => a + b, 0);

/** Check an `order`: thread names, each exactly as often as its thread has steps. */
function checkOrder(order: unknown, threads: readonly ScheduleThread[], at: (path: PropertyKey[], message: string) => void): string[] | undefined {
  const want = `each thread name as many times as its steps have parts (${threads.map((t) => `${t.name} x${partCount(t)}`).join(", ")}; a step with preemption points has one part more per point)`;
  if (!Array.isArray(order)) {
    at([], `expected a list of thread names: ${want}`);
    return undefined;
  }
  const seen = new Map<string, number>();
  let ok = true;
  order.forEach((n, k) => {
    if (typeof n !== "string" || !threads.some((t) => t.name === n)) {
      at([k], `${JSON.stringify(n)} names no thread of this block; threads: ${threads.map((t) => t.name).join(", ")}`);
      ok = false;
    } else seen.set(n, (seen.get(n) ?? 0) + 1);
  });
  if (!ok) return undefined;
  const wrong = threads.filter((t) => (seen.get(t.name) ?? 0) !== partCount(t));
  if (wrong.length > 0) {
    at([], `expected ${want}; got ${wrong.map((t) => `${t.name} x${seen.get(t.name) ?? 0}`).join(", ")}`);
    return undefined;
  }
  return order as string[];
}

/** The blocks of a validated scenario: each thread's steps taken from the flat list. */
export function concurrentBlocks(raw: readonly RawBlock[], steps: readonly Step[], paths: readonly SourcePath[]): ConcurrentBlock[] {
  return raw.map((b) => {
    const threads = b.threads.map((t) => ({ name: t.name, steps: [] as Step[], paths: [] as SourcePath[], parts: t.parts }));
    const sorted = b.schedule.starts.map((st, k) => ({ ...st, k })).sort((x, y) => x.index - y.index);
    for (const { thread, k } of sorted) {
      const t = threads.find((x) => x.name === thread);
      t?.steps.push(steps[b.start + k]);
      t?.paths.push(paths[b.start + k]);
    }
    return { start: b.start, threads, order: b.order, starts: b.schedule.starts, nested: b.schedule.nested };
  });
}

/** Per flat step, where it runs inside another step of its block (`LoadedScenario.nested`); undefined when no step is nested. */
export function nestedSteps(blocks: readonly ConcurrentBlock[], steps: readonly Step[]): (NestedAt | undefined)[] | undefined {
  if (!blocks.some((b) => b.nested.some((n) => n !== undefined))) return undefined;
  const out: (NestedAt | undefined)[] = steps.map(() => undefined);
  for (const b of blocks) {
    b.nested.forEach((n, k) => {
      if (n === undefined) return;
      const parent = b.start + n.parent;
      out[b.start + k] = { step: parent, point: stepPreemptPoints(steps[parent])[n.point] };
    });
  }
  return out;
}
