/**
 * A plugin is one file in any directory: written to a fresh temp directory (no package.json, no
 * node_modules), it imports `@pinlab/core`, `@pinlab/policies` and `zod` by name, and the built
 * CLI (and the bench's worker threads) load it with this pinlab's own modules.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../test-support/capture-io.js";
import { tempDir } from "../test-support/temp-dir.js";

const BIN = join(REPO_ROOT, "packages/cli/dist/bin/pinlab.js");
const pinlab = (args: string[], cwd: string) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });

/** A device plugin that says, in its summary, where its `zod` and `@pinlab/core` came from. */
const DEVICE = `
import { actionFields, defineDevice, registerDevice, FOLL_WRITE, PAGE_SIZE } from "@pinlab/core";
import { z } from "zod";
const pinFields = z.object({ proc: actionFields.proc, addr: actionFields.addr }).strict();
const d = defineDevice({
  meta: {
    id: "tmp-pinner",
    summary: "zod=" + import.meta.resolve("zod") + " core=" + import.meta.resolve("@pinlab/core"),
    driver: "a test",
    options: z.object({ label: z.string().default("x").describe("a described option") }).strict(),
    actions: { pin: { summary: "pin one page", fields: pinFields, result: "pages" }, unpin: { summary: "unpin", fields: z.object({}).strict(), releases: true } },
  },
  create(ctx) {
    const pages = [];
    return {
      actions: {
        pin({ proc, addr }) {
          const got = ctx.gup.pinUserPagesFast(proc, Math.floor(addr / PAGE_SIZE) * PAGE_SIZE, 1, FOLL_WRITE, pages, { holder: ctx.holder });
          return { ok: true, value: got };
        },
        unpin() { ctx.gup.unpinUserPages(pages, pages.length, { holder: ctx.holder }); pages.length = 0; return { ok: true }; },
      },
      view: () => ({ frames: pages.map((pfn) => ({ pfn, label: "p" })), counters: { pinned: pages.length } }),
    };
  },
});
export default d;
export function register(c) { registerDevice(c, d, "tmp-pinner.mjs"); }
`;

const SCENARIO = `name: tmp-pinner
policy: [legacy-get, pin-bias]
machine: { memory: 16MiB }
devices: [ { name: t0, kind: tmp-pinner } ]
processes: [p1]
steps:
  - { op: mmap, proc: p1, as: buf, length: 4KiB, prot: [read, write], flags: [private, anonymous, populate] }
  - { op: device, device: t0, action: pin, proc: p1, addr: buf, expect: { result: 1, device_counters: { device: t0, pinned: 1 } } }
  - { op: device, device: t0, action: unpin, expect: { ok: true } }
  - { op: check, expect: { invariants: true, device_counters: { device: t0, pinned: 0 } } }
`;

/** A policy plugin built on @pinlab/policies' pin-bias. */
const POLICY = `
import { definePinPolicy, registerPinPolicy } from "@pinlab/core";
import { PinBiasOptionsSchema, pinBias } from "@pinlab/policies";
const p = definePinPolicy({
  meta: { id: "tmp-bias", summary: "pin-bias again", kernel: "v6.12", options: PinBiasOptionsSchema, capabilities: pinBias.meta.capabilities },
  create(ctx) { return { ...pinBias.create(ctx), id: "tmp-bias" }; },
});
export default p;
export function register(c) { registerPinPolicy(c, p, "tmp-bias.mjs"); }
`;

function writePlugin(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The URL Node resolves `specifier` to from `dir` (an ES module import there). */
function resolvedFrom(dir: string, specifier: string): string {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `process.stdout.write(import.meta.resolve(${JSON.stringify(specifier)}))`], { cwd: dir, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe("a plugin outside the repository", () => {
  it("cannot import @pinlab/core on its own (the precondition), and loads under pinlab run --plugin", () => {
    const dir = tempDir("pinlab-plugin-");
    const plugin = writePlugin(dir, "tmp-pinner.mjs", DEVICE);
    writeFileSync(join(dir, "tmp-pinner.yaml"), SCENARIO);
    const bare = spawnSync(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(pathToFileURL(plugin).href)})`], { cwd: dir, encoding: "utf8" });
    expect(bare.status).not.toBe(0);
    expect(bare.stderr).toContain("Cannot find package '@pinlab/core'");

    const r = pinlab(["run", "--plugin", "tmp-pinner.mjs", "tmp-pinner.yaml"], dir);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/PASS legacy-get .* 4 steps/);
    expect(r.stdout).toMatch(/PASS pin-bias .* 4 steps/);
  });

  it("gets the running pinlab's own @pinlab/core and core's zod: the same URLs, so the same modules", () => {
    const dir = tempDir("pinlab-plugin-");
    writePlugin(dir, "tmp-pinner.mjs", DEVICE);
    const r = pinlab(["list", "--plugin", "tmp-pinner.mjs", "--format", "json"], dir);
    expect(r.status, r.stderr).toBe(0);
    const devices = (JSON.parse(r.stdout) as { devices: { id: string; summary: string; options: { name: string; description?: string }[] }[] }).devices;
    const mine = devices.find((d) => d.id === "tmp-pinner");
    const coreDir = join(REPO_ROOT, "packages/core");
    expect(mine?.summary).toBe(`zod=${resolvedFrom(coreDir, "zod")} core=${pathToFileURL(realpathSync(join(coreDir, "dist/index.js"))).href}`);
    // The option's .describe() went into the registry core's zod reads: pinlab list shows it.
    expect(JSON.stringify(mine?.options)).toContain("a described option");
  });

  it("gets pinlab's zod even beside a node_modules with a copy of its own (one copy, always)", () => {
    const dir = tempDir("pinlab-plugin-");
    const fake = join(dir, "node_modules", "zod");
    mkdirSync(fake, { recursive: true });
    writeFileSync(join(fake, "package.json"), JSON.stringify({ name: "zod", version: "0.0.0-copy", type: "module", exports: "./index.js" }));
    writeFileSync(join(fake, "index.js"), "export const z = { copy: true };\n");
    writePlugin(dir, "tmp-pinner.mjs", DEVICE);
    writeFileSync(join(dir, "tmp-pinner.yaml"), SCENARIO);
    expect(resolvedFrom(dir, "zod")).toBe(pathToFileURL(join(realpathSync(fake), "index.js")).href);
    const r = pinlab(["run", "--plugin", "tmp-pinner.mjs", "tmp-pinner.yaml"], dir);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("imports @pinlab/policies too, and the bench's worker threads load it", () => {
    const dir = tempDir("pinlab-plugin-");
    writePlugin(dir, "tmp-bias.mjs", POLICY);
    const out = join(dir, "report");
    const r = pinlab(["bench", "--plugin", "tmp-bias.mjs", "--policies", "pin-bias,tmp-bias", "--size", "tiny", "--workloads", "rdma-fork", "--workers", "2", "--out", out], dir);
    expect(r.status, r.stderr).toBe(0);
    const cells = (JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { cells: { policy: string; workload: string }[] }).cells;
    expect(cells.map((c) => c.policy).sort()).toEqual(["pin-bias", "tmp-bias"]);
  });
});
