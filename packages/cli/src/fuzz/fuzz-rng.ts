/**
 * The fuzzer's random choices: core's seeded {@link Rng} with the helpers a generator needs
 * (pick one, pick some, a coin with a bias, a weighted choice). The same seed gives the same
 * scenario, so a finding is replayed from its seed alone.
 * @module
 */
import { Rng } from "@pinlab/core";

/** A seeded source of the generator's choices. */
export class FuzzRng {
  private readonly rng: Rng;

  /** Seed it; the same seed always gives the same choices. */
  constructor(readonly seed: number) {
    this.rng = new Rng(seed);
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return this.rng.nextInt(min, max);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.rng.nextFloat() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError("fuzz: pick from an empty list");
    return xs[this.rng.nextInt(0, xs.length - 1)];
  }

  /** Each element of `xs` kept with probability `p`, in order. */
  some<T>(xs: readonly T[], p: number): T[] {
    return xs.filter(() => this.chance(p));
  }

  /** A key of `weights`, chosen in proportion to its weight (weights ≥ 0, one positive). */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let x = this.rng.nextFloat() * total;
    for (const [k, w] of entries) {
      x -= w;
      if (x < 0) return k;
    }
    return entries[entries.length - 1][0];
  }
}

/**
 * The seed of scenario `index` of a run seeded `base`: a 32-bit mix of both (splitmix32), so
 * neighbouring indices give unrelated scenarios and `--seed S` alone replays a whole run.
 */
export function scenarioSeed(base: number, index: number): number {
  let z = (Math.imul(base | 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}
