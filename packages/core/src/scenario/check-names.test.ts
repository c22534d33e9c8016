/**
 * Names in a scenario (check-names.ts): (issue 21) which concurrent block and thread made a name,
 * when a block's steps have preemption points (its `order` then counts parts, not steps).
 */
import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, ScenarioError, formatProblem } from "../index.js";
import { testContainer } from "../testing/index.js";

const plugins = pluginView(testContainer());

/** The load problems of `text`, formatted ([] when it loads). */
function problems(text: string): string[] {
  try {
    loadScenario(text, "n.yaml", plugins);
    return [];
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems.map(formatProblem);
    throw e;
  }
}

/** A block whose pin (3 parts) and fork (2 parts) threads bind `pins` and `c1`; `after` uses them after it. */
const withParts = (order: string, after: string) => `name: parts
policy: test-exact
machine: { memory: 16MiB }
processes: [p1]
steps:
  - { op: mmap, proc: p1, as: buf, length: 4KiB, prot: [read, write], flags: [private, anonymous, populate] }
  - op: concurrent
    threads:
      pin:
        - { op: gup, proc: p1, addr: buf, pages: 1, call: pin_user_pages_fast, flags: [FOLL_WRITE], as: pins }
      fork:
        - { op: fork, proc: p1, child: c1 }
${order}
${after}`;

describe("names made in a concurrent block with preemption points", () => {
  const after = [
    "  - { op: write, proc: p1, addr: buf, data: \"x\" }",
    "  - { op: poke, handle: pins, data: \"device\" }",
    "  - { op: read, proc: c1, addr: buf, length: 1 }",
  ].join("\n");

  it.each([["as written", ""], ["the pin inside fork", "    order: [fork, pin, pin, pin, fork]"]])(
    "lets the steps after the block use what its threads made (%s)",
    (_what, order) => {
      expect(problems(withParts(order, after))).toEqual([]);
    },
  );

  it("still refuses, inside the block, a name another thread makes", () => {
    const text = withParts("", "").replace("- { op: fork, proc: p1, child: c1 }", "- { op: release, handle: pins }");
    expect(problems(text)).toEqual([expect.stringMatching(/field "steps\[1\]\.threads\.fork\[0\]\.handle": "pins" is made by thread "pin" of the same concurrent block/)]);
  });
});
