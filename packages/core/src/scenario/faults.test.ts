/**
 * `machine.faults` in scenario files: loaded and passed to the kernel, bad specs refused at their
 * line with the field named, the `faults:` expectation, the `fault_inject` trace event, and
 * determinism (the same seed fails the same calls; a spec at one point does not move another's
 * failures; a run without faults is the run it always was).
 */
import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, runScenario, ScenarioError } from "../index.js";
import { testContainer } from "../testing/index.js";

const c = testContainer();
const plugins = pluginView(c);

/** A story of 16 write faults and 16 peeks, with `faults` spliced into the machine. */
function story(faults: string, seed = 1): string {
  return `
name: faults-story
seed: ${seed}
policy: test-exact
machine: { memory: 16MiB${faults !== "" ? `, faults: ${faults}` : ""} }
processes: [p1]
steps:
  - { op: mmap, proc: p1, as: buf, length: 64KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: gup, proc: p1, addr: buf, pages: 16, call: pin_user_pages, flags: [FOLL_WRITE], as: h }
${Array.from({ length: 16 }, (_, i) => `  - { op: peek, handle: h, offset: ${i * 4096}, length: 1 }`).join("\n")}
  - { op: release, handle: h }
  - { op: check, expect: { invariants: true } }
`;
}

const run = (text: string, opts: { seed?: number; trace?: boolean } = {}) => runScenario(loadScenario(text, "faults.yaml", plugins), { container: c, checkInvariants: true, ...opts }).results[0];
const peekErrnos = (r: ReturnType<typeof run>) => r.steps.filter((s) => s.op === "peek").map((s) => s.errno ?? "ok");

describe("machine.faults in a scenario", () => {
  it("fails the calls the spec names, reports them in the faults expectation and the trace", () => {
    const text = `
name: faults-alloc
policy: test-exact
machine: { memory: 16MiB, faults: { alloc: { at: [3] }, dma: { every: 2, times: 1 } } }
processes: [p1]
steps:
  - { op: mmap, proc: p1, as: buf, length: 16KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: gup, proc: p1, addr: buf, pages: 4, call: pin_user_pages, flags: [FOLL_WRITE], as: h, expect: { result: 2, faults: { alloc: { calls: 3, injected: 1 } } } }
  - { op: peek, handle: h, length: 1, expect: { ok: true } }
  - { op: peek, handle: h, length: 1, expect: { errno: EIO, faults: { dma: { calls: 2, injected: 1 } } } }
  - { op: peek, handle: h, length: 1, expect: { ok: true } }
  - { op: release, handle: h, expect: { counters: { nr_foll_pin_acquired: 2, nr_foll_pin_released: 2 }, invariants: true } }
  - { op: check, expect: { faults: { migrate: { calls: 0 }, writeback: { injected: 0 } } } }
`;
    const r = run(text, { trace: true });
    const bad = r.steps.flatMap((s) => s.expectations.filter((e) => !e.pass).map((e) => `step ${s.index} ${e.key}: ${JSON.stringify(e.actual)}`));
    expect(bad).toEqual([]);
    expect(r.passed).toBe(true);
    const injected = (r.events ?? []).filter((e) => e.type === "fault_inject").map((e) => e as unknown as { point: string; call: number });
    expect(injected.map((e) => `${e.point}#${e.call}`)).toEqual(["alloc#3", "dma#2"]);
  });

  it("is deterministic: the same seed fails the same calls, another seed others", () => {
    const p = story("{ dma: { probability: 0.5 } }", 5);
    const a = run(p);
    expect(peekErrnos(a)).toEqual(peekErrnos(run(p)));
    expect(run(p).eventsHash).toBe(a.eventsHash);
    expect(peekErrnos(a)).toContain("EIO");
    expect(peekErrnos(a)).toContain("ok");
    expect(peekErrnos(run(story("{ dma: { probability: 0.5 } }", 6)))).not.toEqual(peekErrnos(a));
  });

  it("a spec at another point does not move this point's failures", () => {
    const alone = peekErrnos(run(story("{ dma: { probability: 0.5 } }", 5)));
    expect(peekErrnos(run(story("{ dma: { probability: 0.5 }, writeback: { probability: 0.5 }, migrate: { probability: 0.9 } }", 5)))).toEqual(alone);
  });

  it("without faults (or with specs that never fire) the events are those of a run without the field", () => {
    const plain = run(story(""));
    expect(run(story("{ alloc: { at: [1000] }, dma: { every: 1000 } }")).eventsHash).toBe(plain.eventsHash);
    expect(run(story("{}")).eventsHash).toBe(plain.eventsHash);
  });

  it.each([
    ["{ alloc: { every: 2, at: [1] } }", 'field "machine.faults.alloc": give exactly one of every, at, probability (got every and at)'],
    ["{ dma: {} }", 'field "machine.faults.dma": give exactly one of every, at, probability (got none)'],
    ["{ alloc: { probability: 2 } }", 'field "machine.faults.alloc.probability": expected a probability greater than 0 and at most 1'],
    ["{ migrate: { at: [0] } }", 'field "machine.faults.migrate.at[0]": expected a call index: a whole number, at least 1'],
    ["{ writeback: { every: 1, times: -1 } }", 'field "machine.faults.writeback.times": expected a whole number of calls, at least 1'],
    ["{ disk: { every: 1 } }", 'field "machine.faults.disk": unknown field "disk"; expected one of: alloc, migrate, writeback, dma'],
  ])("refuses faults: %s at its line, naming the field", (faults, message) => {
    let err: unknown;
    try {
      loadScenario(story(faults), "faults.yaml", plugins);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).message).toContain(`faults.yaml:5:`);
    expect((err as ScenarioError).message).toContain(message);
  });
});
