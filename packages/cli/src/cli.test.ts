import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "./main.js";
import { tempDir } from "./test-support/temp-dir.js";
import { CLI_VERSION } from "./version.js";
import { captureIo, REPO_ROOT } from "./test-support/capture-io.js";

const FIX = "packages/cli/src/test-support/fixtures";
const run = async (args: string[], env: Record<string, string> = {}) => {
  const io = captureIo(REPO_ROOT, env);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
};

describe("pinlab", () => {
  it("prints its version and help", async () => {
    expect(await run(["--version"])).toMatchObject({ code: 0, out: `${CLI_VERSION}\n` });
    const help = await run(["run", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("Examples:");
    expect(help.out).toContain("--policy");
    for (const cmd of ["check", "list", "schema", "matrix"]) expect((await run([cmd, "--help"])).out).toContain("Example");
  });

  it("refuses an unknown option or command with exit 2", async () => {
    expect((await run(["run", "--bogus", "x.yaml"])).code).toBe(2);
    expect((await run(["frobnicate"])).code).toBe(2);
    expect((await run(["run", "--seed", "abc", `${FIX}/passing.yaml`])).err).toContain("--seed must be an integer");
  });

  it("exits 70 (EX_SOFTWARE), not 2, when pinlab itself fails, and shows the stack only with --debug", async () => {
    const broken = (debug: boolean) => {
      const io = captureIo(REPO_ROOT);
      io.out = () => { throw new Error("stdout exploded"); };
      return main(debug ? ["list", "--debug"] : ["list"], io).then((code) => ({ code, err: io.stderr }));
    };
    const plain = await broken(false);
    expect(plain.code).toBe(70);
    expect(plain.err).toBe("pinlab: internal error: stdout exploded\n(run with --debug for the stack trace)\n");
    const debug = await broken(true);
    expect(debug.code).toBe(70);
    expect(debug.err).toMatch(/internal error: stdout exploded\nError: stdout exploded\n\s+at /);
  });

  it("exits 0 when every expectation holds and 1 when one fails, naming expected and actual", async () => {
    expect((await run(["run", `${FIX}/passing.yaml`])).code).toBe(0);
    const bad = await run(["run", `${FIX}/failing.yaml`]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("FAIL pin-bias");
    expect(bad.out).toContain("step 1 (touch) result: expected 2, got 1");
  });

  it("prints the JSON contract of docs/reference/scenario-format.md (\"Running\")", async () => {
    const r = await run(["run", "scenarios/rdma-region-over-truncated-shmem.yaml", "--format", "json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { scenario: string; results: Record<string, unknown>[] };
    expect(doc.scenario).toBe("rdma-region-over-truncated-shmem");
    expect(doc.results.map((x) => x.policy)).toEqual(["legacy-get", "pin-bias"]);
    for (const res of doc.results) {
      expect(Object.keys(res)).toEqual(expect.arrayContaining(["policy", "passed", "steps", "hazards", "counters", "eventsHash"]));
      const step = (res.steps as Record<string, unknown>[])[2];
      expect(Object.keys(step)).toEqual(expect.arrayContaining(["index", "op", "ok", "errno", "result", "expectations"]));
      expect(Object.keys((step.expectations as object[])[0])).toEqual(expect.arrayContaining(["key", "expected", "actual", "pass"]));
      expect(Object.keys((res.hazards as object[])[0])).toEqual(expect.arrayContaining(["class", "outcome", "step", "device"]));
    }
  });

  it("shows bytes read with NULs escaped in text (\"ab\\0\\0\") and keeps them exact in JSON", async () => {
    const file = "scenarios/reading-zeros.yaml";
    const text = await run(["run", file, "--policy", "pin-bias", "--verbose"]);
    expect(text.code).toBe(0);
    expect(text.out).toContain(String.raw`step 2 read -> "\0\0\0\0"`);
    expect(text.out).toContain(String.raw`step 4 read -> "ab\0\0"`);
    expect(text.out).not.toContain("\0");
    const json = await run(["run", file, "--policy", "pin-bias", "--format", "json"]);
    expect(json.out).toContain(String.raw`"result":"ab\u0000\u0000"`);
    const step = JSON.parse(json.out).results[0].steps[4] as { result: string; expectations: { key: string; actual: string }[] };
    expect(step.result).toBe("ab\0\0");
    expect(step.expectations.find((e) => e.key === "data")?.actual).toBe("ab\0");
  });

  it("--policy wins over PINLAB_POLICY, which wins over the scenario", async () => {
    const env = await run(["run", `${FIX}/passing.yaml`, "--format", "json"], { PINLAB_POLICY: "legacy-get" });
    expect(JSON.parse(env.out).results.map((r: { policy: string }) => r.policy)).toEqual(["legacy-get"]);
    const flag = await run(["run", `${FIX}/passing.yaml`, "--format", "json", "--policy", "exact-pincount,vaddr-pin"], { PINLAB_POLICY: "legacy-get" });
    expect(JSON.parse(flag.out).results.map((r: { policy: string }) => r.policy)).toEqual(["exact-pincount", "vaddr-pin"]);
    const all = await run(["run", `${FIX}/passing.yaml`, "--format", "json", "--policy", "all"]);
    expect(JSON.parse(all.out).results).toHaveLength(4);
    const unknown = await run(["run", `${FIX}/passing.yaml`, "--policy", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown policy "nope"');
  });

  it("--trace prints the event stream; the same seed gives the same hash", async () => {
    const t = await run(["run", `${FIX}/passing.yaml`, "--trace"]);
    expect(t.out).toMatch(/-- trace: passing under pin-bias \(\d+ events\)/);
    expect(t.out).toMatch(/ gup +call="pin_user_pages"/);
    // Absent fields (no errno on success) are left out, as in the event's JSON.
    const gupLine = t.out.split("\n").find((l) => / gup +call=/.test(l)) ?? "";
    expect(gupLine).toMatch(/got=1 fastPages=/);
    expect(gupLine).not.toContain("errno=");
    const h = async (seed: string) => JSON.parse((await run(["run", `${FIX}/passing.yaml`, "--format", "json", "--seed", seed])).out).results[0].eventsHash;
    expect(await h("5")).toBe(await h("5"));
    expect(await h("5")).not.toBe(await h("6"));
  });

  it("lists each policy's capabilities (what devices and the bench read instead of its id)", async () => {
    const json = JSON.parse((await run(["list", "--format", "json"])).out) as { policies: { id: string; capabilities: Record<string, unknown> }[] };
    expect(Object.fromEntries(json.policies.map((p) => [p.id, p.capabilities]))).toMatchObject({
      "vaddr-pin": { filePins: true }, "exact-pincount": { filePins: false, extraAtomicsPerPin: 1, extraAtomicsPerUnpin: 1 },
    });
    const text = (await run(["list"])).out;
    expect(text).toMatch(/vaddr-pin .*\n.*follows: .*\n\s+capabilities: file pins yes, extra atomics per pin 0, per unpin 0\n/);
  });

  it("loads a plugin from a path and from a config file", async () => {
    const listed = await run(["list", "--format", "json", "--plugin", `${FIX}/extra-policy.mjs`]);
    expect(listed.code).toBe(0);
    const doc = JSON.parse(listed.out) as { policies: { id: string; source: string }[] };
    expect(doc.policies.find((p) => p.id === "fixture-policy")?.source).toContain("extra-policy.mjs");
    const dir = mkdtempSync(join(REPO_ROOT, "packages/cli/src/test-support/fixtures/tmp-"));
    writeFileSync(join(dir, "pinlab.config.yaml"), `policy: fixture-policy\nplugins: [../extra-policy.mjs]\n`);
    const io = captureIo(dir);
    expect(await main(["run", join(REPO_ROOT, FIX, "passing.yaml"), "--format", "json"], io)).toBe(0);
    expect(JSON.parse(io.stdout).results[0].policy).toBe("fixture-policy");
    spawnSync("rm", ["-rf", dir]);
  });

  it("takes a directory's scenarios without its pinlab.config.yaml, which configures the run instead", async () => {
    const dir = "docs/examples/fixed-buffer-ring";
    const r = await run(["check", `${dir}/`, "--config", `${dir}/pinlab.config.yaml`]);
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(r.out).toBe(`ok ${dir}/fixed-buffer-ring.yaml (fixed-buffer-ring-example, 12 steps)\n`);
  });

  it.each([
    ["throws.mjs", /plugin .*throws\.mjs failed to load: fixture plugin exploded on import/],
    ["duplicate.mjs", /policy id "pin-bias" is claimed twice: by @pinlab\/policies and by .*duplicate\.mjs/],
    ["bad-descriptor.mjs", /plugin .*bad-descriptor\.mjs: its default export is not a policy or device descriptor/],
    ["empty.mjs", /plugin .*empty\.mjs exports nothing pinlab can use/],
    ["missing.mjs", /plugin .*missing\.mjs does not exist/],
  ])("refuses the plugin %s with exit 2 and a clear message", async (file, msg) => {
    const r = await run(["list", "--plugin", `${FIX}/${file}`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("refuses a bad config file", async () => {
    const dir = tempDir("pinlab-cfg-");
    writeFileSync(join(dir, "pinlab.config.json"), `{ "polcy": "pin-bias" }`);
    const io = captureIo(dir);
    expect(await main(["list"], io)).toBe(2);
    expect(io.stderr).toMatch(/pinlab\.config\.json: .*Unrecognized key.*polcy/);
  });

  it("prints a JSON Schema that covers the ops and the device actions", async () => {
    const r = await run(["schema"]);
    const schema = JSON.parse(r.out) as Record<string, unknown>;
    expect(schema.$schema).toContain("json-schema.org");
    expect(r.out).toContain('"reg_mr"');
    expect(r.out).toContain('"punch_hole"');
  });

  it("runs as a real process with the right exit status", () => {
    const bin = join(REPO_ROOT, "packages/cli/dist/bin/pinlab.js");
    const ok = spawnSync(process.execPath, [bin, "check", `${FIX}/passing.yaml`], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(ok.status).toBe(0);
    const bad = spawnSync(process.execPath, [bin, "run", `${FIX}/failing.yaml`], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(bad.status).toBe(1);
    const invalid = spawnSync(process.execPath, [bin, "run", "scenarios/invalid/08-unknown-op.yaml"], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toContain('unknown op "mmapp"');
  });

  it("is linked by npm install as the pinlab command (npx pinlab), which runs the built CLI", () => {
    // The link npm install makes from the workspace's bin entry: it must exist before any build.
    const link = join(REPO_ROOT, "node_modules/.bin/pinlab");
    const version = spawnSync(link, ["--version"], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(version.stderr).toBe("");
    expect(version.stdout.trim()).toBe(CLI_VERSION);
    expect(version.status).toBe(0);
  });
});
