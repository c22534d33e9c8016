/**
 * Failures show their cause (issue 19, item 5): a failed `ok`/`errno`/`result` expectation carries
 * the step's errno and the kernel's or device's message; a failed hazard matcher carries the
 * hazards recorded so far, by class and outcome.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineDevice } from "../device/device-plugin.js";
import { EBUSY } from "../errno.js";
import { loadScenario, pluginView, runScenario, type PolicyResult } from "../index.js";
import { registerDevice } from "../plugin/registry.js";
import { testContainer } from "../testing/index.js";
import { describeOutcome, describeRecordedHazards } from "./outcome-cause.js";

/** A device whose one action, `refuse`, fails with EBUSY and says why. */
const grumpy = defineDevice({
  meta: {
    id: "grumpy", summary: "refuses", driver: "none", options: z.object({}).strict(),
    actions: { refuse: { summary: "fail with EBUSY and a message", fields: z.object({}).strict() } },
  },
  create: () => ({
    actions: { refuse: () => ({ ok: false, errno: EBUSY, message: "queue full (2 of 2 slots)" }) },
    view: () => ({ frames: [], counters: {} }),
  }),
});

function run(steps: string, header = ""): PolicyResult {
  const c = testContainer();
  registerDevice(c, grumpy, "test");
  const text = `name: t\npolicy: test-exact\nmachine: { memory: 16MiB }\nprocesses: [p1]\n${header}steps:\n${steps}`;
  return runScenario(loadScenario(text, "t.yaml", pluginView(c)), { container: c }).results[0];
}

describe("failures show their cause", () => {
  it("a failed result on a refused GUP call shows the errno and the reason is_valid_gup_args gave", () => {
    const r = run(`  - { op: mmap, proc: p1, as: buf, length: 8KiB, prot: [read], flags: [private, anonymous, populate] }
  - { op: gup, proc: p1, addr: buf, pages: 1, call: get_user_pages, flags: [FOLL_PIN], expect: { result: 1 } }
`);
    const [e] = r.steps[1].expectations;
    expect(e).toMatchObject({ key: "result", actual: null, pass: false });
    expect(e.cause).toBe("-22 (EINVAL): internal-only FOLL flag passed by the caller");
    expect(r.steps[1]).toMatchObject({ errno: "EINVAL", message: "internal-only FOLL flag passed by the caller" });
  });

  it("a failed ok or errno expectation on a step that failed with an errno names it; a passing one carries no cause", () => {
    const r = run(`  - { op: gup, proc: p1, addr: 4096, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE], expect: { ok: true, errno: ENOMEM } }
  - { op: gup, proc: p1, addr: 4096, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE], expect: { errno: EFAULT } }
`);
    // GUP's walk says nothing when it stops; the step says why: no VMA at the address.
    const why = "-14 (EFAULT): no VMA at 0x1000 (find_vma)";
    expect(r.steps[0].expectations.map((e) => [e.key, e.pass, e.cause])).toEqual([["ok", false, why], ["errno", false, why]]);
    expect(r.steps[1].expectations[0]).toMatchObject({ key: "errno", pass: true });
    expect(r.steps[1].expectations[0].cause).toBeUndefined();
  });

  it("a device's refusal carries the device's message to the step and to the failed expectation", () => {
    const r = run(`  - { op: device, device: d0, action: refuse, expect: { result: 0 } }
`, "devices: [ { name: d0, kind: grumpy } ]\n");
    expect(r.steps[0]).toMatchObject({ ok: false, errno: "EBUSY", message: "queue full (2 of 2 slots)" });
    expect(r.steps[0].expectations[0].cause).toBe(`-${EBUSY} (EBUSY): queue full (2 of 2 slots)`);
  });

  it("a hazard mismatch lists the hazards recorded by class and outcome", () => {
    const r = run(`  - { op: mmap, proc: p1, as: buf, length: 16KiB, prot: [read, write], flags: [private, anonymous] }
  - { op: write, proc: p1, addr: buf, data: "hello" }
  - { op: gup, proc: p1, addr: buf, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE], as: h }
  - { op: fork, proc: p1, child: c1 }
  - { op: write, proc: p1, addr: buf, data: "HELLO" }
  - op: check
    expect:
      hazards: [ { class: cow_divergence, outcome: undetected }, { class: cow_divergence, outcome: prevented } ]
`);
    const recorded = r.hazards.filter((h) => h.class === "cow_divergence" && h.outcome === "prevented").length;
    expect(recorded).toBeGreaterThan(0);
    const [miss, hit] = r.steps[5].expectations;
    expect(miss).toMatchObject({ key: "hazards", actual: { count: 0 }, pass: false, cause: describeRecordedHazards(r.hazards) });
    expect(miss.cause).toContain(`cow_divergence prevented x${recorded}`);
    expect(hit.pass).toBe(true);
    expect(hit.cause).toBeUndefined();
  });

  it("describes outcomes and recorded hazards", () => {
    expect(describeOutcome({ result: 1 })).toBeUndefined();
    expect(describeOutcome({ errno: 14 })).toBe("-14 (EFAULT)");
    expect(describeOutcome({ errno: 12, message: "no memory" })).toBe("-12 (ENOMEM): no memory");
    expect(describeOutcome({ error: "released twice" })).toBe("released twice");
    expect(describeRecordedHazards([])).toBe("recorded: none");
    const hz = [{ class: "cow_divergence", outcome: "prevented" }, { class: "dma_after_clean", outcome: "detected" }, { class: "cow_divergence", outcome: "prevented" }];
    expect(describeRecordedHazards(hz)).toBe("recorded: cow_divergence prevented x2, dma_after_clean detected x1");
  });
});
