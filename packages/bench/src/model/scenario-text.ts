/**
 * A generated scenario of a given number of steps, for the "a 10,000-step scenario runs in
 * under a second" goal: cycles of mmap, touch, write, pin, release, munmap.
 * @module
 */

/** Steps in one cycle. */
export const CYCLE_STEPS = 6;

/** YAML text of a scenario with exactly `steps` steps (at least 2). */
export function scenarioText(steps: number): string {
  const lines = [
    "name: generated-steps",
    "description: cycles of mmap, touch, write, pin_user_pages_fast, release, munmap (the bench's model micro-benchmark)",
    "machine: { memory: 256MiB }",
    "processes: [p1]",
    "steps:",
  ];
  let n = 0;
  let cycle = 0;
  while (n + CYCLE_STEPS <= steps) {
    const b = `b${cycle}`;
    const h = `h${cycle}`;
    lines.push(
      `  - { op: mmap, proc: p1, as: ${b}, length: 16KiB, prot: [read, write], flags: [private, anonymous] }`,
      `  - { op: touch, proc: p1, addr: ${b}, length: 16KiB, write: true }`,
      `  - { op: write, proc: p1, addr: ${b}, data: "cycle ${cycle}" }`,
      `  - { op: gup, proc: p1, addr: ${b}, pages: 4, call: pin_user_pages_fast, flags: [FOLL_WRITE], as: ${h}, expect: { result: 4 } }`,
      `  - { op: release, handle: ${h} }`,
      `  - { op: munmap, proc: p1, addr: ${b}, length: 16KiB }`,
    );
    n += CYCLE_STEPS;
    cycle++;
  }
  while (n < steps) {
    lines.push("  - { op: advance, time: 1us }");
    n++;
  }
  return `${lines.join("\n")}\n`;
}
