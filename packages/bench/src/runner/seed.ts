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
