import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, resultMatches, runScenario, scenarioJsonSchema, type PolicyResult } from "../index.js";
import { testContainer } from "../testing/index.js";

const c = testContainer();
const plugins = pluginView(c);

function run(steps: string, extra = ""): PolicyResult {
  const text = `name: t\npolicy: test-exact\nmachine: { memory: 16MiB }\nprocesses: [p1]\n${extra}steps:\n${steps}`;
  return runScenario(loadScenario(text, "t.yaml", plugins), { container: c }).results[0];
}

describe("scenario runtime", () => {
  it("reports a name whose defining step failed, naming that step", () => {
    const r = run(`  - { op: mmap, proc: p1, as: big, length: 32TiB, prot: [read], flags: [private, anonymous] }
  - { op: touch, proc: p1, addr: big, length: 4KiB }
`);
    expect(r.steps[0].errno).toBe("ENOMEM");
    expect(r.steps[1].error).toMatch(/t\.yaml:\d+:\d+: step 1 \(touch\), field "addr": "big" has no value: step 0, which defines it, failed \(ENOMEM\)/);
    expect(r.passed).toBe(false);
  });

  it("reports the handle of a failed gup by the step that failed, and releases it as a no-op", () => {
    const r = run(`  - { op: mmap, proc: p1, as: buf, length: 8KiB, prot: [read], flags: [private, anonymous] }
  - { op: gup, proc: p1, addr: buf, pages: 2, call: pin_user_pages, flags: [FOLL_WRITE], as: h, expect: { errno: EFAULT } }
  - { op: peek, handle: h, offset: 0, length: 4 }
  - { op: poke, handle: h, data: "x" }
  - { op: release, handle: h }
`);
    expect(r.steps[2].error).toMatch(/step 2 \(peek\), field "handle": "h" has no value: step 1, which defines it, failed \(EFAULT\)/);
    expect(r.steps[3].error).toMatch(/step 3 \(poke\), field "handle": "h" has no value: step 1, which defines it, failed \(EFAULT\)/);
    expect(r.steps[4]).toMatchObject({ ok: true, errno: null });
    expect(r.steps[4].error).toBeUndefined();
  });

  it("binds the marker for every op that fails with `as`, even before it reaches the kernel (a gup naming an exited process)", () => {
    const r = run(`  - { op: mmap, proc: p1, as: buf, length: 8KiB, prot: [read], flags: [private, anonymous] }
  - { op: exit, proc: p1 }
  - { op: fork, proc: p1, child: c1, expect: { errno: ENOENT } }
  - { op: gup, proc: c1, addr: buf, pages: 1, call: pin_user_pages, as: h, expect: { errno: ENOENT } }
  - { op: peek, handle: h, offset: 0, length: 4 }
  - { op: release, handle: h }
`);
    expect(r.steps[3].errno).toBe("ENOENT");
    expect(r.steps[4].error).toMatch(/step 4 \(peek\), field "handle": "h" has no value: step 3, which defines it, failed \(ENOENT\)/);
    expect(r.steps[5]).toMatchObject({ ok: true, errno: null });
  });

  it("refuses to release a handle twice and to peek outside it", () => {
    const r = run(`  - { op: mmap, proc: p1, as: buf, length: 8KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: gup, proc: p1, addr: buf, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE], as: h }
  - { op: peek, handle: h, offset: 4KiB, length: 1 }
  - { op: release, handle: h }
  - { op: release, handle: h }
`);
    expect(r.steps[2].error).toMatch(/beyond the 1 page\(s\) handle "h" holds/);
    expect(r.steps[4].error).toBe('handle "h" was already released');
  });

  it("turns a kernel errno into errno, not into an error", () => {
    const r = run(`  - { op: read, proc: p1, addr: 65536, length: 4, expect: { errno: EFAULT, ok: false } }
`);
    expect(r.steps[0]).toMatchObject({ ok: false, errno: "EFAULT" });
    expect(r.steps[0].expectations.every((e) => e.pass)).toBe(true);
  });

  it("checks expect_by_policy only under its policy", () => {
    const text = `name: t\npolicy: test-exact\nmachine: { memory: 16MiB }\nsteps:\n  - op: check\n    expect_by_policy:\n      test-exact: { counters: { nr_cow: 0 } }\n`;
    const r = runScenario(loadScenario(text, "t.yaml", plugins), { container: c }).results[0];
    expect(r.steps[0].expectations).toEqual([{ key: "counters.nr_cow", expected: 0, actual: 0, pass: true, byPolicy: true }]);
  });

  it("checks counters.invalidations per MMU-notifier event, and names an unknown event", () => {
    const r = run(`  - { op: mmap, proc: p1, as: buf, length: 4KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: munmap, proc: p1, addr: buf, length: 4KiB, expect: { counters: { invalidations: { unmap: 1, release: 0 } } } }
  - { op: exit, proc: p1, expect: { counters: { invalidations: { unmap: 2 } } } }
`);
    expect(r.steps[1].expectations).toMatchObject([
      { key: "counters.invalidations.unmap", expected: 1, actual: 1, pass: true },
      { key: "counters.invalidations.release", expected: 0, actual: 0, pass: true },
    ]);
    // exit_mmap of an mm without a VMA: RELEASE only, no UNMAP.
    expect(r.steps[2].expectations).toMatchObject([{ key: "counters.invalidations.unmap", expected: 2, actual: 1, pass: false }]);
    const text = `name: t\nmachine: { memory: 16MiB }\nsteps:\n  - { op: check, expect: { counters: { invalidations: { unmapped: 1 } } } }\n`;
    expect(() => loadScenario(text, "t.yaml", plugins)).toThrowError(/t\.yaml:4:\d+: step 0 \(check\), field "expect\.counters\.invalidations\.unmapped": unknown field "unmapped"/);
  });

  it("runs processes as users (uid, default 1000) and checks counters.locked_vm by uid or by process; the report lists locked_vm per uid", () => {
    const text = `name: t
policy: test-exact
machine: { memory: 16MiB }
processes: [p1, { name: p2, uid: 1001, memlock: 64KiB }]
steps:
  - { op: fork, proc: p2, child: c2 }
  - op: check
    expect:
      counters: { locked_vm: { uid: 1000, pages: 0 } }
  - { op: check, expect: { counters: { locked_vm: { proc: c2, pages: 0 } } } }
  - { op: check, expect: { counters: { locked_vm: { uid: 4242, pages: 1 } } } }
`;
    const r = runScenario(loadScenario(text, "t.yaml", plugins), { container: c }).results[0];
    expect(r.steps[1].expectations).toEqual([{ key: "counters.locked_vm", expected: { uid: 1000, pages: 0 }, actual: { uid: 1000, pages: 0 }, pass: true, byPolicy: false }]);
    expect(r.steps[2].expectations).toMatchObject([{ key: "counters.locked_vm", actual: { proc: "c2", pages: 0 }, pass: true }]);
    // A uid no process ran as has no user_struct: its locked_vm reads 0.
    expect(r.steps[3].expectations).toMatchObject([{ key: "counters.locked_vm", actual: { uid: 4242, pages: 0 }, pass: false }]);
    expect(r.counters.locked_vm).toEqual({ 1000: 0, 1001: 0 });
  });

  it("refuses a bad uid and a locked_vm naming no process, with file, step and field", () => {
    const head = "name: t\nmachine: { memory: 16MiB }\n";
    const bad = (uid: string) => () => loadScenario(`${head}processes: [{ name: p1, uid: ${uid} }]\n`, "t.yaml", plugins);
    for (const uid of ["-1", "4294967295"]) expect(bad(uid)).toThrowError(/^t\.yaml:3:\d+: field "processes\[0\]\.uid": expected a uid: a whole number from 0 to 4294967294$/);
    expect(bad("1.5")).toThrowError(/^t\.yaml:3:\d+: field "processes\[0\]\.uid": expected int, got 1\.5$/);
    expect(bad("alice")).toThrowError(/^t\.yaml:3:\d+: field "processes\[0\]\.uid": expected number, got "alice"$/);
    const steps = (e: string) => `${head}processes: [p1]\nsteps:\n  - { op: check, expect: { counters: { locked_vm: ${e} } } }\n`;
    expect(() => loadScenario(steps("{ proc: nobody, pages: 0 }"), "t.yaml", plugins)).toThrowError(/t\.yaml:5:\d+: step 0 \(check\), field "expect\.counters\.locked_vm\.proc": .*nobody/);
    expect(() => loadScenario(steps("{ user: p1, pages: 0 }"), "t.yaml", plugins)).toThrowError(/step 0 \(check\), field "expect\.counters\.locked_vm": expected \{ uid, pages \} or \{ proc, pages \}/);
  });

  it("compares results key by key", () => {
    expect(resultMatches({ migrated: 1 }, { migrated: 1, failed: 0 })).toBe(true);
    expect(resultMatches({ migrated: 1 }, { migrated: 2, failed: 0 })).toBe(false);
    expect(resultMatches("a", "a")).toBe(true);
    expect(resultMatches(3, "3")).toBe(false);
  });

  it("is deterministic, and the seed is part of the stream", () => {
    const text = `name: t\npolicy: test-exact\nmachine: { memory: 16MiB }\nprocesses: [p1]\nsteps:\n  - { op: mmap, proc: p1, as: b, length: 64KiB, prot: [read, write], flags: [private, anonymous, populate] }\n  - { op: fork, proc: p1, child: c }\n  - { op: touch, proc: c, addr: b, length: 64KiB, write: true }\n`;
    const hash = (seed?: number) => runScenario(loadScenario(text, "t.yaml", plugins), { container: c, seed }).results[0].eventsHash;
    expect(hash()).toBe(hash());
    expect(hash(3)).not.toBe(hash());
  });

  it("reports every problem in a file, each at its place", () => {
    const text = "name: t\nmachine: { memory: 16MiB }\nprocesses: [p1]\nsteps:\n  - { op: touch, proc: p2, addr: 0, length: 1 }\n  - { op: advance, time: 3 }\n  - { op: settle, extra: 1 }\n";
    expect(() => loadScenario(text, "t.yaml", plugins)).toThrowError(/t\.yaml:7:\d+: step 2 \(settle\), field "extra": unknown field "extra"/);
  });

  it("exports a JSON Schema with every op", () => {
    const js = JSON.stringify(scenarioJsonSchema(plugins));
    for (const op of ["mmap", "gup", "peek", "cma_alloc", "punch_hole"]) expect(js).toContain(`"const":"${op}"`);
  });
});

describe("scenario runtime: processes", () => {
  it("refuses to exit a process twice", () => {
    const r = run(`  - { op: exit, proc: p1 }
  - { op: exit, proc: p1 }
`);
    expect(r.steps[0].ok).toBe(true);
    expect(r.steps[1].error).toBe('process "p1" has already exited');
    expect(r.passed).toBe(false);
  });
});
