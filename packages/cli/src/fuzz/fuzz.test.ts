import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { createKernel, loadScenario, pluginView, type PolicyResult, type StepResult } from "@pinlab/core";
import { REPO_ROOT } from "../test-support/capture-io.js";
import { pluginContainer } from "../plugins/load-plugins.js";
import { withCleanupTail } from "./cleanup-tail.js";
import { classifyCase } from "./classify.js";
import { fieldKind, objectFields } from "./field-kinds.js";
import { checkScenario, fuzzCase } from "./fuzz-case.js";
import { scenarioSeed } from "./fuzz-rng.js";
import { generateScenario, OP_WEIGHTS } from "./generate.js";
import { auditLeaks } from "./leak-audit.js";
import type { RawScenario } from "./gen-state.js";
import type { CaseRun, PolicyRun } from "./run-case.js";
import { fuzzTargets } from "./targets.js";

const FIX = `${REPO_ROOT}/packages/cli/src/test-support/fixtures`;

async function envWith(...plugins: string[]) {
  const container = await pluginContainer(plugins.map((p) => `${FIX}/${p}`), REPO_ROOT);
  return { container, targets: fuzzTargets(pluginView(container)) };
}

describe("the fuzz generator", () => {
  it("reads each field's kind from a device's schemas", async () => {
    const { container } = await envWith();
    const rdma = pluginView(container).devices.get("rdma-mr")!;
    const kinds = Object.fromEntries(objectFields(rdma.meta.actions.reg_mr.fields).map((f) => [f.name, [f.type.kind, f.optional]]));
    expect(kinds).toEqual({ proc: ["proc", false], addr: ["addr", false], length: ["size", false], access: ["enumList", true] });
    const write = Object.fromEntries(objectFields(rdma.meta.actions.dma_write.fields).map((f) => [f.name, f.type.kind]));
    expect(write).toEqual({ region: "name", offset: "size", data: "text" });
    expect(fieldKind(rdma.meta.options)).toEqual({ kind: "unknown" });
  });

  it("gives the same scenario for the same seed, loadable, and reaches every op and every device action over 150 seeds", async () => {
    const { container, targets } = await envWith();
    const plugins = pluginView(container);
    expect(generateScenario(42, targets)).toEqual(generateScenario(42, targets));
    expect(generateScenario(42, targets)).not.toEqual(generateScenario(43, targets));
    const ops = new Set<string>();
    for (let i = 0; i < 150; i++) {
      const sc = withCleanupTail(generateScenario(scenarioSeed(9, i), targets), targets);
      expect(() => loadScenario(JSON.stringify(sc), `${sc.name}.json`, plugins)).not.toThrow();
      for (const s of sc.steps) {
        const kind = sc.devices.find((d) => d.name === s.device)?.kind;
        ops.add(s.op === "device" ? `device:${String(kind)}.${String(s.action)}` : String(s.op));
      }
    }
    for (const op of Object.keys(OP_WEIGHTS)) if (op !== "device") expect(ops).toContain(op);
    for (const d of targets.devices) for (const a of d.actions) expect(ops).toContain(`device:${d.kind}.${a.name}`);
  });
});

describe("a bounded fuzz", () => {
  it("finds nothing in 16 generated scenarios under every policy (invariants, twice each, leak audit, differential)", async () => {
    const env = await envWith();
    const findings = [];
    let steps = 0;
    for (let i = 0; i < 16; i++) {
      const r = fuzzCase(scenarioSeed(2026, i), env, { policies: env.targets.policies, shrink: false });
      steps += Object.values(r.steps).reduce((a, b) => a + b, 0);
      findings.push(...r.findings.map((f) => `${r.seed}: ${f.finding.class} ${f.finding.policy}: ${f.finding.message}`));
    }
    expect(findings).toEqual([]);
    expect(steps).toBeGreaterThan(3000);
  });
});

function firstFinding(env: Awaited<ReturnType<typeof envWith>>, cls: string) {
  for (let i = 0; i < 40; i++) {
    const r = fuzzCase(scenarioSeed(5, i), env, { policies: ["pin-bias"], maxSteps: 40 });
    const f = r.findings.find((x) => x.finding.class === cls);
    if (f !== undefined) return f;
  }
  throw new Error(`no ${cls} finding in 40 cases`);
}

describe("findings", () => {
  it("reports a user's locked_vm still charged after the tail as a leak", async () => {
    const { container } = await envWith();
    const inst = createKernel({ machine: { memory: "16MiB" }, policy: "pin-bias" }, { container });
    inst.kernel.spawn("p1", { uid: 1001 }).user.lockedVm = 3;
    expect(auditLeaks({ inst, pinnedVm: {} })).toContain("user 1001: locked_vm is 3 pages after every pin was released");
  });

  it("reports a device that pins and never unpins as a leak, shrunk to the steps that show it", async () => {
    const env = await envWith("fuzz-leaky-pin.mjs");
    const f = firstFinding(env, "leak");
    expect(f.finding.message).toMatch(/pins outstanding|still holds|pinned_vm/);
    expect(f.shrink!.to).toBeLessThan(f.shrink!.from);
    const body = f.scenario.steps.filter((s) => typeof s.note !== "string");
    expect(body.length).toBeLessThanOrEqual(3);
    expect(body.some((s) => s.op === "device" && s.action === "pin")).toBe(true);
    const replay = checkScenario(f.scenario, 1, env, { policies: ["pin-bias"], shrink: false });
    expect(replay.findings.map((x) => x.finding.class)).toContain("leak");
  });

  it("reports a device whose answer changes between two runs as nondeterminism", async () => {
    const f = firstFinding(await envWith("fuzz-dice.mjs"), "nondeterminism");
    expect(f.finding.message).toMatch(/step \d+ \(device\) gave ok .* then ok/);
  });

  it("reports a device that throws as a crash", async () => {
    const f = firstFinding(await envWith("fuzz-thrower.mjs"), "crash");
    expect(f.finding.message).toMatch(/threw TypeError: cannot read properties of undefined .*a bug in the code it was thrown from \(the device plugin/);
  });
});

const step = (index: number, op: string, over: Partial<StepResult> = {}): StepResult => ({ index, op, ok: true, errno: null, result: null, expectations: [], ...over });
const run = (steps: StepResult[], hash = "h"): PolicyRun => ({
  result: { policy: "p", passed: true, steps, hazards: [], counters: {}, eventsHash: hash } satisfies PolicyResult, pinnedVm: {},
});

describe("the classifier", () => {
  const scenario: RawScenario = {
    name: "t", seed: 1, machine: { memory: "4MiB" }, files: [], devices: [], processes: ["p1"],
    steps: [{ op: "write", proc: "p1", addr: "m", data: "abc" }, { op: "read", proc: "p1", addr: "m", length: 3 }],
  };
  const loaded = {} as CaseRun["loaded"] & object;
  const caseRun = (runs: [string, [PolicyRun, PolicyRun]][]): CaseRun => ({ scenario, loaded: { ...loaded, steps: [] } as never, runs: new Map(runs) });

  it("reports a write read straight back as something else as a wrong result", () => {
    const steps = [step(0, "write"), step(1, "read", { result: "abd" })];
    const out = classifyCase(caseRun([["pin-bias", [run(steps), run(steps)]]]));
    expect(out).toEqual([{ class: "wrong-result", policy: "pin-bias", step: 1, message: 'step 1 read back "abd" where step 0 wrote "abc"' }]);
  });

  it("compares a read-back exactly: a NUL in the bytes read is a wrong result, not the end of a string", () => {
    const steps = [step(0, "write"), step(1, "read", { result: "ab\0" })];
    const out = classifyCase(caseRun([["pin-bias", [run(steps), run(steps)]]]));
    expect(out.map((f) => f.message)).toEqual(['step 1 read back "ab\\u0000" where step 0 wrote "abc"']);
  });

  it("reports pin-bias and exact-pincount answering a step differently, and an invariant violation", () => {
    const a = [step(0, "write"), step(1, "read", { result: "abc" })];
    const b = [step(0, "write", { ok: false, errno: "EFAULT" }), step(1, "read", { ok: false, errno: "EFAULT" })];
    const bad = [step(0, "write", { ok: false, error: "invariant violated after this step: frame 3: mapcount 1 but 0 PTE(s) map it" }), a[1]];
    const out = classifyCase(caseRun([["pin-bias", [run(a), run(a)]], ["exact-pincount", [run(b), run(b)]], ["legacy-get", [run(bad), run(bad)]]]));
    expect(out.map((f) => [f.class, f.policy, f.step])).toEqual([["invariant", "legacy-get", 0], ["differential", "pin-bias/exact-pincount", 0]]);
    expect(out[1].message).toBe("step 0 (write): pin-bias gave ok null, exact-pincount EFAULT");
  });

  it("reports event hashes that differ between two runs as nondeterminism", () => {
    const a = [step(0, "write"), step(1, "read", { result: "abc" })];
    const out = classifyCase(caseRun([["pin-bias", [run(a, "aaaaaaaaaaaaaaaa"), run(a, "bbbbbbbbbbbbbbbb")]]]));
    expect(out).toEqual([{ class: "nondeterminism", policy: "pin-bias", message: "the event hashes differ: aaaaaaaaaaaa then bbbbbbbbbbbb" }]);
  });
});
