import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { KERNEL_ERA_IDS } from "@pinlab/core";
import type { BenchResults } from "@pinlab/bench";
import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { UsageError } from "../io.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";
import { tempDir } from "../test-support/temp-dir.js";
import { kernelsOption } from "./bench-options.js";

const run = async (args: string[], env: Record<string, string | undefined> = {}, cwd = REPO_ROOT) => {
  const io = captureIo(cwd, env);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
};

describe("kernelsOption (--kernels, --kernel, PINLAB_KERNEL, config kernels:)", () => {
  it("takes --kernels, else --kernel, else PINLAB_KERNEL, else the config; nothing = each policy at its own era", () => {
    const config = { kernels: ["v4.15"], source: "/x/pinlab.config.yaml" };
    expect(kernelsOption({ kernels: "v5.3, v6.12", env: "v5.9", config })).toEqual(["v5.3", "v6.12"]);
    expect(kernelsOption({ kernels: "v5.3,all" })).toBe("all");
    expect(kernelsOption({ kernel: "v5.9", env: "v5.3", config })).toEqual(["v5.9"]);
    expect(kernelsOption({ env: "v5.3", config })).toEqual(["v5.3"]);
    expect(kernelsOption({ env: "", config })).toEqual(["v4.15"]);
    expect(kernelsOption({ config: { kernels: "all", source: "c" } })).toBe("all");
    expect(kernelsOption({})).toBeUndefined();
  });

  it("refuses --kernels with --kernel, an empty --kernels, --kernel all and unknown eras, naming where they came from", () => {
    expect(() => kernelsOption({ kernels: "v5.3", kernel: "v6.12" })).toThrow(/--kernels and --kernel are exclusive/);
    expect(() => kernelsOption({ kernels: "," })).toThrow(/--kernels is empty/);
    expect(() => kernelsOption({ kernel: "all" })).toThrow(/--kernel takes one era id/);
    expect(() => kernelsOption({ kernels: "v5.3,v5.4" })).toThrow(UsageError);
    expect(() => kernelsOption({ kernels: "v5.4" })).toThrow(`--kernels: unknown kernel "v5.4"; kernels: ${KERNEL_ERA_IDS.join(", ")} (or all)`);
    expect(() => kernelsOption({ kernel: "5.3" })).toThrow(/^--kernel: unknown kernel "5\.3"/);
    expect(() => kernelsOption({ env: "v2.6" })).toThrow(/^PINLAB_KERNEL: unknown kernel "v2\.6"/);
    expect(() => kernelsOption({ config: { kernels: ["v3"], source: "/x/c.yaml" } })).toThrow(/^\/x\/c\.yaml: kernels: unknown kernel "v3"/);
  });
});

describe("pinlab bench's kernel axis with the real policies (size tiny)", () => {
  it("without --kernels runs each policy at its own era (legacy-get v5.3, the others v6.12) and says so", async () => {
    const r = await run(["bench", "--size", "tiny", "--workers", "1", "--workloads", "pin-overflow", "--format", "json"]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as BenchResults;
    expect(res.cells.map((c) => [c.id, c.kernel])).toEqual([
      ["pin-overflow/shmem-aliases/legacy-get", "v5.3"], ["pin-overflow/shmem-aliases/pin-bias", "v6.12"],
      ["pin-overflow/shmem-aliases/vaddr-pin", "v6.12"], ["pin-overflow/shmem-aliases/exact-pincount", "v6.12"],
    ]);
    expect(res.context).toMatchObject({ kernels: ["v5.3", "v6.12"], kernelAxis: null, policyKernels: { "legacy-get": "v5.3", "pin-bias": "v6.12", "vaddr-pin": "v6.12", "exact-pincount": "v6.12" } });
    const md = await run(["bench", "--size", "tiny", "--workers", "1", "--workloads", "pin-overflow", "--format", "md"]);
    expect(md.out).toContain("Kernels: each policy at its own era (legacy-get: v5.3, pin-bias/vaddr-pin/exact-pincount: v6.12).");
  }, 120_000);

  it("RDMA + fork: pin-bias's pin is a plain get at v5.3 (divergence undetected) and is early-COWed at v6.12 (prevented)", async () => {
    const r = await run(["bench", "--size", "tiny", "--workers", "1", "--workloads", "rdma-fork", "--policies", "pin-bias", "--kernels", "v6.12,v5.3", "--format", "json"]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as BenchResults;
    const at = (k: string) => res.cells.find((c) => c.kernel === k)!;
    expect(res.cells.map((c) => c.id)).toEqual(["rdma-fork/rdma-mr/pin-bias@v5.3", "rdma-fork/rdma-mr/pin-bias@v6.12"]);
    expect(at("v5.3").seed).toBe(at("v6.12").seed);
    const old = at("v5.3").metrics.hazards.cow_divergence!;
    const cur = at("v6.12").metrics.hazards.cow_divergence!;
    expect(old.undetected).toBeGreaterThan(0);
    expect(old.prevented).toBe(0);
    expect(cur).toEqual({ prevented: old.undetected, detected: 0, undetected: 0 });
  }, 120_000);

  it("--kernel ID is every policy at ID; bad kernels are usage errors (exit 2) naming the flag, variable or config file", async () => {
    const one = await run(["bench", "--dry-run", "--workloads", "pin-overflow", "--kernel", "v5.3"]);
    expect(one.code).toBe(0);
    expect(one.out).toContain("pin-overflow/shmem-aliases/pin-bias@v5.3");
    expect(one.out).toContain("pin-overflow/shmem-aliases/legacy-get@v5.3");
    const both = await run(["bench", "--dry-run", "--kernels", "v5.3", "--kernel", "v6.12"]);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--kernels and --kernel are exclusive/);
    const bad = await run(["bench", "--dry-run", "--kernels", "v5.3,v7"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`--kernels: unknown kernel "v7"; kernels: ${KERNEL_ERA_IDS.join(", ")}`);
    expect(bad.err).not.toMatch(/\n\s+at /);
    const env = await run(["bench", "--dry-run", "--workloads", "pin-overflow"], { PINLAB_KERNEL: "v9" });
    expect(env.code).toBe(2);
    expect(env.err).toContain('PINLAB_KERNEL: unknown kernel "v9"');
    const cwd = tempDir("pinlab-bench-kernels-");
    writeFileSync(join(cwd, "pinlab.config.yaml"), "kernels: [v5.3, v6.12]\n");
    const cfg = await run(["bench", "--dry-run", "--workloads", "pin-overflow", "--policies", "pin-bias"], {}, cwd);
    expect(cfg.code).toBe(0);
    expect(cfg.out).toContain("pin-overflow/shmem-aliases/pin-bias@v5.3\n  pin-overflow/shmem-aliases/pin-bias@v6.12");
    writeFileSync(join(cwd, "pinlab.config.yaml"), "kernels: [v5.33]\n");
    const badCfg = await run(["bench", "--dry-run", "--workloads", "pin-overflow"], {}, cwd);
    expect(badCfg.code).toBe(2);
    expect(badCfg.err).toContain(`${join(cwd, "pinlab.config.yaml")}: kernels: unknown kernel "v5.33"`);
  }, 120_000);
});
