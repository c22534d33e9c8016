/**
 * `pinlab new device|policy NAME`, as a user runs it: the built CLI in an empty directory outside
 * the repository, then `pinlab run` and `pinlab check` of the scenario it wrote, with the config
 * it wrote and with `--plugin` instead.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";
import { tempDir } from "../test-support/temp-dir.js";
import { pluginIdentifier, skeletonFiles } from "./new.js";

const BIN = join(REPO_ROOT, "packages/cli/dist/bin/pinlab.js");
const pinlab = (args: string[], cwd: string) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0", PINLAB_POLICY: "" } });
/** The same in-process, for what loads no plugin (refusals, help). */
const inProcess = async (args: string[], cwd: string) => {
  const io = captureIo(cwd);
  const status = await main(args, io);
  return { status, stdout: io.stdout, stderr: io.stderr };
};

describe("pinlab new", () => {
  for (const kind of ["device", "policy"] as const) {
    it(`new ${kind} foo in an empty directory: pinlab run and pinlab check of foo.yaml pass, with the config and with --plugin`, () => {
      const dir = tempDir("pinlab-new-");
      const made = pinlab(["new", kind, "foo"], dir);
      expect(made.stderr).toBe("");
      expect(made.status).toBe(0);
      expect(readdirSync(dir).sort()).toEqual(["foo.mjs", "foo.yaml", "pinlab.config.yaml"]);
      expect(made.stdout).toContain("pinlab run foo.yaml");

      const run = pinlab(["run", "foo.yaml"], dir);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      expect(run.stdout).not.toContain("FAIL");
      expect(run.stdout).toContain(kind === "policy" ? "PASS foo " : "PASS pin-bias ");
      const check = pinlab(["check", "foo.yaml"], dir);
      expect(check.status).toBe(0);
      expect(check.stdout).toMatch(/^ok foo\.yaml \(foo, \d+ steps\)\n$/);
      // Audited after every step: the skeleton releases what it takes.
      expect(pinlab(["run", "--check", "foo.yaml"], dir).status).toBe(0);

      renameSync(join(dir, "pinlab.config.yaml"), join(dir, "elsewhere.yaml"));
      expect(pinlab(["run", "foo.yaml"], dir).status).toBe(2);
      const withFlag = pinlab(["run", "--plugin", "foo.mjs", "foo.yaml"], dir);
      expect(withFlag.stderr).toBe("");
      expect(withFlag.status).toBe(0);
    });
  }

  it("issue 19's done-when: from an empty directory, new device foo, run foo.yaml, then bench --plugin foo.mjs --scenarios foo.yaml, with no install", () => {
    const dir = tempDir("pinlab-new-");
    const made = pinlab(["new", "device", "foo"], dir);
    expect(made.status).toBe(0);
    expect(made.stdout).toContain("pinlab bench --plugin foo.mjs --scenarios foo.yaml");
    expect(pinlab(["run", "foo.yaml"], dir).status).toBe(0);
    // The bench's own matrix is large: the scenario workload alone, tiny, two policies, keeps the test short.
    const bench = pinlab(["bench", "--plugin", "foo.mjs", "--scenarios", "foo.yaml", "--workloads", "scenario:foo", "--policies", "legacy-get,pin-bias", "--size", "tiny", "--out", "out"], dir);
    expect(bench.stderr).not.toMatch(/Cannot find package|Error/);
    expect(bench.status).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, "out", "results.json"), "utf8")) as { cells: { workload: string; policy: string; device: string; metrics: { hazards: Record<string, Record<string, number>> } }[] };
    expect(results.cells.map((c) => [c.workload, c.device, c.policy])).toEqual([["scenario:foo", "foo", "legacy-get"], ["scenario:foo", "foo", "pin-bias"]]);
    // The same hazards pinlab run records: legacy-get lets fork split device and process, pin-bias copies for the child.
    expect(JSON.stringify(results.cells[0].metrics.hazards)).toContain("cow_divergence");
  });

  it("writes into --dir (made if missing), leaves an existing config alone and says how to add the plugin", () => {
    const dir = tempDir("pinlab-new-");
    const target = join(dir, "plugins", "ring");
    expect(pinlab(["new", "device", "my-ring", "--dir", "plugins/ring"], dir).status).toBe(0);
    expect(readdirSync(target).sort()).toEqual(["my-ring.mjs", "my-ring.yaml", "pinlab.config.yaml"]);
    expect(readFileSync(join(target, "my-ring.mjs"), "utf8")).toContain("const myRingDevice = defineDevice(");

    const config = "# mine\npolicy: pin-bias\n";
    writeFileSync(join(dir, "pinlab.config.yaml"), config);
    const r = pinlab(["new", "policy", "bar"], dir);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, "pinlab.config.yaml"), "utf8")).toBe(config);
    expect(r.stdout).toContain("pinlab.config.yaml exists already and was left as it is: add the plugin to it (plugins: [./bar.mjs]), or pass --plugin bar.mjs");
    expect(r.stdout).toContain("pinlab run --plugin bar.mjs bar.yaml");
    expect(pinlab(["run", "--plugin", "bar.mjs", "bar.yaml"], dir).status).toBe(0);
  });

  it("refuses a file in the way (exit 2, nothing written), a name that is not a plugin id, a built-in id, and an unknown kind", async () => {
    const dir = tempDir("pinlab-new-");
    writeFileSync(join(dir, "foo.yaml"), "mine\n");
    const r = await inProcess(["new", "device", "foo"], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("foo.yaml already exists in");
    expect(r.stderr).toContain("nothing written");
    expect(readdirSync(dir)).toEqual(["foo.yaml"]);
    expect(readFileSync(join(dir, "foo.yaml"), "utf8")).toBe("mine\n");

    const bad: [string[], string][] = [
      [["new", "device", "Foo"], "\"Foo\" is not a plugin id: lower-case kebab-case"],
      [["new", "policy", "1st"], "\"1st\" is not a plugin id"],
      [["new", "policy", "my_policy"], "\"my_policy\" is not a plugin id"],
      [["new", "policy", "pin-bias"], "\"pin-bias\" is a built-in policy of pinlab"],
      [["new", "device", "rdma-mr"], "\"rdma-mr\" is a built-in device of pinlab"],
      [["new", "workload", "foo"], "unknown kind \"workload\""],
    ];
    for (const [args, message] of bad) {
      const e = await inProcess(args, dir);
      expect([args.join(" "), e.status]).toEqual([args.join(" "), 2]);
      expect(e.stderr).toContain(message);
    }
    expect(readdirSync(dir)).toEqual(["foo.yaml"]);
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "file"), "");
    expect((await inProcess(["new", "device", "x", "--dir", "file"], dir)).stderr).toContain("is not a directory");
  });

  it("is listed in the help, with its own", async () => {
    const top = await inProcess(["--help"], REPO_ROOT);
    expect(top.stdout).toMatch(/new \[options\] <kind> <name> +write a plugin skeleton/);
    const own = await inProcess(["new", "--help"], REPO_ROOT);
    expect(own.status).toBe(0);
    expect(own.stdout).toContain("--dir <dir>");
    expect(own.stdout).toContain("pinlab new device foo && pinlab run foo.yaml");
  });

  it("fills the templates: the id, its identifier, and no placeholder left", () => {
    expect(pluginIdentifier("my-ring-2", "device")).toBe("myRing2Device");
    expect(pluginIdentifier("delete", "policy")).toBe("deletePolicy");
    for (const kind of ["device", "policy"] as const) {
      for (const f of skeletonFiles(kind, "my-ring", true)) {
        expect([f.name, f.text]).not.toEqual([f.name, expect.stringMatching(/__[A-Z]+__/)]);
        expect(f.text).toContain("my-ring");
      }
    }
  });

  it("writes plugins that typecheck as strict // @ts-check JavaScript against pinlab's types", () => {
    const dir = tempDir("pinlab-new-");
    const files = (["device", "policy"] as const).map((kind) => {
      const f = skeletonFiles(kind, `my-${kind}`, false)[0];
      writeFileSync(join(dir, f.name), f.text);
      return join(dir, f.name);
    });
    const pkg = (name: string) => [join(REPO_ROOT, `packages/${name}/dist/index.d.ts`)];
    const program = ts.createProgram(files, {
      allowJs: true, checkJs: true, noEmit: true, strict: true, skipLibCheck: true, types: [],
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
      paths: { "@pinlab/core": pkg("core"), "@pinlab/policies": pkg("policies"), zod: [join(REPO_ROOT, "node_modules/zod/index.d.cts")] },
    });
    const diags = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    expect(diags).toEqual([]);
  });
});
