/**
 * This machine's parallel capacity, measured rather than assumed from its core count: how much
 * faster k CPU spinners (worker threads doing nothing but a fixed amount of integer arithmetic,
 * `spin-worker.ts`) finish k units of work than one spinner finishes one. On k idle cores that
 * is k; where other work shares the cores (a CI runner, a shared workstation, a VM with stolen
 * time) it is less, and it is the most any bench could gain from k workers there and then.
 * `pinlab bench scaling` judges the bench's speed-up against it.
 * @module
 */
import { Tinypool } from "tinypool";
import { quantile } from "../probe/stats.js";
import { workerFile } from "./pool.js";

/** The fixed unit of work: iterations of the spinner's loop (about 0.12 s on one core of a current x86 server). */
export const SPIN_UNIT = 60_000_000;

/** Rounds of one probe: each times every spinner count once, in turn. */
export const SPIN_ROUNDS = 3;

/** Options of {@link measureSpinners}. */
export interface SpinnerOptions {
  /** Iterations per unit of work (default {@link SPIN_UNIT}); tests use fewer. */
  readonly iterations?: number;
  /** Rounds (default {@link SPIN_ROUNDS}). */
  readonly rounds?: number;
}

/**
 * Time spinners: for each round, for each count k of `counts` in turn (e.g. 1, then 2), k
 * spinners started at once on a pool of worker threads (tinypool, as the bench's cells), each
 * doing one unit; the time is until the last finishes. Returns every round's milliseconds, by
 * count. The threads are started and the loop compiled before anything is timed.
 */
export async function measureSpinners(counts: readonly number[], opts: SpinnerOptions = {}): Promise<Map<number, number[]>> {
  const iterations = opts.iterations ?? SPIN_UNIT;
  const rounds = opts.rounds ?? SPIN_ROUNDS;
  if (counts.length === 0 || counts.some((k) => !Number.isInteger(k) || k < 1)) throw new Error(`spinner counts must be whole numbers from 1, got ${JSON.stringify(counts)}`);
  const threads = Math.max(...counts);
  const times = new Map<number, number[]>(counts.map((k) => [k, []]));
  const pool = new Tinypool({ filename: workerFile("spin-worker").href, minThreads: threads, maxThreads: threads, isolateWorkers: false });
  const spinners = (k: number, n = iterations) => Promise.all(Array.from({ length: k }, () => pool.run(n) as Promise<number>));
  try {
    await spinners(threads, Math.ceil(iterations / 10));
    for (let r = 0; r < rounds; r++) {
      for (const k of counts) {
        const t0 = performance.now();
        await spinners(k);
        times.get(k)!.push(performance.now() - t0);
      }
    }
  } finally {
    await pool.destroy();
  }
  return times;
}

/** The median of every probe's rounds together, by spinner count (probes taken before and after the timed runs). */
export function medianSpinMs(...probes: readonly ReadonlyMap<number, readonly number[]>[]): Map<number, number> {
  const all = new Map<number, number[]>();
  for (const p of probes) for (const [k, ms] of p) all.set(k, [...(all.get(k) ?? []), ...ms]);
  return new Map([...all].map(([k, ms]) => [k, quantile([...ms].sort((a, b) => a - b), 0.5)]));
}

/**
 * The capacity for `k` threads: how much faster k spinners finish k units than 1 spinner
 * finishes 1, `k * oneMs / kMs` (2 on two idle cores, 1 on one core). Undefined when either
 * time is missing or not positive.
 */
export function spinnerCapacity(oneMs: number | undefined, kMs: number | undefined, k: number): number | undefined {
  if (oneMs === undefined || kMs === undefined || !(oneMs > 0) || !(kMs > 0)) return undefined;
  return (k * oneMs) / kMs;
}
