/**
 * (issue 21) The interleavings of one concurrent block: every merge of its threads (each
 * thread's steps in program order), enumerated depth-first with the threads taken in
 * lexicographic order of their names, optionally
 * - bounded: at most `bound` preemptions (a switch away from a thread that still has steps; the
 *   switches a block cannot avoid are not preemptions), and
 * - reduced with sleep sets (Godefroid, "Partial-Order Methods for the Verification of Concurrent
 *   Systems", 1996, ch. 5): after the subtree of a thread's next step is explored, that step
 *   sleeps in its later siblings' subtrees until a step dependent on it runs; an order whose every
 *   next step sleeps is equivalent to one explored, and is not run.
 * Under a bound a step is put to sleep only when its subtree lost nothing to the bound, so an
 * order within the bound is never skipped unless an equivalent one was explored: the search stays
 * exhaustive within the bound.
 * With `parts` (a step with preemption points is several parts, `block-schedule.ts`), the
 * entries are parts, and a thread whose step is stopped at a point may go on only when it is the
 * newest open step (the steps run at a point end before the step they interrupted goes on).
 * @module
 */

/** A step (or a part of one) of a block: its thread and its index in that thread (from 0). */
export interface ThreadStep {
  /** The thread's name. */
  readonly thread: string;
  /** The step's index inside its thread. */
  readonly index: number;
  /** With `parts`: which part of the step (0: its start). */
  readonly part?: number;
}

/** What to enumerate. */
export interface InterleavingOptions {
  /** The threads and their step counts (with `parts`: the parts of each step; `count` is then their sum). */
  readonly threads: readonly { readonly name: string; readonly count: number; readonly parts?: readonly number[] }[];
  /** When two steps of different threads commute (absent: no reduction, every merge is run). */
  readonly independent?: (a: ThreadStep, b: ThreadStep) => boolean;
  /** At most this many preemptions per order (absent: no bound). */
  readonly bound?: number;
  /** Stop after this many orders (absent: no limit); the result is then not exhaustive. */
  readonly limit?: number;
}

/** What an enumeration did. */
export interface InterleavingStats {
  /** The naive count: the multinomial coefficient (n1 + n2 + ...)! / (n1! n2! ...). */
  readonly orders: number;
  /** Orders visited. */
  readonly explored: number;
  /** Orders left out because they exceed the bound. */
  readonly beyondBound: boolean;
  /** True when every order within the bound was visited or is equivalent to one visited. */
  readonly exhaustive: boolean;
}

/** The multinomial coefficient of `counts`: how many merges of threads of these lengths there are. */
export function multinomial(counts: readonly number[]): number {
  let result = 1;
  let n = 0;
  for (const c of counts) {
    for (let k = 1; k <= c; k++) result = (result * (n + k)) / k;
    n += c;
  }
  return Math.round(result);
}

/** Preemptions in `order` of a block whose threads have `counts` steps. */
export function preemptions(order: readonly string[], counts: ReadonlyMap<string, number>): number {
  const done = new Map<string, number>();
  let p = 0;
  order.forEach((t, i) => {
    const last = i > 0 ? order[i - 1] : undefined;
    if (last !== undefined && last !== t && (done.get(last) ?? 0) < (counts.get(last) ?? 0)) p++;
    done.set(t, (done.get(t) ?? 0) + 1);
  });
  return p;
}

/**
 * Where each thread is in its parts, and the steps stopped at a point (newest last): the state
 * both walks below move through. A thread may run its next part when it has one left and it
 * starts a step, or its step is the newest stopped one.
 */
class PartCursor {
  private readonly pos = new Map<string, number>();
  private readonly parts = new Map<string, readonly number[]>();
  private readonly count = new Map<string, number>();
  private readonly open: string[] = [];

  constructor(threads: InterleavingOptions["threads"]) {
    for (const t of threads) {
      this.pos.set(t.name, 0);
      this.parts.set(t.name, t.parts ?? Array<number>(t.count).fill(1));
      this.count.set(t.name, t.count);
    }
  }

  /** True when thread `t` has a part left. */
  left(t: string): boolean {
    return (this.pos.get(t) ?? 0) < (this.count.get(t) ?? 0);
  }

  /** The step and part thread `t`'s next entry is. */
  at(t: string): ThreadStep {
    const parts = this.parts.get(t) ?? [];
    let u = this.pos.get(t) ?? 0;
    let k = 0;
    while (k < parts.length && u >= parts[k]) u -= parts[k++];
    return { thread: t, index: k, part: u };
  }

  /** True when thread `t` may run its next part now. */
  enabled(t: string): boolean {
    return this.left(t) && ((this.at(t).part ?? 0) === 0 || this.open[this.open.length - 1] === t);
  }

  /** Run thread `t`'s next part; returns what undoes it. */
  take(t: string): () => void {
    const { index, part = 0 } = this.at(t);
    const n = this.parts.get(t)?.[index] ?? 1;
    const opens = part === 0 && n > 1;
    const closes = n > 1 && part + 1 === n;
    if (opens) this.open.push(t);
    if (closes) this.open.pop();
    this.pos.set(t, (this.pos.get(t) ?? 0) + 1);
    return () => {
      this.pos.set(t, (this.pos.get(t) ?? 0) - 1);
      if (closes) this.open.push(t);
      if (opens) this.open.pop();
    };
  }

  /** The state as a string (for memoizing). */
  key(): string {
    return `${[...this.pos.values()].join(",")}|${this.open.join(",")}`;
  }
}

/** Visit the block's interleavings (see the module comment); `visit` gets each order (a thread name per step). */
export function interleavings(opts: InterleavingOptions, visit: (order: readonly string[], preemptions: number) => void): InterleavingStats {
  const names = opts.threads.map((t) => t.name).sort();
  const cursor = new PartCursor(opts.threads);
  const total = opts.threads.reduce((a, t) => a + t.count, 0);
  const order: string[] = [];
  let explored = 0;
  let beyondBound = false;
  let stopped = false;
  /** Explore from the current state; true when some order below was cut by the bound or the limit. */
  const dfs = (last: string | undefined, pre: number, sleep: readonly string[]): boolean => {
    if (order.length === total) {
      explored++;
      visit([...order], pre);
      if (opts.limit !== undefined && explored >= opts.limit) stopped = true;
      return false;
    }
    let cut = false;
    const done: string[] = [];
    for (const t of names) {
      if (stopped) return true;
      // Done, asleep, or not the newest stopped step: it cannot go on now.
      if (sleep.includes(t) || !cursor.enabled(t)) continue;
      const p = pre + (last !== undefined && last !== t && cursor.left(last) ? 1 : 0);
      if (opts.bound !== undefined && p > opts.bound) {
        cut = true;
        beyondBound = true;
        continue;
      }
      const ind = opts.independent;
      const mine = cursor.at(t);
      const nextSleep = ind === undefined ? [] : [...sleep, ...done].filter((s) => ind(cursor.at(s), mine));
      const undo = cursor.take(t);
      order.push(t);
      const below = dfs(t, p, nextSleep);
      order.pop();
      undo();
      if (below) cut = true;
      else done.push(t);
    }
    return cut;
  };
  dfs(undefined, 0, []);
  return { orders: orderCount(opts.threads), explored, beyondBound, exhaustive: !stopped };
}

/**
 * The naive count of orders: without parts the multinomial coefficient; with parts, the orders
 * the schedule allows (counted by the same walk without bound or reduction, memoized on the state).
 */
function orderCount(threads: InterleavingOptions["threads"]): number {
  if (threads.every((t) => t.parts === undefined || t.parts.every((p) => p === 1))) return multinomial(threads.map((t) => t.count));
  const cursor = new PartCursor(threads);
  const memo = new Map<string, number>();
  const walk = (): number => {
    const key = cursor.key();
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let n = 0;
    let any = false;
    for (const t of threads) {
      if (!cursor.left(t.name)) continue;
      any = true;
      if (!cursor.enabled(t.name)) continue;
      const undo = cursor.take(t.name);
      n += walk();
      undo();
    }
    const r = any ? n : 1;
    memo.set(key, r);
    return r;
  };
  return walk();
}
