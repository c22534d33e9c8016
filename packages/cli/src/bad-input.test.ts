/**
 * Bad input the CLI must refuse clearly (exit 2, the file and field named, no stack trace, no
 * hang), and plugin bugs it must report in one line: the cases an adversarial sweep found.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DuplicateDeviceError, PluginContractError, PluginOptionsError, PluginRegistrationError, UnknownPluginError,
} from "@pinlab/core";
import { isBadInput, main } from "./main.js";
import { tempDir } from "./test-support/temp-dir.js";
import { captureIo, REPO_ROOT } from "./test-support/capture-io.js";

const FIX = "packages/cli/src/test-support/fixtures";
const run = async (args: string[], env: Record<string, string> = {}) => {
  const io = captureIo(REPO_ROOT, env);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
};
const STACK_FRAME = /\n\s+at /;

describe("input files", () => {
  it("refuses a FIFO or a device as a scenario at once instead of blocking on it", async () => {
    const dir = tempDir("pinlab-fifo-");
    const fifo = join(dir, "pipe.yaml");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const r = await run(["check", fifo]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/pipe\.yaml.*not a regular file/);
    const dev = await run(["check", "/dev/zero"]);
    expect(dev.code).toBe(2);
    expect(dev.err).toContain("not a regular file");
    // In a directory, a FIFO named *.yaml is not taken for a scenario.
    writeFileSync(join(dir, "ok.yaml"), "name: ok\nmachine: { memory: 16MiB }\nsteps:\n  - { op: check }\n");
    const both = await run(["check", dir]);
    expect(both.code).toBe(0);
    expect(both.out).toContain("ok.yaml");
  });

  it("says a UTF-16 file is not UTF-8 instead of failing to parse it", async () => {
    const file = join(tempDir("pinlab-utf16-"), "s.yaml");
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("name: s\n", "utf16le")]));
    const r = await run(["check", file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("s.yaml: is UTF-16 text (it starts with a UTF-16 byte-order mark): save it as UTF-8");
  });

  it("skips JSON Schema files in a directory run and says so, as `pinlab schema --out` writes them", async () => {
    const dir = tempDir("pinlab-schema-dir-");
    writeFileSync(join(dir, "ok.yaml"), "name: ok\nmachine: { memory: 16MiB }\nsteps:\n  - { op: check }\n");
    expect((await run(["schema", "--out", join(dir, "scenario.schema.json")])).code).toBe(0);
    // Not named *.schema.json, but a JSON Schema: $schema and no steps.
    writeFileSync(join(dir, "editor.json"), JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", type: "object" }));
    writeFileSync(join(dir, "two.json"), JSON.stringify({ name: "two", machine: { memory: "16MiB" }, steps: [{ op: "check" }] }));
    const r = await run(["run", dir]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/skipped \S*editor\.json \(a JSON Schema\)\n/);
    expect(r.out).toMatch(/skipped \S*scenario\.schema\.json \(a JSON Schema\)\n/);
    expect(r.out).toContain("all 2 scenarios passed");
    const json = await run(["run", dir, "--format", "json"]);
    expect(json.code).toBe(0);
    expect(json.out.trim().split("\n").map((l) => (JSON.parse(l) as { scenario: string }).scenario).sort()).toEqual(["ok", "two"]);
    expect(json.err).toContain("scenario.schema.json (a JSON Schema)");
    const matrix = await run(["matrix", dir]);
    expect(matrix.code).toBe(0);
    expect(matrix.out).toMatch(/^skipped \S*editor\.json \(a JSON Schema\)\nskipped \S*scenario\.schema\.json/);
    const check = await run(["check", dir]);
    expect(check.code).toBe(0);
    expect(check.out).toContain("(a JSON Schema)");
    // Named as an argument, a schema file is not skipped: the loader says why it is no scenario.
    expect((await run(["check", join(dir, "scenario.schema.json")])).code).toBe(2);
    const only = tempDir("pinlab-schema-only-");
    expect((await run(["schema", "--out", join(only, "scenario.schema.json")])).code).toBe(0);
    expect(await run(["run", only])).toMatchObject({ code: 2, err: expect.stringContaining("the directory holds no scenario files (only JSON Schema files)") as unknown });
    // A file with steps is taken for a scenario even with $schema: the loader refuses the field.
    writeFileSync(join(dir, "tagged.json"), JSON.stringify({ $schema: "./scenario.schema.json", name: "tagged", machine: { memory: "16MiB" }, steps: [{ op: "check" }] }));
    const tagged = await run(["check", dir]);
    expect(tagged.code).toBe(2);
    expect(tagged.err).toMatch(/tagged\.json:1:\d+: field "\$schema": unknown field/);
  });

  it("says which --out cannot be written by schema", async () => {
    const r = await run(["schema", "--out", "/nonexistent-dir/x.json"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--out /nonexistent-dir/x.json: cannot write /nonexistent-dir/x.json: its folder does not exist");
  });
});

describe("policy selection", () => {
  it("refuses a --policy or PINLAB_POLICY that names no policy, and treats an empty PINLAB_POLICY as unset", async () => {
    for (const p of [",", "", " , "]) {
      const r = await run(["run", `${FIX}/passing.yaml`, "--policy", p]);
      expect(r.code, JSON.stringify(p)).toBe(2);
      expect(r.err).toContain("--policy names no policy");
    }
    const env = await run(["run", `${FIX}/passing.yaml`], { PINLAB_POLICY: "," });
    expect(env.code).toBe(2);
    expect(env.err).toContain("PINLAB_POLICY names no policy");
    expect((await run(["run", `${FIX}/passing.yaml`], { PINLAB_POLICY: "" })).code).toBe(0);
  });

  it("blames an unknown PINLAB_POLICY or --policy on the variable or the flag, not on the scenario", async () => {
    for (const cmd of ["run", "timeline"]) {
      const env = await run([cmd, `${FIX}/passing.yaml`], { PINLAB_POLICY: "pin-bais" });
      expect(env.code, cmd).toBe(2);
      expect(env.err).toMatch(/^pinlab: PINLAB_POLICY: unknown policy "pin-bais"; registered policies: .*pin-bias.* \(or all\)\n$/);
      expect(env.err).not.toContain("passing.yaml");
      expect(env.err).not.toMatch(STACK_FRAME);
      const flag = await run([cmd, `${FIX}/passing.yaml`, "--policy", "vaddr-pin,pin-bais"], { PINLAB_POLICY: "legacy-get" });
      expect(flag.code, cmd).toBe(2);
      expect(flag.err).toMatch(/^pinlab: --policy: unknown policy "pin-bais"; registered policies: .*pin-bias.* \(or all\)\n$/);
    }
    const era = await run(["run", `${FIX}/passing.yaml`], { PINLAB_KERNEL: "v9.9" });
    expect(era.code).toBe(2);
    expect(era.err).toMatch(/^pinlab: PINLAB_KERNEL: unknown kernel "v9\.9"; kernels: .*v6\.12\n$/);
  });
});

describe("config files", () => {
  const config = (text: string) => {
    const dir = tempDir("pinlab-config-");
    const file = join(dir, "pinlab.config.yaml");
    writeFileSync(file, text);
    return file;
  };

  it("names an unknown policy in the config even when the scenario names its own", async () => {
    const file = config("policy: garbage\n");
    const r = await run(["check", "scenarios/rdma-mr-fork.yaml", "--config", file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: policy: unknown policy "garbage" (known policies: legacy-get, pin-bias, vaddr-pin, exact-pincount)`);
  });

  it("checks policyOptions against the policy's schema before anything runs, naming the file and the option", async () => {
    const bad = config("policyOptions:\n  pin-bias: { bias: -4 }\n");
    const r = await run(["check", "scenarios/rdma-mr-fork.yaml", "--config", bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`${bad.replace(/[.]/g, "\\.")}: policyOptions\\.pin-bias\\.bias: Too small`));
    const unknown = config("policyOptions:\n  nope: { x: 1 }\n");
    expect((await run(["list", "--config", unknown])).err).toContain(`${unknown}: policyOptions.nope: unknown policy "nope"`);
    const typo = config("policyOptions:\n  pin-bias: { biass: 4 }\n");
    expect((await run(["list", "--config", typo])).err).toContain("policyOptions.pin-bias: Unrecognized key");
  });
});

describe("plugins", () => {
  it("treats every plugin error as bad input (exit 2, the message alone)", () => {
    for (const E of [UnknownPluginError, PluginOptionsError, DuplicateDeviceError, PluginContractError, PluginRegistrationError]) {
      expect(isBadInput(new E("x")), E.name).toBe(true);
      expect(new E("x").name).toBe(E.name);
    }
    expect(isBadInput(new Error("a bug"))).toBe(false);
  });

  it("loads a module named by both the config and --plugin once", async () => {
    const file = tempDir("pinlab-twice-");
    const cfg = join(file, "pinlab.config.yaml");
    writeFileSync(cfg, `plugins: [${join(REPO_ROOT, FIX, "extra-policy.mjs")}]\n`);
    const r = await run(["list", "--config", cfg, "--plugin", `${FIX}/extra-policy.mjs`, "--plugin", `./${FIX}/../fixtures/extra-policy.mjs`]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("fixture-policy");
  });

  it("names a plugin whose top-level await never settles, and exits 2", () => {
    const bin = join(REPO_ROOT, "packages/cli/dist/bin/pinlab.js");
    const r = spawnSync(process.execPath, [bin, "list", "--plugin", `${FIX}/never-loads.mjs`], { cwd: REPO_ROOT, encoding: "utf8", timeout: 30_000 });
    expect(r.stderr).toContain("never-loads.mjs never finished loading: its top-level await never settled");
    expect(r.status).toBe(2);
  });

  it("says on which line a plugin's syntax error is (Node 20 gives an ES module's SyntaxError no line)", async () => {
    const dir = tempDir("pinlab-syntax-");
    writeFileSync(join(dir, "broken.mjs"), "export const a = 1;\nexport const b = ;\n");
    // The built CLI, as a user runs it: under vitest the import goes through vite's own parser.
    const bin = join(REPO_ROOT, "packages/cli/dist/bin/pinlab.js");
    const r = spawnSync(process.execPath, [bin, "run", "--plugin", join(dir, "broken.mjs"), "scenarios/rdma-mr-fork.yaml"], { cwd: REPO_ROOT, encoding: "utf8", timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/plugin .*broken\.mjs failed to load: Unexpected token ';' at line 2: export const b = ;\n/);
  });

  it("reports a policy hook that throws as one line saying where it was thrown, without a stack trace", async () => {
    const r = await run(["run", `${FIX}/faulty-policy.yaml`, "--plugin", `${FIX}/faulty-plugins.mjs`, "--policy", "throwy", "--format", "json"]);
    expect(r.code).toBe(1);
    const step = (JSON.parse(r.out) as { results: { steps: { error?: string }[] }[] }).results[0]!.steps[1]!;
    expect(step.error).toMatch(/^unexpected exception: checkFlags exploded \(thrown at .*faulty-plugins\.mjs:\d+:\d+\); a bug in the code it was thrown from \(a plugin's, or pinlab's\)$/);
    expect(step.error).not.toMatch(STACK_FRAME);
  });

  it("reports a device action that throws or returns nothing as a bug in the device plugin, naming the device and action", async () => {
    const r = await run(["run", `${FIX}/faulty-device.yaml`, "--plugin", `${FIX}/faulty-plugins.mjs`, "--format", "json"]);
    expect(r.code).toBe(1);
    const steps = (JSON.parse(r.out) as { results: { steps: { error?: string }[] }[] }).results[0]!.steps;
    expect(steps[0]!.error).toBe('device "d0" (faulty-device): action nothing returned undefined, not { ok: true, ... } or { ok: false, errno }: a bug in the device plugin');
    expect(steps[1]!.error).toMatch(/^device "d0" \(faulty-device\): action go threw device action exploded \(thrown at .*faulty-plugins\.mjs:\d+:\d+\): a bug in the code it was thrown from \(the device plugin, or a policy plugin or pinlab code it called\)$/);
    expect(r.out).not.toMatch(/\\n\s+at /);
  });
});
