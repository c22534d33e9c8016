/**
 * (2.0) Placement fields of the mmap step as a run resolves them: `after: NAME` asks for the end
 * of NAME's mapping (rounded as the mapping was), `fixed` picks MAP_FIXED, MAP_FIXED_NOREPLACE or
 * a hint, and a name whose mmap failed is reported by the step that failed.
 */
import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, runScenario, type PolicyResult } from "../index.js";
import { testContainer } from "../testing/index.js";
import { mmapPlacement } from "./ops/mm-ops.js";

const c = testContainer();
const plugins = pluginView(c);

function run(steps: string): PolicyResult {
  const text = `name: t\npolicy: test-exact\nmachine: { memory: 16MiB }\nprocesses: [p1]\nsteps:\n${steps}`;
  return runScenario(loadScenario(text, "t.yaml", plugins), { container: c }).results[0];
}

describe("mmap placement in scenarios", () => {
  it("maps fixed: true to MAP_FIXED, false to a hint, and anything else (v1's plain addr) to MAP_FIXED_NOREPLACE", () => {
    expect([mmapPlacement(true), mmapPlacement(false), mmapPlacement("noreplace"), mmapPlacement(undefined)]).toEqual(["fixed", "hint", "noreplace", "noreplace"]);
  });

  it("places after: at the end of the named mapping, hugetlb lengths rounded to 2 MiB", () => {
    const r = run(`  - { op: mmap, proc: p1, as: h, addr: 268435456, length: 4KiB, prot: [read], flags: [private, anonymous, hugetlb] }
  - { op: mmap, proc: p1, as: a, after: h, length: 5000, prot: [read], flags: [private, anonymous] }
  - { op: mmap, proc: p1, after: a, length: 4KiB, prot: [read], flags: [private, anonymous] }
`);
    expect(r.steps.map((s) => s.result)).toEqual([0x1000_0000, 0x1020_0000, 0x1020_2000]);
  });

  it("reports an after: whose mmap failed by the step that failed", () => {
    const r = run(`  - { op: mmap, proc: p1, as: a, addr: 4096, length: 4KiB, prot: [read], flags: [private, anonymous] }
  - { op: mmap, proc: p1, after: a, length: 4KiB, prot: [read], flags: [private, anonymous] }
`);
    expect(r.steps[0].errno).toBe("EPERM");
    expect(r.steps[1].error).toMatch(/t\.yaml:\d+:\d+: step 1 \(mmap\), field "after": "a" has no value: step 0, which defines it, failed \(EPERM\)/);
  });
});
