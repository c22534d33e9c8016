/**
 * (issue 21) Steps run at another step's preemption point: inside it (the Dirty COW window of a
 * forced write at v4.8), after it when it never reaches the point, and never when they would
 * wait for the mmap lock it holds there (the run stops: that order cannot happen).
 */
import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, runScenario } from "../index.js";
import { testContainer } from "../testing/index.js";

const c = testContainer();
const plugins = pluginView(c);

/** A forced write into a read-only private file mapping, racing `other`, in `order`. */
const race = (kernel: string, other: string, order: string, before = "") => `name: nest
policy: test-exact
machine: { memory: 16MiB, kernel: ${kernel} }
files: [ { name: f, fs: ext4, size: 4KiB } ]
processes: [owner, victim]
steps:
  - { op: mmap, proc: owner, as: s, length: 4KiB, prot: [read, write], flags: [shared], file: f }
  - { op: write, proc: owner, addr: s, data: "root" }
  - { op: mmap, proc: victim, as: ro, length: 4KiB, prot: [read], flags: [private], file: f }
${before}  - op: concurrent
    threads:
      w:
        - { op: proc_mem_write, proc: victim, addr: ro, data: "HACK", expect: { result: 4 } }
      z:
        - ${other}
    order: ${order}
  - { op: check, expect: { data: { proc: owner, addr: s, equals: "root" } } }
`;
const dontneed = "{ op: madvise, proc: victim, addr: ro, length: 4KiB, advice: dontneed }";

describe("a step run at another's preemption point", () => {
  it("runs inside it: at v4.8 the forced write's retried lookup finds the file's page (Dirty COW)", () => {
    const l = loadScenario(race("v4.8", dontneed, "[w, z, w]"), "n.yaml", plugins);
    expect(l.nested).toEqual([undefined, undefined, undefined, undefined, { step: 3, point: "gup.faultin" }, undefined]);
    const r = runScenario(l, { container: c }).results[0];
    expect(r.steps.map((s) => [s.index, s.op, s.inside?.step])).toEqual([[0, "mmap", undefined], [1, "write", undefined], [2, "mmap", undefined], [3, "proc_mem_write", undefined], [4, "madvise", 3], [5, "check", undefined]]);
    expect(r.steps[3].expectations.every((e) => e.pass)).toBe(true); // the step's own expectations are its, not the nested step's
    expect(r.steps[5].expectations[0]).toMatchObject({ key: "data", pass: false, actual: "HACK" });
  });

  it("at v4.9 the same order leaves the file alone, and before or after the step it is harmless at v4.8", () => {
    expect(runScenario(loadScenario(race("v4.9", dontneed, "[w, z, w]"), "n.yaml", plugins), { container: c }).results[0].passed).toBe(true);
    expect(runScenario(loadScenario(race("v4.8", dontneed, "[w, w, z]"), "n.yaml", plugins), { container: c }).results[0].passed).toBe(true);
    expect(runScenario(loadScenario(race("v4.8", dontneed, "[z, w, w]"), "n.yaml", plugins), { container: c }).results[0].passed).toBe(true);
  });

  it("runs after the step when the step never reaches the point (a writable page: no fault to retry)", () => {
    const text = `name: unreached
policy: test-exact
machine: { memory: 16MiB }
processes: [p1]
steps:
  - { op: mmap, proc: p1, as: a, length: 4KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: write, proc: p1, addr: a, data: "...." }
  - op: concurrent
    threads:
      w:
        - { op: proc_mem_write, proc: p1, addr: a, data: "HACK" }
      z:
        - { op: write, proc: p1, addr: a, data: "zz" }
    order: [w, z, w]
  - { op: read, proc: p1, addr: a, length: 4, expect: { result: "zzCK" } }
`;
    const r = runScenario(loadScenario(text, "u.yaml", plugins), { container: c }).results[0];
    expect(r.passed).toBe(true);
    expect(r.steps[3]).toMatchObject({ op: "write", inside: { step: 2, point: "gup.faultin" } });
  });

  it("stops the run when it would wait for the lock the interrupted step holds: munmap at gup.faultin", () => {
    const munmap = "{ op: munmap, proc: victim, addr: ro, length: 4KiB }";
    const r = runScenario(loadScenario(race("v4.8", munmap, "[w, z, w]"), "n.yaml", plugins), { container: c }).results[0];
    expect(r.passed).toBe(false);
    expect(r.blocked).toMatchObject({ step: 4, point: "gup.faultin", message: expect.stringMatching(/step 4 \(munmap\), run inside step 3 \(proc_mem_write\), would wait for the mmap lock \(write\) held across gup.faultin: this order cannot happen/) });
    expect(r.steps.map((s) => s.index)).toEqual([0, 1, 2]);
  });

  it("refuses at load an order where an interrupted step goes on before the step inside it ends", () => {
    const text = race("v4.8", "{ op: proc_mem_write, proc: owner, addr: s, data: \"x\" }", "[w, z, w, z]");
    expect(() => loadScenario(text, "n.yaml", plugins)).toThrow(/field "steps\[3\]\.order\[2\]": thread "w" goes on with its step 0 while thread "z"'s step, which runs inside it, has not finished/);
  });
});
