import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { FAKE_PLUGINS } from "../test-support/fake-plugins.js";
import { deterministicView } from "./deterministic-view.js";
import { mergeResults } from "./merge.js";
import type { BenchResults } from "./results.js";
import { resultsProblems } from "./results-schema.js";
import { planBench, runBench, type BenchOptions } from "./run-bench.js";
import { replicateSeed } from "./seed.js";
import { parseSweepFlag } from "./sweep.js";

const swept: BenchOptions = {
  plugins: [FAKE_PLUGINS], workloads: ["shared-library-false-positive", "pin-overflow"], policies: ["fake-get", "fake-bias"], size: "tiny", seed: 3,
  sweeps: ["fake-bias.bias=256,1024", "pin-overflow.aliases=2,4"].map(parseSweepFlag), seeds: 3,
};

describe("runBench with sweeps and seeds (worker pool, fake policies)", () => {
  it("plans one cell per swept value, a policy sweep only on its policy's cells", async () => {
    const plan = await planBench(swept);
    expect(plan.cells.map((c) => c.id)).toEqual([
      "shared-library-false-positive/libc/fake-get",
      "shared-library-false-positive/libc/fake-bias[bias=256]", "shared-library-false-positive/libc/fake-bias[bias=1024]",
      "pin-overflow/shmem-aliases/fake-get[aliases=2]", "pin-overflow/shmem-aliases/fake-get[aliases=4]",
      "pin-overflow/shmem-aliases/fake-bias[aliases=2,bias=256]", "pin-overflow/shmem-aliases/fake-bias[aliases=2,bias=1024]",
      "pin-overflow/shmem-aliases/fake-bias[aliases=4,bias=256]", "pin-overflow/shmem-aliases/fake-bias[aliases=4,bias=1024]",
    ]);
    expect(plan.matrixCells).toBe(9);
    expect(plan.seeds).toBe(3);
    expect(plan.sweeps.map((s) => `${s.kind} ${s.target}.${s.key}`)).toEqual(["workload pin-overflow.aliases", "policy fake-bias.bias"]);
  });

  it("runs each cell once per seed with the swept values, and merged shards of the swept matrix equal the unsharded run", async () => {
    const whole = await runBench({ ...swept, workers: 2 });
    expect(resultsProblems(whole)).toEqual([]);
    expect(whole.context).toMatchObject({ seeds: 3, matrixCells: 9, sweeps: [{ target: "pin-overflow", kind: "workload", key: "aliases", values: [2, 4] }, { target: "fake-bias", kind: "policy", key: "bias", values: [256, 1024] }] });
    const cell = whole.cells.find((c) => c.id === "pin-overflow/shmem-aliases/fake-bias[aliases=4,bias=256]")!;
    expect(cell.error).toBeUndefined();
    expect(cell.sweep).toEqual({ "pin-overflow.aliases": 4, "fake-bias.bias": 256 });
    expect(cell.params.aliases).toBe(4);
    expect(cell.policyOptions).toEqual({ bias: 256 });
    expect(cell.seed).toBe(replicateSeed(3, cell.id, 0));
    expect(cell.replicates!.map((r) => r.seed)).toEqual([0, 1, 2].map((r) => replicateSeed(3, cell.id, r)));
    expect(cell.spread!["wallNsPerPage.pin"]).toMatchObject({ n: 3 });
    expect(cell.spread!["wallNsPerPage.pin"].ci95).toHaveLength(2);
    const unswept = whole.cells.find((c) => c.id === "shared-library-false-positive/libc/fake-get")!;
    expect(unswept).not.toHaveProperty("sweep");
    expect(unswept.policyOptions).toEqual({});

    const parts: BenchResults[] = [];
    for (const index of [1, 2, 3]) parts.push(await runBench({ ...swept, workers: 1, shard: { index, count: 3 } }));
    expect(parts.map((p) => p.cells.length)).toEqual([3, 3, 3]);
    // Every seed of a cell runs in the cell's shard.
    for (const p of parts) for (const c of p.cells) expect(c.replicates).toHaveLength(3);
    const merged = mergeResults([parts[1], parts[2], parts[0]]);
    expect(merged.cells.map((c) => c.id)).toEqual(whole.cells.map((c) => c.id));
    expect(deterministicView(merged)).toEqual(deterministicView(whole));
    expect(merged.context.sweeps).toEqual(whole.context.sweeps);
    expect(merged.context.seeds).toBe(3);

    // Parts must agree on sweeps and seeds.
    const fewerSeeds = { ...parts[0], context: { ...parts[0].context, seeds: 2 } };
    expect(() => mergeResults([fewerSeeds, parts[1]], ["a.json", "b.json"])).toThrow("the results are not shards of one matrix: seeds differs (a.json: 2, b.json: 3)");
    const { sweeps: _s, ...noSweeps } = parts[0].context;
    expect(() => mergeResults([{ ...parts[0], context: noSweeps }, parts[1]], ["a.json", "b.json"])).toThrow(/the results are not shards of one matrix: sweeps differs \(a\.json: \[\], b\.json: \[\{"target":"pin-overflow"/);
  }, 240_000);

  it("runs --seeds 1 exactly as a run without --seeds", async () => {
    const base: BenchOptions = { plugins: [FAKE_PLUGINS], workloads: ["pin-overflow"], policies: ["fake-get", "fake-bias"], size: "tiny", seed: 3, workers: 1 };
    const plain = await runBench(base);
    const one = await runBench({ ...base, seeds: 1, sweeps: [] });
    expect(deterministicView(one)).toEqual(deterministicView(plain));
    expect(Object.keys(one.context).sort()).toEqual(Object.keys(plain.context).sort());
    expect(one.context).not.toHaveProperty("seeds");
    expect(one.context).not.toHaveProperty("sweeps");
    expect(one.cells.map((c) => Object.keys(c))).toEqual(plain.cells.map((c) => Object.keys(c)));
  }, 120_000);

  it("refuses bad --seeds and bad sweeps before running", async () => {
    const bad = async (o: Partial<BenchOptions>) => planBench({ ...swept, ...o }).then(() => "no error", (e: unknown) => String(e));
    for (const seeds of [0, -1, 1.5, 1001]) expect(await bad({ seeds })).toBe(`BenchInputError: --seeds must be a whole number from 1 to 1000, got ${seeds}`);
    expect(await bad({ policies: ["fake-get"] })).toBe('BenchInputError: --sweep fake-bias.bias: policy "fake-bias" is not in --policies (fake-get); add it to --policies or drop the sweep');
    expect(await bad({ workloads: ["pin-overflow"], sweeps: [parseSweepFlag("dio-writeback-race.pages=4,8")] }))
      .toBe('BenchInputError: --sweep dio-writeback-race.pages: workload "dio-writeback-race" is not in --workloads (pin-overflow); add it to --workloads or drop the sweep');
    // rdma-fork's only variant needs rdma-mr, which the fake plugins do not register: the sweep applies to no cell.
    expect(await bad({ workloads: ["rdma-fork", "pin-overflow"], sweeps: [parseSweepFlag("rdma-fork.pages=4,8")] }))
      .toBe('BenchInputError: --sweep rdma-fork.pages: applies to no cell of the matrix (no cell has workload "rdma-fork" after --devices and the registered devices)');
  });
});
