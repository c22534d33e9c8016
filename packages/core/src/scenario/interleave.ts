/**
 * (issue 21) Running a scenario's concurrent blocks in other orders: the same loaded scenario
 * with each block's flat steps (and their source paths) laid out in a given order, and the steps
 * run at other steps' preemption points marked (`nested`). Nothing else changes: the runner runs
 * the result as any scenario.
 * @module
 */
import { isScheduleProblem, scheduleBlock } from "./block-schedule.js";
import { nestedSteps, type ConcurrentBlock, type SourcePath } from "./concurrent-block.js";
import { stepPath, type LoadedScenario } from "./load-scenario.js";
import type { Step } from "./schema/steps.js";

/**
 * `block` run in `order` (a thread name per part, as `order:` is written): its steps in start
 * order with their paths, and the block as scheduled. Throws RangeError when `order` is not an
 * order of the block's threads (see `scheduleBlock`).
 */
export function interleaveBlock(block: ConcurrentBlock, order: readonly string[]): { steps: Step[]; paths: SourcePath[]; block: ConcurrentBlock } {
  const want = new Map(block.threads.map((t) => [t.name, t.parts.reduce((a, b) => a + b, 0)]));
  const seen = new Map<string, number>();
  for (const n of order) seen.set(n, (seen.get(n) ?? 0) + 1);
  for (const [n, c] of want) if (seen.get(n) !== c) throw new RangeError(`order ${order.join(",")} is not an order of the block's threads (${n} needs ${c} entries)`);
  if (order.length !== [...want.values()].reduce((a, b) => a + b, 0)) throw new RangeError(`order ${order.join(",")} names a thread the block does not have`);
  const schedule = scheduleBlock(block.threads, order);
  if (isScheduleProblem(schedule)) throw new RangeError(`order ${order.join(",")}: ${schedule.message}`);
  const steps: Step[] = [];
  const paths: SourcePath[] = [];
  for (const { thread, index } of schedule.starts) {
    const t = block.threads.find((x) => x.name === thread)!;
    steps.push(t.steps[index]);
    paths.push(t.paths[index]);
  }
  return { steps, paths, block: { ...block, order, starts: schedule.starts, nested: schedule.nested } };
}

/** `loaded` with block `b` run in `orders[b]` (one order per block, as {@link interleaveBlock} takes it). */
export function withOrders(loaded: LoadedScenario, orders: readonly (readonly string[])[]): LoadedScenario {
  const blocks = loaded.blocks ?? [];
  if (orders.length !== blocks.length) throw new RangeError(`expected ${blocks.length} orders, one per concurrent block; got ${orders.length}`);
  const steps = [...loaded.steps];
  const paths = loaded.steps.map((_, i) => stepPath(loaded, i));
  const out = blocks.map((b, i) => {
    const merged = interleaveBlock(b, orders[i]);
    steps.splice(b.start, merged.steps.length, ...merged.steps);
    paths.splice(b.start, merged.paths.length, ...merged.paths);
    return merged.block;
  });
  const { nested: _old, ...rest } = loaded;
  const nested = nestedSteps(out, steps);
  return { ...rest, steps, paths, blocks: out, ...(nested !== undefined ? { nested } : {}) };
}
