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

/** Visit the block's interleavings (see the module comment); `visit` gets each order (a thread name per step). */
export function interleavings(opts: InterleavingOptions, visit: (order: readonly string[], preemptions: number) => void): InterleavingStats {
  const names = opts.threads.map((t) => t.name).sort();
  const count = new Map(opts.threads.map((t) => [t.name, t.count]));
  const partsOf = new Map(opts.threads.map((t) => [t.name, t.parts ?? Array<number>(t.count).fill(1)]));
  const pos = new Map(names.map((n) => [n, 0]));
  const total = opts.threads.reduce((a, t) => a + t.count, 0);
  const order: string[] = [];
  const open: string[] = []; // threads whose step is stopped at a point, newest last
  let explored = 0;
  let beyondBound = false;
  let stopped = false;
  /** The step and part thread `t`'s next entry is. */
  const step = (t: string): ThreadStep => {
    let u = pos.get(t) ?? 0;
    const parts = partsOf.get(t) ?? [];
    let k = 0;
    while (k < parts.length && u >= parts[k]) u -= parts[k++];
    return { thread: t, index: k, part: u };
  };
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
      if ((pos.get(t) ?? 0) >= (count.get(t) ?? 0) || sleep.includes(t)) continue;
      const mine = step(t);
      if ((mine.part ?? 0) > 0 && open[open.length - 1] !== t) continue; // not the newest open step: cannot go on yet
      const p = pre + (last !== undefined && last !== t && (pos.get(last) ?? 0) < (count.get(last) ?? 0) ? 1 : 0);
      if (opts.bound !== undefined && p > opts.bound) {
        cut = true;
        beyondBound = true;
        continue;
      }
      const ind = opts.independent;
      const nextSleep = ind === undefined ? [] : [...sleep, ...done].filter((s) => ind(step(s), mine));
      const nParts = partsOf.get(t)?.[mine.index] ?? 1;
      const opens = mine.part === 0 && nParts > 1;
      const closes = nParts > 1 && (mine.part ?? 0) + 1 === nParts;
      if (opens) open.push(t);
      if (closes) open.pop();
      pos.set(t, (pos.get(t) ?? 0) + 1);
      order.push(t);
      const below = dfs(t, p, nextSleep);
      order.pop();
      pos.set(t, (pos.get(t) ?? 0) - 1);
      if (closes) open.push(t);
      if (opens) open.pop();
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
  const names = threads.map((t) => t.name);
  const parts = threads.map((t) => t.parts ?? Array<number>(t.count).fill(1));
  const memo = new Map<string, number>();
  const pos = names.map(() => 0);
  const open: number[] = [];
  const where = (i: number) => {
    let u = pos[i];
    let k = 0;
    while (k < parts[i].length && u >= parts[i][k]) u -= parts[i][k++];
    return { k, u };
  };
  const walk = (): number => {
    const key = `${pos.join(",")}|${open.join(",")}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let n = 0;
    let any = false;
    for (let i = 0; i < names.length; i++) {
      if (pos[i] >= threads[i].count) continue;
      any = true;
      const { k, u } = where(i);
      if (u > 0 && open[open.length - 1] !== i) continue;
      const opens = u === 0 && parts[i][k] > 1;
      const closes = parts[i][k] > 1 && u + 1 === parts[i][k];
      if (opens) open.push(i);
      if (closes) open.pop();
      pos[i]++;
      n += walk();
      pos[i]--;
      if (closes) open.push(i);
      if (opens) open.pop();
    }
    const r = any ? n : 1;
    memo.set(key, r);
    return r;
  };
  return walk();
}
