/**
 * (issue 21) The static independence relation: only process-local ops of two different,
 * never-forked processes on their own private anonymous memory commute.
 */
import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, stepIndependence } from "../index.js";
import { testContainer } from "../testing/index.js";

const text = `name: ind
policy: test-exact
machine: { memory: 16MiB }
processes: [p1, p2, p3]
files: [{ name: f, fs: ext4, size: 16KiB }]
steps:
  - { op: mmap, proc: p1, as: a, length: 8KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: mmap, proc: p2, as: b, length: 8KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: mmap, proc: p2, as: s, length: 8KiB, prot: [read, write], flags: [shared, anonymous] }
  - { op: mmap, proc: p2, as: fm, length: 8KiB, prot: [read, write], flags: [shared], file: f }
  - { op: write, proc: p1, addr: a, data: "x" }
  - { op: write, proc: p2, addr: b+4KiB, data: "y" }
  - { op: write, proc: p2, addr: s, data: "y" }
  - { op: write, proc: p2, addr: fm, data: "y" }
  - { op: touch, proc: p1, addr: a, length: 4KiB, expect: { counters: { nr_cow: 0 } } }
  - { op: gup, proc: p2, addr: b, pages: 1, call: pin_user_pages, as: h }
  - { op: write, proc: p1, addr: a, data: "z", expect: { data: { proc: p1, addr: a, equals: "z" } } }
  - { op: fork, proc: p3, child: c3 }
  - { op: mmap, proc: p3, as: c, length: 8KiB, prot: [read, write], flags: [private, anonymous] }
`;

describe("step independence", () => {
  const l = loadScenario(text, "i.yaml", pluginView(testContainer()));
  const ind = stepIndependence(l.steps);
  const s = l.steps;
  it.each([
    [0, 1, true, "two private anonymous mmaps of different processes"],
    [4, 5, true, "writes to private anonymous memory of different processes"],
    [4, 10, false, "the same process"],
    [4, 6, false, "a shared anonymous mapping"],
    [4, 7, false, "a shared file mapping"],
    [4, 8, false, "an expectation on a machine-wide counter"],
    [5, 10, true, "an expectation on the process's own data"],
    [4, 9, false, "a gup"],
    [0, 12, false, "a process that forks"],
  ])("steps %i and %i independent: %s (%s)", (i, j, want) => {
    expect(ind(s[i], s[j])).toBe(want);
    expect(ind(s[j], s[i])).toBe(want);
  });
});
