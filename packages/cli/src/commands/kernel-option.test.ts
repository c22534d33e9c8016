import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KERNEL_ERA_IDS } from "@pinlab/core";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";
import { tempDir } from "../test-support/temp-dir.js";

const run = async (args: string[], env: Record<string, string> = {}, cwd = REPO_ROOT) => {
  const io = captureIo(cwd, env);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
};

/** A scenario under `policies`, with `machine.kernel` when given, in a fresh directory (and a config there when given). */
function setUpDir(opts: { kernel?: string; config?: string; policies?: string } = {}): { dir: string; file: string } {
  const dir = tempDir("pinlab-kernel-");
  const file = join(dir, "s.yaml");
  writeFileSync(file, [
    "name: era-precedence",
    `policy: ${opts.policies ?? "[legacy-get, pin-bias]"}`,
    `machine: { memory: 16MiB${opts.kernel !== undefined ? `, kernel: ${opts.kernel}` : ""} }`,
    "processes: [p1]",
    "steps:",
    "  - { op: mmap, proc: p1, as: a, length: 4KiB, prot: [read, write], flags: [private, anonymous] }",
    "  - { op: gup, proc: p1, addr: a, pages: 1, call: pin_user_pages, flags: [FOLL_WRITE], as: h }",
    "  - { op: release, handle: h }",
  ].join("\n"));
  if (opts.config !== undefined) writeFileSync(join(dir, "pinlab.config.yaml"), opts.config);
  return { dir, file };
}

/** The era each policy's result ran on. */
async function eras(args: string[], env: Record<string, string>, cwd: string): Promise<Record<string, string>> {
  const r = await run(["run", ...args, "--format", "json"], env, cwd);
  expect(r.err).toBe("");
  const doc = JSON.parse(r.out) as { results: { policy: string; kernel: string }[] };
  return Object.fromEntries(doc.results.map((x) => [x.policy, x.kernel]));
}

describe("the kernel era of a run", () => {
  it("is each policy's own era when nothing names one (legacy-get v5.3, pin-bias v6.12)", async () => {
    const { dir, file } = setUpDir();
    expect(await eras([file], {}, dir)).toEqual({ "legacy-get": "v5.3", "pin-bias": "v6.12" });
  });

  it("follows --kernel > PINLAB_KERNEL > machine.kernel > the config's kernel > the policy's", async () => {
    const cfg = setUpDir({ config: "kernel: v4.9\n" });
    expect(await eras([cfg.file], {}, cfg.dir)).toEqual({ "legacy-get": "v4.9", "pin-bias": "v4.9" });
    const sc = setUpDir({ kernel: "v5.7", config: "kernel: v4.9\n" });
    expect(await eras([sc.file], {}, sc.dir)).toEqual({ "legacy-get": "v5.7", "pin-bias": "v5.7" });
    expect(await eras([sc.file], { PINLAB_KERNEL: "v5.8" }, sc.dir)).toEqual({ "legacy-get": "v5.8", "pin-bias": "v5.8" });
    expect(await eras([sc.file, "--kernel", "v5.19"], { PINLAB_KERNEL: "v5.8" }, sc.dir)).toEqual({ "legacy-get": "v5.19", "pin-bias": "v5.19" });
    // An empty PINLAB_KERNEL counts as unset, as an empty PINLAB_POLICY does.
    expect(await eras([sc.file], { PINLAB_KERNEL: "" }, sc.dir)).toEqual({ "legacy-get": "v5.7", "pin-bias": "v5.7" });
  });

  it("refuses an unknown era from the flag, the variable, the config and the scenario, naming where it came from and the ids", async () => {
    const { dir, file } = setUpDir();
    const ids = KERNEL_ERA_IDS.join(", ");
    const flag = await run(["run", file, "--kernel", "v5.10"], {}, dir);
    expect(flag).toMatchObject({ code: 2, out: "" });
    expect(flag.err).toBe(`pinlab: --kernel: unknown kernel "v5.10"; kernels: ${ids}\n`);
    const env = await run(["matrix", file], { PINLAB_KERNEL: "linux-6" }, dir);
    expect(env.code).toBe(2);
    expect(env.err).toBe(`pinlab: PINLAB_KERNEL: unknown kernel "linux-6"; kernels: ${ids}\n`);
    const cfg = setUpDir({ config: "kernel: v7.0\n" });
    const bad = await run(["run", cfg.file], {}, cfg.dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/pinlab\.config\.yaml: kernel: unknown kernel "v7\.0"; kernels: v4\.8/);
    const sc = setUpDir({ kernel: "v3.10" });
    const scenario = await run(["run", sc.file], {}, sc.dir);
    expect(scenario.code).toBe(2);
    expect(scenario.err).toMatch(/s\.yaml:3:\d+: field "machine\.kernel": unknown kernel "v3\.10"/);
    expect(`${flag.err}${env.err}${bad.err}${scenario.err}`).not.toMatch(/\n\s+at /);
  });

  it("shows the era in text reports when it is not the default, and in the matrix", async () => {
    const { dir, file } = setUpDir();
    const text = await run(["run", file], {}, dir);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/PASS legacy-get @v5\.3 +3 steps/);
    expect(text.out).toMatch(/PASS pin-bias +3 steps/);
    expect((await run(["run", file, "--kernel", "v5.8"], {}, dir)).out).toMatch(/PASS pin-bias @v5\.8 +3 steps/);
    const m = await run(["matrix", file, "--kernel", "v4.8"], {}, dir);
    expect(m.code).toBe(0);
    expect(m.out).toMatch(/legacy-get\s+v4\.8\s+pass/);
    expect(m.out).toMatch(/pin-bias\s+v4\.8\s+pass/);
  });

  it("changes what the model does: before v5.7 a pin is a plain reference (no nr_foll_pin_acquired)", async () => {
    const { dir, file } = setUpDir({ policies: "pin-bias" });
    const counters = async (kernel: string) => {
      const r = await run(["run", file, "--kernel", kernel, "--format", "json"], {}, dir);
      return (JSON.parse(r.out) as { results: { counters: { nr_foll_pin_acquired: number } }[] }).results[0].counters.nr_foll_pin_acquired;
    };
    expect(await counters("v5.3")).toBe(0);
    expect(await counters("v5.7")).toBe(1);
  });
});

describe("pinlab list", () => {
  it("lists every kernel era with its release, date and commits, and each policy's default era", async () => {
    const all = await run(["list"]);
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/legacy-get[^\n]*\n(?:[^\n]*\n)*?\s+default kernel era: v5\.3/);
    expect(all.out).toContain("default kernel era: v6.12");
    const kernels = await run(["list", "kernels"]);
    expect(kernels.code).toBe(0);
    for (const id of KERNEL_ERA_IDS) expect(kernels.out).toMatch(new RegExp(`^  ${id.replace(/\./g, "\\.")} +Linux`, "m"));
    expect(kernels.out).toContain('17839856fd58 "gup: document and work around "COW can break either way" issue"');
    expect(kernels.out).toMatch(/v6\.12 +Linux 6\.12 \(2024-11\) \[default\]/);
    expect(kernels.out).not.toContain("Policies");
    const json = JSON.parse((await run(["list", "--format", "json"])).out) as { policies: { id: string; defaultKernel: string }[]; kernels: { id: string; changes: { commit: string }[] }[] };
    expect(Object.fromEntries(json.policies.map((p) => [p.id, p.defaultKernel]))).toEqual({ "legacy-get": "v5.3", "pin-bias": "v6.12", "vaddr-pin": "v6.12", "exact-pincount": "v6.12" });
    expect(json.kernels.map((k) => k.id)).toEqual(KERNEL_ERA_IDS);
    expect(json.kernels.find((k) => k.id === "v5.8")!.changes.map((c) => c.commit)).toEqual(["17839856fd58"]);
    const only = JSON.parse((await run(["list", "kernels", "--format", "json"])).out) as Record<string, unknown>;
    expect(Object.keys(only)).toEqual(["kernels"]);
    expect(await run(["list", "eras"])).toMatchObject({ code: 2, err: 'pinlab: pinlab list takes nothing or kernels, got "eras"\n' });
  });
});
