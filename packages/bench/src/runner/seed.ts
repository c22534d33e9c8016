/**
 * Cell seeds: derived from the run's seed and the cell id alone, so a cell gets the same seed
 * whichever shard, worker or order runs it.
 * @module
 */

/** FNV-1a over the UTF-16 code units of `text`, as an unsigned 32-bit integer. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The seed of cell `cellId` in a run seeded with `seed` (a non-negative 31-bit integer). */
export function cellSeed(seed: number, cellId: string): number {
  return fnv1a(`${seed}/${cellId}`) & 0x7fffffff;
}

/**
 * The seed of replicate `replicate` (0-based) of cell `cellId` with `--seeds N`: replicate 0 has
 * the cell's own seed ({@link cellSeed}, so `--seeds 1` runs what a run without `--seeds` runs and
 * more seeds only add runs), replicate r > 0 the seed of `cellId#r`.
 */
export function replicateSeed(seed: number, cellId: string, replicate: number): number {
  return cellSeed(seed, replicate === 0 ? cellId : `${cellId}#${replicate}`);
}
