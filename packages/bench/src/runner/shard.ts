/**
 * `--shard K/N`: a deterministic subset of the cells, so N processes or machines can split a
 * matrix and `bench merge` can put the parts back together.
 * @module
 */
import { BenchInputError } from "./bench-input-error.js";

/** Shard K of N (1-based K). */
export interface Shard {
  /** This shard, 1..count. */
  readonly index: number;
  /** Number of shards. */
  readonly count: number;
}

/** Parse `K/N` with 1 <= K <= N; throws {@link BenchInputError} naming `--shard`. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (m === null) throw new BenchInputError(`--shard must look like K/N (e.g. 1/4), got "${text}"`, "--shard");
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new BenchInputError(`--shard ${text}: K must be between 1 and N, and N at least 1`, "--shard");
  return { index, count };
}

/** The cells of shard `shard`: every N-th cell of the canonical order, starting at the K-th. */
export function selectShard<T>(cells: readonly T[], shard: Shard | undefined): T[] {
  if (shard === undefined) return [...cells];
  return cells.filter((_, i) => i % shard.count === shard.index - 1);
}
