import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { KERNEL_ERA_IDS } from "@pinlab/core";
import { renderCsv } from "../report/csv.js";
import { renderHtml } from "../report/html.js";
import { renderMarkdown } from "../report/markdown.js";
import { kernelsText } from "../report/run-shape.js";
import { renderTerminal } from "../report/terminal.js";
import { contenders } from "../report/analysis.js";
import { FAKE_PLUGINS } from "../test-support/fake-plugins.js";
import { BenchInputError } from "./bench-input-error.js";
import { resolveKernelAxis } from "./kernel-axis.js";
import { resultsProblems } from "./results-schema.js";
import { planBench, runBench, type BenchOptions } from "./run-bench.js";

const base: BenchOptions = { plugins: [FAKE_PLUGINS], workloads: ["dio-writeback-race", "pin-overflow"], policies: ["fake-get", "fake-bias"], size: "tiny", seed: 42 };

describe("resolveKernelAxis (--kernels)", () => {
  it("is null without --kernels, every era for all, the given eras oldest first and once each", () => {
    expect(resolveKernelAxis(undefined)).toBeNull();
    expect(resolveKernelAxis("all")).toEqual([...KERNEL_ERA_IDS]);
    expect(resolveKernelAxis(["v6.12", "v5.3", "v6.12"])).toEqual(["v5.3", "v6.12"]);
  });

  it("refuses an unknown era naming the flag and listing the eras, and an empty list", () => {
    expect(() => resolveKernelAxis(["v5.3", "v9.9"])).toThrow(BenchInputError);
    expect(() => resolveKernelAxis(["v9.9"])).toThrow(`--kernels: unknown kernel "v9.9"; kernels: ${KERNEL_ERA_IDS.join(", ")} (or all)`);
    expect(() => resolveKernelAxis([])).toThrow(/--kernels selects no kernel/);
  });
});

describe("the kernel axis of a bench plan", () => {
  it("without --kernels: the cells and ids the bench always had, each policy at its own era", async () => {
    const plan = await planBench(base);
    expect(plan.cells.map((c) => c.id)).toEqual([
      "dio-writeback-race/block-layer/fake-get", "dio-writeback-race/block-layer/fake-bias", "pin-overflow/shmem-aliases/fake-get", "pin-overflow/shmem-aliases/fake-bias",
    ]);
    // The fake policies declare no defaultKernel: their own era is v6.12.
    expect(plan.cells.map((c) => c.kernel)).toEqual(["v6.12", "v6.12", "v6.12", "v6.12"]);
    expect(plan.kernelAxis).toBeNull();
    expect(plan.policyKernels).toEqual({ "fake-get": "v6.12", "fake-bias": "v6.12" });
  });

  it("with --kernels: every policy at every era, the era in the id, the matrix multiplied", async () => {
    const plan = await planBench({ ...base, kernels: ["v6.12", "v5.3"] });
    expect(plan.matrixCells).toBe(8);
    expect(plan.cells.slice(0, 4).map((c) => [c.id, c.kernel])).toEqual([
      ["dio-writeback-race/block-layer/fake-get@v5.3", "v5.3"], ["dio-writeback-race/block-layer/fake-get@v6.12", "v6.12"],
      ["dio-writeback-race/block-layer/fake-bias@v5.3", "v5.3"], ["dio-writeback-race/block-layer/fake-bias@v6.12", "v6.12"],
    ]);
    const all = await planBench({ ...base, kernels: "all" });
    expect(all.matrixCells).toBe(4 * KERNEL_ERA_IDS.length);
    await expect(planBench({ ...base, kernels: ["v5"] })).rejects.toThrow(/--kernels: unknown kernel "v5"/);
  });

  it("the header says each policy runs at its own era, grouped by era", () => {
    const policyKernels = { "legacy-get": "v5.3", "pin-bias": "v6.12", "vaddr-pin": "v6.12", "exact-pincount": "v6.12" };
    expect(kernelsText({ kernelAxis: null, policyKernels })).toBe("each policy at its own era (legacy-get: v5.3, pin-bias/vaddr-pin/exact-pincount: v6.12)");
    expect(kernelsText({ kernelAxis: ["v5.3", "v6.12"], policyKernels })).toBe("v5.3, v6.12 (every policy at each)");
    expect(kernelsText({})).toBe("");
  });
});

describe("a bench run at two eras (fake policies, worker pool)", () => {
  it("runs each cell at its era with the seed of its era-less id: fake-bias's DIO race goes from undetected at v5.3 (pins are gets) to detected at v6.12", async () => {
    const r = await runBench({ ...base, workloads: ["dio-writeback-race"], policies: ["fake-bias"], kernels: ["v5.3", "v6.12"], workers: 1 });
    const [old, cur] = r.cells;
    expect([old.kernel, cur.kernel]).toEqual(["v5.3", "v6.12"]);
    expect(old.seed).toBe(cur.seed);
    expect(old.metrics.hazards.dma_after_clean).toEqual({ prevented: 0, detected: 0, undetected: 8 });
    expect(cur.metrics.hazards.dma_after_clean).toEqual({ prevented: 0, detected: 8, undetected: 0 });
    // The default run's cell is the v6.12 one: same seed, same hazards.
    const dflt = await runBench({ ...base, workloads: ["dio-writeback-race"], policies: ["fake-bias"], workers: 1 });
    expect(dflt.cells[0]).toMatchObject({ id: "dio-writeback-race/block-layer/fake-bias", kernel: "v6.12", seed: cur.seed });
    expect(dflt.cells[0].metrics.hazards).toEqual(cur.metrics.hazards);
    expect(r.context).toMatchObject({ kernels: ["v5.3", "v6.12"], kernelAxis: ["v5.3", "v6.12"], policyKernels: { "fake-bias": "v6.12" } });
    expect(resultsProblems(JSON.parse(JSON.stringify(r)))).toEqual([]);

    // Every report names each cell's era, and per-policy summaries keep the eras apart.
    expect(contenders(r)).toEqual(["fake-bias@v5.3", "fake-bias@v6.12"]);
    const table = renderTerminal(r);
    expect(table).toContain("kernels: v5.3, v6.12 (every policy at each)");
    expect(table.split("\n").find((l) => l.startsWith("workload"))).toMatch(/policy\s+kernel/);
    expect(table).toMatch(/fake-bias\s+v5\.3\s+dma_after_clean U8/);
    expect(table).toMatch(/fake-bias\s+v6\.12\s+dma_after_clean D8/);
    const md = renderMarkdown(r);
    expect(md).toContain("Kernels: v5.3, v6.12 (every policy at each).");
    expect(md).toContain("| dio-writeback-race[block-layer] | none | fake-bias | v5.3 |");
    expect(md).toMatch(/fewest silent \(undetected\) hazards: \*\*fake-bias@v6\.12\*\* \(fake-bias@v5\.3 8, fake-bias@v6\.12 0\)/);
    const csv = renderCsv(r).split("\n");
    expect(csv[0].startsWith("workload,variant,device,policy,kernel,seed,")).toBe(true);
    expect(csv[1].startsWith("dio-writeback-race,block-layer,none,fake-bias,v5.3,")).toBe(true);
    const html = renderHtml(r);
    expect(html).toContain("Kernels: v5.3, v6.12 (every policy at each).");
    expect(html).toContain(`<th data-sort="text">policy</th><th data-sort="text">kernel</th>`);
    expect(html).toContain("<td>v5.3</td>");
  }, 120_000);
});
