import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { createToken } from "../di/tokens.js";

/**
 * The kernel instance's seeded random source (pure-rand's xoroshiro128+). Everything random in a
 * run (workload address choices, fault timing jitter) draws from here, so the same seed gives the
 * same run.
 */
export class Rng {
  private readonly gen: ReturnType<typeof xoroshiro128plus>;

  /** Seed the generator; the same seed always gives the same sequence. */
  constructor(readonly seed: number) {
    this.gen = xoroshiro128plus(seed | 0);
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    return this.gen.next() >>> 0;
  }

  /** A uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /** A uniform integer in [min, max] (inclusive). */
  nextInt(min: number, max: number): number {
    if (max < min) throw new RangeError(`rng: empty range [${min}, ${max}]`);
    return min + Math.floor(this.nextFloat() * (max - min + 1));
  }
}

/** The token of a kernel instance's seeded random source. */
export const RNG = createToken<Rng>("RNG");
