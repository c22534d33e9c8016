import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, runScenario, ScenarioError } from "../index.js";
import { testContainer } from "../testing/index.js";

const yaml = `
name: cow-after-fork
policy: test-exact
machine: { memory: 16MiB }
processes: [p1]
steps:
  - { op: mmap, proc: p1, as: buf, length: 16KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: write, proc: p1, addr: buf, data: "hello" }
  - op: gup
    proc: p1
    addr: buf
    pages: 1
    call: pin_user_pages
    flags: [FOLL_WRITE]
    as: h
    expect: { result: 1 }
  - { op: fork, proc: p1, child: c1 }
  - { op: write, proc: p1, addr: buf, data: "HELLO" }
  - op: peek
    handle: h
    length: 5
    expect: { result: "HELLO" }
  - op: check
    expect:
      page: { proc: p1, addr: buf, anon_exclusive: true, maybe_dma_pinned: true }
      data: { proc: c1, addr: buf, equals: "hello" }
      counters: { nr_foll_pin_acquired: 1 }
      hazards: { class: cow_divergence, outcome: prevented }
      invariants: true
  - { op: release, handle: h, dirty: true }
  - op: check
    expect: { counters: { nr_foll_pin_released: 1 }, invariants: true }
`;

describe("scenario engine", () => {
  it("runs a story and checks expectations", () => {
    const c = testContainer();
    const loaded = loadScenario(yaml, "inline.yaml", pluginView(c));
    const report = runScenario(loaded, { container: c, checkInvariants: true });
    const r = report.results[0];
    const failed = r.steps.flatMap((s) => [...(s.error ? [`step ${s.index}: ${s.error}`] : []), ...s.expectations.filter((e) => !e.pass).map((e) => `step ${s.index}: ${e.key} expected ${JSON.stringify(e.expected)} got ${JSON.stringify(e.actual)}`)]);
    expect(failed).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.eventsHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reports bad input with file, line, step and field", () => {
    const c = testContainer();
    const bad = `name: x\nmachine: { memory: 16MiB }\nprocesses: [p1]\nsteps:\n  - { op: mmap, proc: p1, length: 4KiB, prot: [read], flags: [privat, anonymous] }\n`;
    try {
      loadScenario(bad, "bad.yaml", pluginView(c));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      expect((e as Error).message).toMatch(/^bad\.yaml:5:\d+: step 0 \(mmap\), field "flags\[0\]": expected one of .*"private".*got "privat"/);
    }
  });
});
