import "reflect-metadata";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pluginView } from "@pinlab/core";
import { REPO_ROOT } from "../test-support/capture-io.js";
import { pluginContainer } from "../plugins/load-plugins.js";
import { tempDir } from "../test-support/temp-dir.js";
import { checkScenario } from "./fuzz-case.js";
import { generateScenario } from "./generate.js";
import { runCase } from "./run-case.js";
import { fuzzTargets } from "./targets.js";

const BIN = join(REPO_ROOT, "packages/cli/dist/bin/pinlab.js");

describe("pinlab fuzz --kernel", () => {
  it("generates the same scenario from a seed, with the era as its machine.kernel, and runs it at that era", async () => {
    const container = await pluginContainer([], REPO_ROOT);
    const env = { container, targets: fuzzTargets(pluginView(container)) };
    for (const seed of [1, 2, 3]) {
      const plain = generateScenario(seed, env.targets, { maxSteps: 20 });
      const at = generateScenario(seed, env.targets, { maxSteps: 20, kernel: "v5.8" });
      expect(at.machine.kernel).toBe("v5.8");
      expect(plain.machine.kernel).toBeUndefined();
      const { kernel: _k, ...rest } = at.machine;
      expect({ ...at, machine: rest }).toEqual(plain);
    }
    const raw = generateScenario(5, env.targets, { maxSteps: 20, kernel: "v4.9" });
    const run = runCase(raw, ["legacy-get", "pin-bias"], env);
    const kernels = [...run.runs.values()].flatMap((pair) => pair.map((r) => ("thrown" in r.result ? r.result.thrown : r.result.kernel)));
    expect(kernels).toEqual(["v4.9", "v4.9", "v4.9", "v4.9"]);
    expect(run.scenario.machine.kernel).toBe("v4.9");
    expect(checkScenario(raw, 5, env, { policies: ["pin-bias"], shrink: false }).findings).toEqual([]);
  });

  it("records the era in the summary, and refuses an unknown one", () => {
    const out = tempDir("pinlab-fuzz-kernel-");
    const r = spawnSync(process.execPath, [BIN, "fuzz", "--steps", "400", "--seed", "4", "--kernel", "v4.9", "--policy", "pin-bias", "--out", out], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("kernel: v4.9");
    expect(JSON.parse(readFileSync(join(out, "summary.json"), "utf8"))).toMatchObject({ kernel: "v4.9", policies: ["pin-bias"] });
    expect(readdirSync(out)).toEqual(["summary.json"]);
    const bad = spawnSync(process.execPath, [BIN, "fuzz", "--steps", "10", "--out", out], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, PINLAB_KERNEL: "v2.6" } });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^pinlab: PINLAB_KERNEL: unknown kernel "v2\.6"; kernels: v4\.8/);
  }, 120_000);
});
