/**
 * (issue 21) The `concurrent` step: the loader flattens a block where it stands, in its `order`
 * (default: the threads one after the other, as written), numbers each step where it runs, and
 * points every message about a nested step at that step's own line.
 */
import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, runScenario, ScenarioError, withOrders, formatProblem } from "../index.js";
import { testContainer } from "../testing/index.js";

const c = testContainer();
const plugins = pluginView(c);

/** A scenario whose step 1 is a concurrent block with the given YAML lines (indented for `threads:`'s level). */
const scenario = (block: string, after = "") => `name: conc
policy: test-exact
machine: { memory: 16MiB }
processes: [p1, p2]
steps:
  - { op: mmap, proc: p1, as: a, length: 8KiB, prot: [read, write], flags: [private, anonymous] }
  - op: concurrent
${block}${after}`;

const twoThreads = `    threads:
      t1:
        - { op: write, proc: p1, addr: a, data: "one" }
        - { op: read, proc: p1, addr: a, length: 3, expect: { result: "one" } }
      t2:
        - { op: mmap, proc: p2, as: b, length: 4KiB, prot: [read, write], flags: [private, anonymous] }
        - { op: write, proc: p2, addr: b, data: "two" }
`;

function problems(text: string): string[] {
  try {
    loadScenario(text, "c.yaml", plugins);
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
}

describe("the concurrent step", () => {
  it("runs the threads one after the other, in the order written, when no order is given", () => {
    const l = loadScenario(scenario(twoThreads), "c.yaml", plugins);
    expect(l.steps.map((s) => s.op)).toEqual(["mmap", "write", "read", "mmap", "write"]);
    expect(l.paths).toEqual([["steps", 0], ["steps", 1, "threads", "t1", 0], ["steps", 1, "threads", "t1", 1], ["steps", 1, "threads", "t2", 0], ["steps", 1, "threads", "t2", 1]]);
    expect(l.blocks).toHaveLength(1);
    expect(l.blocks?.[0].start).toBe(1);
    expect(l.blocks?.[0].order).toEqual(["t1", "t1", "t2", "t2"]);
    expect(l.blocks?.[0].threads.map((t) => [t.name, t.steps.map((s) => s.op)])).toEqual([["t1", ["write", "read"]], ["t2", ["mmap", "write"]]]);
  });

  it("follows `order`, numbering each step where it runs, and the run passes", () => {
    const l = loadScenario(scenario(`${twoThreads}    order: [t2, t1, t2, t1]\n`, "  - { op: read, proc: p2, addr: b, length: 3, expect: { result: \"two\" } }\n"), "c.yaml", plugins);
    expect(l.steps.map((s) => s.op)).toEqual(["mmap", "mmap", "write", "write", "read", "read"]);
    expect(l.paths?.[5]).toEqual(["steps", 2]);
    const r = runScenario(l, { container: c }).results[0];
    expect(r.steps.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.passed).toBe(true);
  });

  it("withOrders runs the same scenario in another merge, and refuses what is not a merge", () => {
    const l = loadScenario(scenario(twoThreads), "c.yaml", plugins);
    const o = withOrders(l, [["t2", "t1", "t1", "t2"]]);
    expect(o.steps.map((s) => s.op)).toEqual(["mmap", "mmap", "write", "read", "write"]);
    expect(o.paths?.[1]).toEqual(["steps", 1, "threads", "t2", 0]);
    expect(runScenario(o, { container: c }).results[0].passed).toBe(true);
    expect(() => withOrders(l, [["t1", "t1", "t1", "t2"]])).toThrow(RangeError);
    expect(l.steps.map((s) => s.op)).toEqual(["mmap", "write", "read", "mmap", "write"]); // unchanged
  });

  it("names the nested step's field, numbered where it runs, at its own line", () => {
    const bad = twoThreads.replace(`{ op: write, proc: p2, addr: b, data: "two" }`, `{ op: write, proc: p2, addr: b, dat: "two" }`);
    expect(problems(scenario(bad)).sort()).toEqual([
      expect.stringMatching(/^c\.yaml:14:11: step 4 \(write\), field "steps\[1\]\.threads\.t2\[1\]\.data": missing field/),
      expect.stringMatching(/^c\.yaml:14:43: step 4 \(write\), field "steps\[1\]\.threads\.t2\[1\]\.dat": unknown field "dat"/),
    ]);
  });

  it("points a load-time name error of a nested step at its line", () => {
    const text = scenario(twoThreads.replace(`addr: a, length: 3, expect: { result: "one" } }`, `addr: a, length: 3 }\n        - { op: release, handle: nope }`));
    expect(problems(text)).toEqual([expect.stringMatching(/^c\.yaml:12:34: step 3 \(release\), field "steps\[1\]\.threads\.t1\[2\]\.handle": "nope" is used before it is defined/)]);
  });

  it("points a runtime error of a nested step at its line, numbered where it runs", () => {
    const text = scenario(twoThreads).replace("length: 8KiB", "length: 0").replace(`{ op: read, proc: p1, addr: a, length: 3, expect: { result: "one" } }`, `{ op: read, proc: p1, addr: a, length: 3 }`);
    const r = runScenario(loadScenario(text, "c.yaml", plugins), { container: c }).results[0];
    expect(r.steps[1].error).toMatch(/^c\.yaml:10:40: step 1 \(write\), field "steps\[1\]\.threads\.t1\[0\]\.addr": "a" has no value: step 0, which defines it, failed/);
  });

  it("refuses a name another thread of the block makes", () => {
    const text = scenario(twoThreads.replace(`{ op: write, proc: p1, addr: a, data: "one" }`, `{ op: write, proc: p1, addr: b, data: "one" }`), "").replace("t1:", "t3:").replace("processes: [p1, p2]", "processes: [p1, p2]");
    expect(problems(text.replace(/t3:\n((?:.*\n){2})/, "t3:\n$1").replace("    threads:\n      t3:", "    order: [t2, t3, t3, t2]\n    threads:\n      t3:")))
      .toEqual([expect.stringMatching(/field "steps\[1\]\.threads\.t3\[0\]\.addr": "b" is made by thread "t2" of the same concurrent block/)]);
  });

  it.each([
    ["one thread only", `    threads:\n      t1:\n        - { op: touch, proc: p1, addr: a, length: 4KiB }\n`, /c\.yaml:9:7: step 1 \(concurrent\), field "steps\[1\]\.threads": a concurrent block needs at least 2 threads, got 1/],
    ["a nested block", `${twoThreads}      t3:\n        - { op: concurrent, threads: {} }\n`, /step 1 \(concurrent\), field "steps\[1\]\.threads\.t3\[0\]\.op": a concurrent block cannot be nested/],
    ["an order with a step too many", `${twoThreads}    order: [t1, t2, t1, t2, t2]\n`, /field "steps\[1\]\.order": expected each thread name as many times as its steps have parts \(t1 x2, t2 x2; a step with preemption points has one part more per point\); got t2 x3/],
    ["an order naming no thread", `${twoThreads}    order: [t1, t9, t1, t2]\n`, /field "steps\[1\]\.order\[1\]": "t9" names no thread of this block/],
    ["an empty thread", `    threads:\n      t1: []\n      t2:\n        - { op: touch, proc: p1, addr: a, length: 4KiB }\n`, /field "steps\[1\]\.threads\.t1": expected a non-empty list of steps/],
    ["a bad thread name", `    threads:\n      "9x":\n        - { op: touch, proc: p1, addr: a, length: 4KiB }\n      t2:\n        - { op: touch, proc: p1, addr: a, length: 4KiB }\n`, /field "steps\[1\]\.threads\.9x": "9x" is not a thread name/],
    ["an expectation on the block", `${twoThreads}    expect: { ok: true }\n`, /field "steps\[1\]\.expect": unknown field "expect"/],
  ])("refuses %s, naming the field", (_what, block, message) => {
    const p = problems(scenario(block));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(message);
  });
});
