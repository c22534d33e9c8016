/**
 * The worker-thread entry of the capacity probe (`measureSpinners` in `capacity-probe.ts`):
 * pure CPU work and nothing else (no allocation, no memory traffic beyond registers), so that how
 * much faster two of them finish than one says what the machine's cores give, not what pinlab
 * does. Four independent xorshift chains keep several integer units of a core busy at once: one
 * dependent chain would leave most of them idle, and two spinners on the two hardware threads of
 * one core would then look like two cores.
 * @module
 */

/**
 * Spin through `iterations` steps of four 32-bit xorshift chains and return their combined
 * state (returned so that the loop cannot be optimised away). tinypool calls the default export.
 */
export default function spin(iterations: number): number {
  let a = 0x9e3779b9 | 0;
  let b = 0x7f4a7c15 | 0;
  let c = 0x2545f491 | 0;
  let d = 0x6c8e9cf5 | 0;
  for (let i = 0; i < iterations; i++) {
    a ^= a << 13;
    a ^= a >>> 17;
    a ^= a << 5;
    b ^= b << 13;
    b ^= b >>> 17;
    b ^= b << 5;
    c ^= c << 13;
    c ^= c >>> 17;
    c ^= c << 5;
    d ^= d << 13;
    d ^= d >>> 17;
    d ^= d << 5;
  }
  return a ^ b ^ c ^ d;
}
