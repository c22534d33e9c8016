// The engines people run pinlab bench on past one machine, kept from rotting: the GitHub Actions
// workflow (.github/workflows/bench-sweep.yml) and the Slurm scripts (tools/slurm/) are run here,
// their own commands (the workflow's run: steps, the scripts' bodies) with the inputs substituted,
// for 3 shards of a tiny matrix against the built CLI, and their merged results must equal one
// unsharded run's, timings apart.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deterministicView, readResults, type BenchResults } from "@pinlab/bench";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./test-support/capture-io.js";
import { loadWorkflow, runWorkflow } from "./test-support/engines/workflow-runner.js";
import { removeAfterTest } from "./test-support/temp-dir.js";

const CLI = join(REPO_ROOT, "packages/cli/dist/bin/pinlab.js");
const WORKFLOW = join(REPO_ROOT, ".github/workflows/bench-sweep.yml");
const SLURM = join(REPO_ROOT, "tools/slurm");
const FAKE_SBATCH = join(REPO_ROOT, "packages/cli/src/test-support/engines/fake-sbatch.mjs");
const SHARDS = 3;
const MATRIX = { size: "tiny", workloads: "shared-library-false-positive,gup-throughput", policies: "legacy-get,pin-bias" };
/** The matrices each engine runs: plain, and with two sweeps and three seeds per cell. */
const CASES = [
  { name: "plain", sweeps: [] as string[], seeds: "" },
  { name: "swept, 3 seeds", sweeps: ["pin-bias.bias=256,4096", "shared-library-false-positive.libraryPages=2,4"], seeds: "3" },
] as const;
/** The steps the test does not run: this tree is installed and built already. */
const SETUP = ["npm ci", "npm run build"];

let dir = "";
/** The unsharded run of each case, by name. */
const wholes = new Map<string, BenchResults>();

/** The environment without anything a developer's shell may set for pinlab or Slurm. */
function cleanEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^(PINLAB_|SLURM_|GITHUB_)/.test(k))) as Record<string, string>;
}

/** A fresh checkout, as a runner gets: the built packages and installed modules of this tree, linked. */
function checkout(): string {
  const ws = mkdtempSync(join(dir, "checkout-"));
  for (const f of ["package.json", "packages", "node_modules"]) symlinkSync(join(REPO_ROOT, f), join(ws, f));
  return ws;
}

/** The bench flags of a case's sweeps and seeds. */
function caseFlags(c: (typeof CASES)[number]): string[] {
  return [...c.sweeps.flatMap((x) => ["--sweep", x]), ...(c.seeds !== "" ? ["--seeds", c.seeds] : [])];
}

/** What a sharded-and-merged run must share with the unsharded one. */
function expectSameAsWhole(merged: BenchResults, name: string): void {
  const whole = wholes.get(name)!;
  expect(deterministicView(merged)).toEqual(deterministicView(whole));
  const matrix = (r: BenchResults) => ({
    seed: r.context.seed, size: r.context.size, policies: r.context.policies, workloads: r.context.workloads, params: r.context.params, matrixCells: r.context.matrixCells,
    sweeps: r.context.sweeps, seeds: r.context.seeds, cells: r.cells.map((c) => [c.id, c.sweep, c.replicates?.map((x) => x.seed)]),
  });
  expect(matrix(merged)).toEqual(matrix(whole));
  expect(merged.context.mergedFrom).toEqual(Array.from({ length: SHARDS }, (_, i) => ({ index: i + 1, count: SHARDS })));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pinlab-engines-"));
  expect(existsSync(CLI), `${CLI} is not built: npx nx run-many -t build`).toBe(true);
  for (const c of CASES) {
    const out = join(dir, `whole-${wholes.size}`);
    execFileSync(process.execPath, [CLI, "bench", "--size", MATRIX.size, "--workloads", MATRIX.workloads, "--policies", MATRIX.policies, ...caseFlags(c), "--out", out], { env: cleanEnv(), stdio: "pipe" });
    wholes.set(c.name, readResults(out));
  }
  // More cells than one shard takes, with hazards, audit answers and counters to compare.
  const plain = wholes.get("plain")!;
  expect(plain.cells).toHaveLength(4);
  expect(plain.cells.some((c) => Object.keys(c.metrics.hazards).length > 0 || c.metrics.audit.asked > 0)).toBe(true);
  // The swept matrix: legacy-get once per workload variant and libraryPages value, pin-bias once per bias too; 3 seeds each.
  const swept = wholes.get("swept, 3 seeds")!;
  expect(swept.cells.map((c) => c.id)).toContain("shared-library-false-positive/libc/pin-bias[libraryPages=4,bias=4096]");
  expect(swept.cells.every((c) => c.replicates?.length === 3)).toBe(true);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(CASES)("bench engines, $name: the same results as one unsharded run", (c) => {
  it("GitHub Actions: bench-sweep.yml's plan, shard matrix and merge jobs", () => {
    const wf = loadWorkflow(WORKFLOW);
    const run = runWorkflow(wf, {
      // The workflow takes the sweeps space-separated; empty sweeps and seeds add no flag.
      inputs: { ...MATRIX, sweeps: c.sweeps.join(" "), seeds: c.seeds, shards: SHARDS },
      checkout,
      skipRun: (script) => SETUP.includes(script.trim()),
      env: cleanEnv(),
    });
    removeAfterTest(run.artifacts);
    expect(run.jobs.map((j) => [j.job, j.matrix])).toEqual([["plan", {}], ...Array.from({ length: SHARDS }, (_, i) => ["shard", { shard: i + 1 }]), ["merge", {}]]);
    // Every job runs pinlab, after installing and building the tree (the steps this test skips);
    // the plan job checks the inputs with --dry-run before any shard job starts.
    expect(run.jobs[0].steps.map((s) => s.text).join("\n")).toMatch(/pinlab\.js bench .*--dry-run/);
    for (const j of run.jobs) {
      const texts = j.steps.map((s) => s.text.trim());
      const firstPinlab = texts.findIndex((t) => t.includes("pinlab"));
      expect(firstPinlab).toBeGreaterThan(0);
      expect(texts.slice(0, firstPinlab)).toEqual(expect.arrayContaining(SETUP));
    }
    const report = join(run.artifacts, "bench-report");
    expect(existsSync(join(report, "index.html"))).toBe(true);
    expectSameAsWhole(readResults(report), c.name);
  }, 60_000);

  it("Slurm: submit.sh, the bench-array.sh array and bench-merge.sh after it (afterok)", () => {
    const work = mkdtempSync(join(dir, "slurm-"));
    const bin = join(work, "bin");
    const state = join(work, "state");
    mkdirSync(bin);
    mkdirSync(state);
    writeFileSync(join(bin, "sbatch"), `#!/bin/sh\nexec "${process.execPath}" "${FAKE_SBATCH}" "$@"\n`);
    chmodSync(join(bin, "sbatch"), 0o755);
    const env = {
      ...cleanEnv(), PATH: `${bin}:${process.env.PATH ?? ""}`, FAKE_SLURM_STATE: state,
      PINLAB_SHARDS: String(SHARDS), PINLAB_OUT: "out", PINLAB_BENCH_ARGS: [`--size ${MATRIX.size} --workloads ${MATRIX.workloads} --policies ${MATRIX.policies}`, ...caseFlags(c)].join(" "),
    };
    const r = spawnSync("bash", [join(SLURM, "submit.sh")], { cwd: work, env, encoding: "utf8" });
    const jobs = JSON.parse(readFileSync(join(state, "jobs.json"), "utf8")) as { id: number; script: string; options: Record<string, unknown>; state: string; tasks: { task: number | null; status: number; log: string }[] }[];
    const logs = jobs.flatMap((j) => j.tasks.map((t) => `--- ${t.log}\n${readFileSync(t.log, "utf8")}`)).join("\n");
    expect({ status: r.status, states: jobs.map((j) => j.state) }, `${r.stdout}${r.stderr}\n${logs}`).toEqual({ status: 0, states: ["ok", "ok"] });
    const [array, merge] = jobs;
    expect(array.script).toBe(join(SLURM, "bench-array.sh"));
    expect(array.tasks.map((t) => t.task)).toEqual([1, 2, 3]);
    expect(merge.script).toBe(join(SLURM, "bench-merge.sh"));
    expect(merge.options.dependency).toBe(`afterok:${array.id}`);
    expect(r.stdout).toContain(`report: ${join(work, "out/merged/index.html")}`);
    expectSameAsWhole(readResults(join(work, "out/merged")), c.name);

    // Submitting again into the same PINLAB_OUT would mix two runs' parts: refused before sbatch.
    const again = spawnSync("bash", [join(SLURM, "submit.sh")], { cwd: work, env, encoding: "utf8" });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`submit.sh: ${join(work, "out")}/parts already holds parts of another run`);
  }, 60_000);
});

describe("bench engines: bad inputs stop before the shards run", () => {
  it("GitHub Actions: the plan job's bench --dry-run refuses a mistyped sweep, naming it", () => {
    const wf = loadWorkflow(WORKFLOW);
    expect(() => runWorkflow(wf, {
      inputs: { ...MATRIX, sweeps: "pin-bias.bais=256", seeds: "", shards: SHARDS },
      checkout,
      skipRun: (script) => SETUP.includes(script.trim()),
      env: cleanEnv(),
    })).toThrow(/job plan .*failed \(exit 2\)[\s\S]*--dry-run[\s\S]*--sweep pin-bias\.bais: policy "pin-bias" has no option "bais"; its options: bias/);
  }, 60_000);
});
