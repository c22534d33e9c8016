/**
 * What "detected" means, class by class (issue 19, item 6): a hazard that got through is
 * `detected` when the policy's `maybeDmaPinned` said the frame was pinned at the moment it
 * happened, and `undetected` otherwise. `legacy-get` never flags a page, so the same story is
 * undetected under it and detected under a pinning policy in an era that does not yet act on the
 * flag; in the era that acts on it the hazard is prevented instead.
 */
import { describe, expect, it } from "vitest";
import { loadScenario, pluginView, runScenario } from "@pinlab/core";
import { builtinContainer } from "./plugins/load-plugins.js";

const container = builtinContainer();

/** What a story needs besides its steps: more machine fields, top-level `files:`. */
interface Setup {
  /** Appended inside `machine: { ... }`, e.g. `, movable: 8MiB`. */
  readonly machine?: string;
  /** Top-level lines, e.g. `files: [...]`. */
  readonly top?: string;
}

/** Run `steps` under each policy at `kernel`; the hazards recorded, as `class:outcome`, per policy. */
function hazards(kernel: string, policies: readonly string[], steps: string, setup: Setup = {}): Record<string, string[]> {
  const text = `name: detected\npolicy: [${policies.join(", ")}]\nmachine: { memory: 64MiB, kernel: ${kernel}${setup.machine ?? ""} }\n${setup.top ?? ""}\nprocesses: [p1]\nsteps:\n${steps}`;
  const report = runScenario(loadScenario(text, "detected.yaml", pluginView(container)), { container, checkInvariants: true });
  return Object.fromEntries(report.results.map((r) => {
    expect(r.error, `${r.policy}: ${r.error}`).toBeUndefined();
    for (const s of r.steps) expect(s.expectations.filter((e) => !e.pass), `${r.policy} step ${s.index}`).toEqual([]);
    return [r.policy, r.hazards.map((h) => `${h.class}:${h.outcome}`)];
  }));
}

const anonPinForkWrite = `
  - { op: mmap, proc: p1, as: buf, length: 4KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: write, proc: p1, addr: buf, data: "v1" }
  - { op: gup, proc: p1, addr: buf, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE, FOLL_LONGTERM], as: st, expect: { result: 1 } }
  - { op: fork, proc: p1, child: c1 }
  - { op: write, proc: p1, addr: buf, data: "v2" }
  - { op: poke, handle: st, data: "dev" }
`;

describe("detected means the page looked pinned when the hazard happened", () => {
  it("cow_divergence: fork shares a pinned page before v5.9; detected under pin-bias, undetected under legacy-get, prevented at v6.12", () => {
    expect(hazards("v5.7", ["legacy-get", "pin-bias", "exact-pincount"], anonPinForkWrite)).toEqual({
      "legacy-get": ["cow_divergence:undetected"],
      "pin-bias": ["cow_divergence:detected"],
      "exact-pincount": ["cow_divergence:detected"],
    });
    expect(hazards("v6.12", ["pin-bias"], anonPinForkWrite)).toEqual({ "pin-bias": ["cow_divergence:prevented"] });
  });

  it("cow_divergence through a FOLL_GET reference is undetected under every policy: a reference sets no flag", () => {
    const steps = anonPinForkWrite.replace("call: pin_user_pages, flags: [FOLL_WRITE, FOLL_LONGTERM]", "call: get_user_pages, flags: [FOLL_WRITE]");
    expect(hazards("v5.7", ["legacy-get", "pin-bias"], steps)).toEqual({
      "legacy-get": ["cow_divergence:undetected"],
      "pin-bias": ["cow_divergence:undetected"],
    });
  });

  it("dma_to_truncated: a pinned shmem page leaves its file; detected while it still looks pinned", () => {
    const steps = `
  - { op: mmap, proc: p1, as: buf, length: 4KiB, prot: [read, write], flags: [shared], file: shm }
  - { op: write, proc: p1, addr: buf, data: "data" }
  - { op: gup, proc: p1, addr: buf, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE], as: st, expect: { result: 1 } }
  - { op: ftruncate, file: shm, size: 0, proc: p1 }
  - { op: check, expect_by_policy: { legacy-get: { page: { proc: p1, addr: buf, present: false } } } }
  - { op: poke, handle: st, data: "lost" }
`;
    expect(hazards("v6.12", ["legacy-get", "pin-bias", "exact-pincount"], steps, { top: "files: [ { name: shm, fs: shmem, size: 4KiB } ]" })).toEqual({
      "legacy-get": ["dma_to_truncated:undetected"],
      "pin-bias": ["dma_to_truncated:detected"],
      "exact-pincount": ["dma_to_truncated:detected"],
    });
  });

  it("cow_leak: a pinned reference to a page COW reused in place reads the writer's data before v5.8; detected under pin-bias", () => {
    const steps = `
  - { op: mmap, proc: p1, as: a, length: 4KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: write, proc: p1, addr: a, data: "child pipe" }
  - { op: fork, proc: p1, child: c1 }
  - { op: gup, proc: c1, addr: a, pages: 1, call: pin_user_pages_fast, flags: [], as: pipe1 }
  - { op: munmap, proc: c1, addr: a, length: 4KiB }
  - { op: write, proc: p1, addr: a, data: "SECRET" }
  - { op: peek, handle: pipe1, length: 10, expect: { result: "SECRETpipe" } }
`;
    expect(hazards("v5.7", ["legacy-get", "pin-bias"], steps)).toEqual({
      "legacy-get": ["cow_leak:undetected"],
      "pin-bias": ["cow_leak:detected"],
    });
  });

  it("longterm_in_movable: a long-term pin left in ZONE_MOVABLE before v5.13 is detected under pin-bias; v6.12 migrates it first", () => {
    const steps = `
  - { op: mmap, proc: p1, as: a, length: 4KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: write, proc: p1, addr: a, data: "x", expect: { page: { proc: p1, addr: a, zone: movable } } }
  - { op: gup, proc: p1, addr: a, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE, FOLL_LONGTERM], as: st, expect: { result: 1 } }
`;
    const movable = { machine: ", movable: 8MiB" };
    expect(hazards("v5.7", ["legacy-get", "pin-bias"], steps, movable)).toEqual({
      "legacy-get": ["longterm_in_movable:undetected"],
      "pin-bias": ["longterm_in_movable:detected"],
    });
    expect(hazards("v6.12", ["pin-bias"], steps, movable)).toEqual({ "pin-bias": ["longterm_in_movable:prevented"] });
  });
});
