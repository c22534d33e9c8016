import { DEFAULT_KERNEL, KERNEL_ERA_IDS, loadScenario } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { compareSteps, distinctHazards } from "./compare.js";
import { record } from "./recording.js";
import { eraTitle, resolveEra, runKey, runsOf, type ComparePlan } from "./run-plan.js";
import { Session } from "./session.js";
import { libraryScenario, registry } from "./test-support.js";

const plan = (more: Partial<ComparePlan>): ComparePlan => ({ mode: "policies", policies: ["legacy-get", "pin-bias"], policy: "legacy-get", kernels: ["v5.3", "v6.12"], ...more });

/** A small scenario whose machine names kernel `id`. */
function atKernel(id: string) {
  const yaml = `name: at-kernel\nmachine: { memory: 16MiB, kernel: ${id} }\nprocesses: [p1]\nsteps:\n  - { op: mmap, proc: p1, as: a, length: 4KiB, prot: [read, write], flags: [private, anonymous, populate] }\n`;
  return loadScenario(yaml, "at-kernel.yaml", registry.plugins);
}

describe("the columns of a comparison", () => {
  it("policies mode: a column per policy, all on the chosen era or each on its own", () => {
    expect(runsOf(plan({}))).toEqual([{ policy: "legacy-get" }, { policy: "pin-bias" }]);
    expect(runsOf(plan({ kernel: "v5.3" }))).toEqual([{ policy: "legacy-get", kernel: "v5.3" }, { policy: "pin-bias", kernel: "v5.3" }]);
  });

  it("kernels mode: the one policy on each checked era, whatever the policies mode holds", () => {
    expect(runsOf(plan({ mode: "kernels", kernel: "v5.9", policy: "pin-bias", kernels: ["v5.3", "v5.18", "v6.12"] })))
      .toEqual([{ policy: "pin-bias", kernel: "v5.3" }, { policy: "pin-bias", kernel: "v5.18" }, { policy: "pin-bias", kernel: "v6.12" }]);
  });

  it("keys columns by policy, with the era when one is chosen", () => {
    expect(runKey({ policy: "pin-bias" })).toBe("pin-bias");
    expect(runKey({ policy: "pin-bias", kernel: "v5.3" })).toBe("pin-bias@v5.3");
  });
});

describe("which era a column runs", () => {
  it("the chosen era, else the scenario's machine.kernel, else the policy's default", () => {
    expect(resolveEra({ policy: "p", kernel: "v5.3" }, "v5.9", "v6.12")).toEqual({ id: "v5.3", source: "chosen" });
    expect(resolveEra({ policy: "p" }, "v5.9", "v5.3")).toEqual({ id: "v5.9", source: "scenario" });
    expect(resolveEra({ policy: "p" }, undefined, "v5.3")).toEqual({ id: "v5.3", source: "policy default" });
    expect(resolveEra({ policy: "p" }, undefined, undefined)).toEqual({ id: DEFAULT_KERNEL, source: "policy default" });
    expect(eraTitle({ id: "v5.3", source: "scenario" })).toMatch(/^v5\.3: Linux 5\.3 \(2019-09\), the scenario's machine\.kernel\. /);
    expect(eraTitle({ id: "v5.18", source: "chosen" })).toMatch(/^v5\.18: Linux 5\.18 \(2022-05\), chosen here \(like --kernel\)\. "COW fixes part 1"/);
  });

  it("agrees with the era core builds the kernel on, for every policy and choice", () => {
    const plain = libraryScenario("rdma-mr-fork");
    expect(plain.header.machine.kernel).toBeUndefined();
    const pinned = atKernel("v5.9");
    for (const policy of registry.policyIds) {
      for (const kernel of [undefined, "v4.8", "v5.18"]) {
        for (const scenario of [plain, pinned]) {
          const rec = record(scenario, policy, registry, kernel === undefined ? {} : { kernel });
          expect(rec.setupError).toBeUndefined();
          const want = resolveEra(kernel === undefined ? { policy } : { policy, kernel }, scenario.header.machine.kernel, registry.plugins.policies.get(policy)?.meta.defaultKernel);
          expect(rec.era).toEqual(want);
          expect(rec.label).toBe(`${policy} @ ${want.id}`);
        }
      }
    }
    expect(record(plain, "legacy-get", registry).era).toEqual({ id: "v5.3", source: "policy default" });
    expect(record(pinned, "legacy-get", registry).era).toEqual({ id: "v5.9", source: "scenario" });
    expect(record(pinned, "legacy-get", registry, { kernel: "v6.12" }).era).toEqual({ id: "v6.12", source: "chosen" });
  });

  it("an unknown chosen era is a setup error naming the known ones, not a crash", () => {
    const rec = record(libraryScenario("rdma-mr-fork"), "pin-bias", registry, { kernel: "v9.9" });
    expect(rec.setupError).toMatch(/v9\.9/);
    expect(rec.setupError).toContain(KERNEL_ERA_IDS.join(", "));
    expect(rec.positions).toBe(0);
  });
});

describe("comparing kernels: swap-cow-vmsplice under legacy-get", () => {
  const scenario = libraryScenario("swap-cow-vmsplice");
  const session = new Session(scenario, runsOf(plan({ mode: "kernels", kernels: ["v5.3", "v5.18", "v6.12"] })), registry);
  session.advance();
  const [v53, v518, v612] = session.recordings;
  const leaks = (r: typeof v53, outcome: string) => r.hazards.filter((h) => h.class === "cow_leak" && h.outcome === outcome).length;

  it("records each era in its own column, every expectation holding", () => {
    expect(session.recordings.map((r) => [r.key, r.era.id, r.label])).toEqual([
      ["legacy-get@v5.3", "v5.3", "legacy-get @ v5.3"], ["legacy-get@v5.18", "v5.18", "legacy-get @ v5.18"], ["legacy-get@v6.12", "v6.12", "legacy-get @ v6.12"]]);
    for (const r of session.recordings) expect(r.steps.every((s) => s.ok && s.expectations.every((e) => e.pass))).toBe(true);
  });

  it("shows the vmsplice leak at v5.3 and its fix later", () => {
    expect(leaks(v53, "undetected")).toBe(4);
    expect(leaks(v518, "undetected")).toBe(0);
    expect(leaks(v612, "undetected")).toBe(0);
    expect(leaks(v518, "prevented")).toBe(4);
    expect(leaks(v612, "prevented")).toBe(4);
  });

  it("keys the step comparison and the distinct hazards by column, not by policy", () => {
    const rows = compareSteps(session.recordings);
    const peek = scenario.steps.findIndex((s) => s.op === "peek");
    expect([...rows[peek].outcomes.keys()]).toEqual(["legacy-get@v5.3", "legacy-get@v5.18", "legacy-get@v6.12"]);
    expect(rows[peek].differs).toBe(true);
    expect(rows[peek].outcomes.get("legacy-get@v5.3")?.shown).toBe('"PARENTpipe"');
    expect(rows[peek].outcomes.get("legacy-get@v6.12")?.shown).toBe('"child pipe"');
    const distinct = distinctHazards(session.recordings);
    // v5.3's 4 undetected leaks are its own; the later eras' 4 preventions are theirs (v5.3 has none).
    for (const [key, rec, outcome] of [["legacy-get@v5.3", v53, "undetected"], ["legacy-get@v5.18", v518, "prevented"]] as const) {
      const mine = [...(distinct.get(key) ?? [])].map((i) => `${rec.hazards[i].class}:${rec.hazards[i].outcome}`);
      expect(mine).toEqual(Array(4).fill(`cow_leak:${outcome}`));
    }
  });
});
