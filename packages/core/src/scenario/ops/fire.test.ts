/**
 * (issue 21) `fire`: a pending completion runs where the step stands, whatever its latency, so a
 * concurrent block can put it anywhere in an order; an unknown label is an error naming the
 * pending ones.
 */
import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, runScenario } from "../../index.js";
import { testContainer } from "../../testing/index.js";

const c = testContainer();
const plugins = pluginView(c);

const text = (steps: string) => `name: fire
policy: test-exact
machine: { memory: 16MiB, writeback_latency: 5ms }
files: [ { name: data, fs: ext4, size: 4KiB } ]
processes: [p1]
steps:
  - { op: mmap, proc: p1, as: a, length: 4KiB, prot: [read, write], flags: [shared], file: data }
  - { op: write, proc: p1, addr: a, data: "x" }
${steps}`;

describe("fire", () => {
  it("runs a pending writeback completion now, without moving the clock", () => {
    const r = runScenario(loadScenario(text(`  - { op: writeback, file: data, async: true, expect: { page: { proc: p1, addr: a, writeback: true } } }
  - { op: fire, event: "writeback:data", expect: { result: "writeback:data", page: { proc: p1, addr: a, writeback: false }, now: "0ns" } }
`), "f.yaml", plugins), { container: c }).results[0];
    expect(r.steps.map((s) => s.expectations.filter((e) => !e.pass))).toEqual([[], [], [], []]);
  });

  it("names the pending events when none has the label", () => {
    const r = runScenario(loadScenario(text(`  - { op: writeback, file: data, async: true }
  - { op: fire, event: "disk0:io1" }
`), "f.yaml", plugins), { container: c }).results[0];
    expect(r.steps[3].error).toMatch(/field "event": no pending event "disk0:io1"; pending now: writeback:data/);
  });
});
