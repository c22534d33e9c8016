import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./test-support/capture-io.js";
import { loadWorkflow, runWorkflow } from "./test-support/engines/workflow-runner.js";
import { removeAfterTest } from "./test-support/temp-dir.js";

const BIN = join(REPO_ROOT, "packages/cli/dist/bin/pinlab.js");
const FIX = "packages/cli/src/test-support/fixtures";
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "pinlab-fuzz-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const pinlab = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });

describe("pinlab fuzz", () => {
  it("runs a step budget over two worker processes and writes a summary with steps per policy, classes and coverage", () => {
    const out = tmp();
    const r = pinlab("fuzz", "--steps", "3000", "--jobs", "2", "--seed", "3", "--out", out);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/fuzz: seed 3, \d+ scenarios, [\d,]+ steps in [\d.]+s \([\d,]+ steps\/s, 2 jobs\)/);
    expect(r.stdout).toMatch(/findings: crash 0, invariant 0, nondeterminism 0, hang 0, leak 0, wrong-result 0, differential 0, generator 0/);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.totalSteps).toBeGreaterThanOrEqual(3000);
    expect(Object.keys(summary.steps)).toEqual(["legacy-get", "pin-bias", "vaddr-pin", "exact-pincount"]);
    expect(summary.coverage.gup).toHaveProperty("EFAULT");
    // The plan is fixed by the seed: one job runs the same scenarios.
    const one = pinlab("fuzz", "--steps", "3000", "--jobs", "1", "--seed", "3", "--out", tmp());
    expect(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).cases).toBe(Number(/(\d+) scenarios/.exec(one.stdout)![1]));
  });

  it("finds a plugin's leak, writes it shrunk with the command that replays it, and the replay shows it again", () => {
    const out = tmp();
    const r = pinlab("fuzz", "--plugin", `${FIX}/fuzz-leaky-pin.mjs`, "--steps", "6000", "--seed", "5", "--policy", "pin-bias", "--out", out);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/leak under pin-bias/);
    const files = readdirSync(out).filter((f) => f.startsWith("leak-pin-bias-"));
    expect(files.length).toBeGreaterThan(0);
    const file = join(out, files[0]);
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/^# pinlab fuzz finding: leak under pin-bias/);
    expect(text).toMatch(/# {3}pinlab fuzz --replay .* --policy pin-bias/);
    const replay = pinlab("fuzz", "--plugin", `${FIX}/fuzz-leaky-pin.mjs`, "--policy", "pin-bias", "--replay", file);
    expect(replay.status).toBe(1);
    expect(replay.stdout).toMatch(/leak under pin-bias/);
  });

  it("reports a case that never ends as a hang, kills its worker and goes on", () => {
    const out = tmp();
    const r = pinlab("fuzz", "--plugin", `${FIX}/fuzz-spin.mjs`, "--steps", "2000", "--seed", "1", "--policy", "pin-bias", "--timeout", "2", "--out", out);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/hang [1-9]\d*/);
    expect(r.stdout).toMatch(/hang under \*.*: the case ran for more than 2s/);
    expect(readdirSync(out).some((f) => f.startsWith("hang-"))).toBe(true);
  });

  it("sweeps a scenario with one injected failure per call of each fault point", () => {
    const r = pinlab("fuzz", "--fault-sweep", "scenarios/rdma-mr-fork.yaml", "--policy", "pin-bias,legacy-get");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^scenarios\/rdma-mr-fork\.yaml: \d+ runs with one injected failure each \(calls seen: pin-bias alloc [1-9]\d* migrate \d+ writeback \d+ dma [1-9]\d*; legacy-get alloc [1-9]/);
    expect(r.stdout).toMatch(/; 0 finding\(s\)\n$/);
  });

  it("refuses bad flags and files with a message and exit 2", () => {
    expect(pinlab("fuzz", "--jobs", "0")).toMatchObject({ status: 2, stderr: 'pinlab: --jobs must be a positive integer, got "0"\n' });
    expect(pinlab("fuzz", "--steps", "many")).toMatchObject({ status: 2, stderr: 'pinlab: --steps must be a positive integer, got "many"\n' });
    expect(pinlab("fuzz", "--policy", "nope").stderr).toMatch(/^pinlab: unknown policy "nope"; registered policies: legacy-get, pin-bias, vaddr-pin, exact-pincount/);
    expect(pinlab("fuzz", "--replay", "missing.yaml")).toMatchObject({ status: 2, stderr: "pinlab: --replay missing.yaml: no such file\n" });
    const bad = pinlab("fuzz", "--replay", "scenarios/invalid/08-unknown-op.yaml");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/08-unknown-op\.yaml:\d+:\d+: step \d+/);
  });
});

describe("the nightly fuzz workflow (.github/workflows/fuzz.yml)", () => {
  it("runs its own commands, inputs substituted, and uploads the summary as the fuzz-findings artifact", () => {
    const root = tmp();
    const checkout = () => {
      const ws = mkdtempSync(join(root, "checkout-"));
      for (const f of ["package.json", "packages", "node_modules"]) symlinkSync(join(REPO_ROOT, f), join(ws, f));
      return ws;
    };
    const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^(PINLAB_|GITHUB_)/.test(k))) as Record<string, string>;
    const run = runWorkflow(loadWorkflow(join(REPO_ROOT, ".github/workflows/fuzz.yml")), {
      inputs: { steps: "1500", policies: "pin-bias,exact-pincount", seed: "9" }, checkout, env,
      skipRun: (script) => ["npm ci", "npm run build"].includes(script.trim()),
    });
    removeAfterTest(run.artifacts);
    const texts = run.jobs[0].steps.map((s) => s.text.trim());
    expect(texts).toEqual(expect.arrayContaining(["npm ci", "npm run build"]));
    const summary = JSON.parse(readFileSync(join(run.artifacts, "fuzz-findings", "summary.json"), "utf8"));
    expect(summary).toMatchObject({ seed: 9, policies: ["pin-bias", "exact-pincount"] });
    expect(summary.totalSteps).toBeGreaterThanOrEqual(1500);
    expect(Object.values(summary.findings)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  }, 120_000);
});
