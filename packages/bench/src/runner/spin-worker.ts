/**
 * The worker-thread entry of the capacity probe (`measureSpinners` in `capacity-probe.ts`): pure CPU work and
 * nothing else (no allocation, no memory traffic beyond registers), so that how much faster two
 * of them finish than one says what the machine's cores give, not what pinlab does.
 * @module
 */

/**
 * Spin through `iterations` steps of a 32-bit xorshift and return the final state (returned so
 * that the loop cannot be optimised away). tinypool calls the default export.
 */
export default function spin(iterations: number): number {
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x;
}
