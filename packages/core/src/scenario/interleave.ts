/**
 * (issue 21) Running a scenario's concurrent blocks in other orders: the same loaded scenario
 * with each block's flat steps (and their source paths) laid out in a given order. Nothing else
 * changes: the runner runs the result as any scenario.
 * @module
 */
import type { ConcurrentBlock, SourcePath } from "./concurrent-block.js";
import { stepPath, type LoadedScenario } from "./load-scenario.js";
import type { Step } from "./schema/steps.js";

/**
 * A merge of `block`'s threads in `order` (a thread name per step): each thread's steps in
 * program order. Throws RangeError when `order` is not such a merge.
 */
export function interleaveBlock(block: ConcurrentBlock, order: readonly string[]): { steps: Step[]; paths: SourcePath[] } {
  const next = new Map(block.threads.map((t) => [t.name, 0]));
  const steps: Step[] = [];
  const paths: SourcePath[] = [];
  for (const name of order) {
    const t = block.threads.find((x) => x.name === name);
    const k = next.get(name) ?? 0;
    if (t === undefined || k >= t.steps.length) throw new RangeError(`order ${order.join(",")} is not a merge of the block's threads`);
    steps.push(t.steps[k]);
    paths.push(t.paths[k]);
    next.set(name, k + 1);
  }
  if (steps.length !== block.order.length) throw new RangeError(`order ${order.join(",")} leaves steps out`);
  return { steps, paths };
}

/** `loaded` with block `b` run in `orders[b]` (one order per block, as {@link interleaveBlock} takes it). */
export function withOrders(loaded: LoadedScenario, orders: readonly (readonly string[])[]): LoadedScenario {
  const blocks = loaded.blocks ?? [];
  if (orders.length !== blocks.length) throw new RangeError(`expected ${blocks.length} orders, one per concurrent block; got ${orders.length}`);
  const steps = [...loaded.steps];
  const paths = loaded.steps.map((_, i) => stepPath(loaded, i));
  blocks.forEach((b, i) => {
    const merged = interleaveBlock(b, orders[i]);
    steps.splice(b.start, merged.steps.length, ...merged.steps);
    paths.splice(b.start, merged.paths.length, ...merged.paths);
  });
  return { ...loaded, steps, paths, blocks: blocks.map((b, i) => ({ ...b, order: orders[i] })) };
}
