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
 * @module
 */

/** A step of a block: its thread and its index in that thread (from 0). */
export interface ThreadStep {
  /** The thread's name. */
  readonly thread: string;
  /** The step's index inside its thread. */
  readonly index: number;
}

/** What to enumerate. */
export interface InterleavingOptions {
  /** The threads and their step counts. */
  readonly threads: readonly { readonly name: string; readonly count: number }[];
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
  const pos = new Map(names.map((n) => [n, 0]));
  const total = opts.threads.reduce((a, t) => a + t.count, 0);
  const order: string[] = [];
  let explored = 0;
  let beyondBound = false;
  let stopped = false;
  const step = (t: string): ThreadStep => ({ thread: t, index: pos.get(t) ?? 0 });
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
      const p = pre + (last !== undefined && last !== t && (pos.get(last) ?? 0) < (count.get(last) ?? 0) ? 1 : 0);
      if (opts.bound !== undefined && p > opts.bound) {
        cut = true;
        beyondBound = true;
        continue;
      }
      const ind = opts.independent;
      const mine = step(t);
      const nextSleep = ind === undefined ? [] : [...sleep, ...done].filter((s) => ind(step(s), mine));
      pos.set(t, mine.index + 1);
      order.push(t);
      const below = dfs(t, p, nextSleep);
      order.pop();
      pos.set(t, mine.index);
      if (below) cut = true;
      else done.push(t);
    }
    return cut;
  };
  dfs(undefined, 0, []);
  return { orders: multinomial(opts.threads.map((t) => t.count)), explored, beyondBound, exhaustive: !stopped };
}
