/**
 * (issue 21) The exploration behind `pinlab explore`: every distinct interleaving of each
 * `concurrent` block (the product over blocks), within a preemption bound, reduced with sleep sets
 * over core's static step independence; each order runs deterministically (same seed) under each
 * policy and kernel era; for each hazard (class, outcome) and each failed expectation, the order with the fewest
 * preemptions that produces it (ties: the first in lexicographic thread order, the order the search
 * visits them in). The shortest is the shortest among the orders explored: an equivalent order
 * the reduction skipped gives the same finding, and may have fewer preemptions. A run whose order
 * cannot happen (a step at a preemption point would wait for a lock the interrupted step holds:
 * `PolicyResult.blocked`) is counted, and shows nothing.
 * @module
 */
import {
  HAZARD_CLASSES, interleavings, runUnderPolicy, stepIndependence, withOrders,
  type LoadedScenario, type RunOptions, type ConcurrentBlock, type SourcePath,
} from "@pinlab/core";

/** One finding: what some order produced, and the shortest such order. */
export interface ExploreFinding {
  /** A hazard class, or `expectation`. */
  readonly class: string;
  /** The hazard's outcome, or `<key> at step N` for a failed expectation (N: where it runs in `trace`). */
  readonly outcome: string;
  /** The policy it ran under. */
  readonly policy: string;
  /** The kernel era it ran at. */
  readonly kernel: string;
  /** The order: per block, the thread running each of its steps. */
  readonly trace: readonly (readonly string[])[];
  /** Preemptions in `trace`, summed over the blocks. */
  readonly preemptions: number;
}

/** What an exploration found. */
export interface Exploration {
  /** The naive count of orders: the product over blocks of each block's multinomial. */
  readonly orders: number;
  /** Orders run (per policy). */
  readonly explored: number;
  /** True when no order within the bound was skipped, other than ones equivalent to an order run. */
  readonly exhaustive: boolean;
  /** Some order exceeded the bound and was not run. */
  readonly beyondBound: boolean;
  /** The findings, by policy, then first found. */
  readonly findings: readonly ExploreFinding[];
  /** Per `policy@kernel`, the hazard classes no order within the bound shows. */
  readonly absent: Readonly<Record<string, readonly string[]>>;
  /** Runs (order, policy, kernel) that stopped because their order cannot happen. */
  readonly blocked: number;
  /** The `policy@kernel` runs of each order, in the order explored. */
  readonly runs: readonly string[];
}

/** How to explore. */
export interface ExploreOptions {
  /** The policies to run under. */
  readonly policies: readonly string[];
  /** The kernel eras to run at (each overrides `run.kernel`; undefined: `run`'s); absent or empty: `run`'s only. */
  readonly kernels?: readonly (string | undefined)[];
  /** Options of each run (container, kernel, seed, ...). */
  readonly run: RunOptions;
  /** At most this many preemptions per block (absent: no bound). */
  readonly bound?: number;
  /** Turn the sleep-set reduction off (every merge is run). */
  readonly noReduction?: boolean;
  /** Called after each order (for progress). */
  readonly onOrder?: (done: number) => void;
}

/** A failed expectation's identity: its key and where its step is written (stable across orders). */
const expectationId = (key: string, path: SourcePath) => `${key}@${path.join(".")}`;

/** The orders of each block, with their preemptions, and the enumeration's totals. */
function blockOrders(loaded: LoadedScenario, blocks: readonly ConcurrentBlock[], opts: ExploreOptions) {
  const independent = stepIndependence(loaded.steps);
  let orders = 1;
  let exhaustive = true;
  let beyondBound = false;
  const perBlock = blocks.map((b) => {
    const list: { order: readonly string[]; pre: number }[] = [];
    const stepOf = (t: { thread: string; index: number }) => b.threads.find((x) => x.name === t.thread)?.steps[t.index];
    const stats = interleavings({
      threads: b.threads.map((t) => ({ name: t.name, count: t.parts.reduce((x, y) => x + y, 0), parts: t.parts })),
      ...(opts.bound !== undefined ? { bound: opts.bound } : {}),
      ...(opts.noReduction === true ? {} : {
        independent: (x: { thread: string; index: number }, y: { thread: string; index: number }) => {
          const [sx, sy] = [stepOf(x), stepOf(y)];
          return sx !== undefined && sy !== undefined && independent(sx, sy);
        },
      }),
    }, (order, pre) => list.push({ order, pre }));
    orders *= stats.orders;
    exhaustive &&= stats.exhaustive;
    beyondBound ||= stats.beyondBound;
    return list;
  });
  return { perBlock, orders, exhaustive, beyondBound };
}

/** Explore `loaded` (see the module comment). */
export function exploreScenario(loaded: LoadedScenario, opts: ExploreOptions): Exploration {
  const blocks = loaded.blocks ?? [];
  const { perBlock, orders, exhaustive, beyondBound } = blockOrders(loaded, blocks, opts);
  const best = new Map<string, ExploreFinding>();
  const kernels: (string | undefined)[] = opts.kernels !== undefined && opts.kernels.length > 0 ? [...opts.kernels] : [undefined];
  const seen = new Map<string, Set<string>>();
  const runs: string[] = [];
  let explored = 0;
  let blocked = 0;
  const runOne = (sc: LoadedScenario, trace: readonly (readonly string[])[], pre: number, policy: string, kernelId: string | undefined) => {
    const r = runUnderPolicy(sc, policy, kernelId === undefined ? opts.run : { ...opts.run, kernel: kernelId });
    const kernel = r.kernel ?? kernelId ?? "";
    const key = `${policy}@${kernel}`;
    if (!seen.has(key)) {
      seen.set(key, new Set());
      runs.push(key);
    }
    if (r.blocked !== undefined) {
      blocked++;
      return;
    }
    const found = (id: string, cls: string, outcome: string) => {
      const old = best.get(`${key}|${id}`);
      if (old === undefined || pre < old.preemptions) best.set(`${key}|${id}`, { class: cls, outcome, policy, kernel, trace, preemptions: pre });
    };
    for (const h of r.hazards) {
      seen.get(key)?.add(h.class);
      found(`${h.class}/${h.outcome}`, h.class, h.outcome);
    }
    for (const s of r.steps) {
      const path = sc.paths?.[s.index] ?? ["steps", s.index];
      for (const e of s.expectations) if (!e.pass) found(expectationId(e.key, path), "expectation", `${e.key} at step ${s.index}`);
      if (s.error !== undefined) found(expectationId("error", path), "expectation", `error at step ${s.index}`);
    }
  };
  // The product over blocks, the first block's orders outermost (lexicographic over the whole trace).
  const combo = (b: number, trace: (readonly string[])[], pre: number): void => {
    if (b < perBlock.length) {
      for (const o of perBlock[b]) combo(b + 1, [...trace, o.order], pre + o.pre);
      return;
    }
    explored++;
    const sc = blocks.length === 0 ? loaded : withOrders(loaded, trace);
    for (const kernelId of kernels) for (const policy of opts.policies) runOne(sc, trace, pre, policy, kernelId);
    opts.onOrder?.(explored);
  };
  combo(0, [], 0);
  const rank = (f: ExploreFinding) => runs.indexOf(`${f.policy}@${f.kernel}`);
  const findings = [...best.values()].sort((a, b) => rank(a) - rank(b));
  const absent = Object.fromEntries(runs.map((k) => [k, HAZARD_CLASSES.filter((c) => !(seen.get(k)?.has(c) ?? false))]));
  return { orders, explored, exhaustive, beyondBound, findings, absent, blocked, runs };
}
