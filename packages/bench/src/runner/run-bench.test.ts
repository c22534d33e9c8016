import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { FAKE_PLUGINS } from "../test-support/fake-plugins.js";
import { BenchInputError } from "./bench-input-error.js";
import { deterministicView } from "./deterministic-view.js";
import { mergeResults } from "./merge.js";
import type { BenchResults } from "./results.js";
import { planBench, runBench, type BenchOptions } from "./run-bench.js";

const base: BenchOptions = {
  plugins: [FAKE_PLUGINS], workloads: ["dio-writeback-race", "longterm-cma", "pin-overflow"], policies: ["fake-get", "fake-bias"], size: "tiny", seed: 42,
};

describe("runBench (worker pool, fake policies)", () => {
  it("runs every cell in worker threads and merged shards equal the unsharded run, timings apart", async () => {
    const whole = await runBench({ ...base, workers: 2 });
    expect(whole.cells.map((c) => c.id)).toEqual([
      "dio-writeback-race/block-layer/fake-get", "dio-writeback-race/block-layer/fake-bias",
      "longterm-cma/pin-user-pages/fake-get", "longterm-cma/pin-user-pages/fake-bias",
      "pin-overflow/shmem-aliases/fake-get", "pin-overflow/shmem-aliases/fake-bias",
    ]);
    expect(whole.cells.every((c) => c.error === undefined && c.deterministic)).toBe(true);
    expect(whole.context).toMatchObject({ seed: 42, size: "tiny", workers: 2, shard: null, matrixCells: 6, policies: ["fake-get", "fake-bias"], registeredDevices: [] });
    const parts: BenchResults[] = [];
    for (const index of [1, 2, 3]) parts.push(await runBench({ ...base, workers: 1, shard: { index, count: 3 } }));
    expect(parts.map((p) => p.cells.length)).toEqual([2, 2, 2]);
    expect(parts[1].context.shard).toEqual({ index: 2, count: 3 });
    const merged = mergeResults([parts[2], parts[0], parts[1]]);
    expect(merged.cells.map((c) => c.id)).toEqual(whole.cells.map((c) => c.id));
    expect(deterministicView(merged)).toEqual(deterministicView(whole));
    expect(merged.context.mergedFrom).toEqual([{ index: 3, count: 3 }, { index: 1, count: 3 }, { index: 2, count: 3 }]);
    // A different seed is a different matrix: merging it in is refused.
    const other = await runBench({ ...base, workers: 1, seed: 43, shard: { index: 1, count: 3 } });
    expect(() => mergeResults([parts[0], other])).toThrow(/not shards of one matrix/);
    expect(() => mergeResults([parts[0], parts[0]])).toThrow(/cell [^ ]+ is in both result 1 and result 2: merge distinct shards/);
  }, 120_000);

  it("reports progress once per cell", async () => {
    const seen: number[] = [];
    await runBench({ ...base, workloads: ["pin-overflow"], workers: 1, onProgress: (p) => seen.push(p.done) });
    expect(seen).toEqual([1, 2]);
  }, 60_000);

  it("rejects bad input with a message naming the flag and what is known", async () => {
    const bad = async (o: Partial<BenchOptions>) => planBench({ ...base, ...o }).then(() => "no error", (e: unknown) => e);
    const unknownWorkload = await bad({ workloads: ["nope"] });
    expect(unknownWorkload).toBeInstanceOf(BenchInputError);
    expect(String(unknownWorkload)).toMatch(/--workloads: unknown workload "nope"; known workloads: dio-writeback-race, rdma-fork/);
    expect(String(await bad({ policies: ["pin-bias"] }))).toMatch(/--policies: unknown policy "pin-bias"; registered policies: fake-get, fake-bias, test-exact/);
    expect(String(await bad({ devices: ["rdma-mr"] }))).toMatch(/--devices: "rdma-mr" is not registered/);
    expect(String(await bad({ devices: ["floppy"] }))).toMatch(/--devices: unknown device "floppy"/);
    expect(String(await bad({ size: "huge" as never }))).toMatch(/--size must be one of tiny, small, default, large/);
    expect(String(await bad({ workers: 0 }))).toMatch(/--workers/);
    expect(String(await bad({ params: { "pin-overflow": { aliases: -1 } } }))).toMatch(/pin-overflow\.aliases/);
    expect(String(await bad({ params: { nope: {} } }))).toMatch(/--param: unknown workload "nope"/);
    expect(String(await bad({ plugins: ["/nonexistent/plugin.mjs"] }))).toMatch(/plugin \/nonexistent\/plugin\.mjs failed to load/);
  });

  it("skips variants whose device is not registered, and --devices none keeps only device-free variants", async () => {
    const all = await planBench({ ...base, workloads: undefined, policies: "all" });
    expect(all.cells.some((c) => c.device !== "none")).toBe(false);
    expect(new Set(all.cells.map((c) => c.workload))).toEqual(new Set(["dio-writeback-race", "shared-library-false-positive", "longterm-cma", "pin-overflow", "gup-throughput"]));
    expect(all.cells).toHaveLength(5 * 3);
    const none = await planBench({ ...base, devices: ["none"] });
    expect(none.cells).toHaveLength(6);
  });

  it("refuses a selection that matches no cell, saying which filter emptied it", async () => {
    const bad = async (o: Partial<BenchOptions>) => planBench({ ...base, ...o }).then(() => "no error", (e: unknown) => e);
    const noWorkload = await bad({ workloads: [] });
    expect(noWorkload).toBeInstanceOf(BenchInputError);
    expect(String(noWorkload)).toMatch(/--workloads selects no workload; known workloads: dio-writeback-race/);
    expect(String(await bad({ policies: [] }))).toMatch(/--policies selects no policy; registered policies: fake-get, fake-bias, test-exact \(or all\)/);
    // rdma-fork drives rdma-mr, which the fake plugins do not register.
    const unregistered = await bad({ workloads: ["rdma-fork"] });
    expect(unregistered).toBeInstanceOf(BenchInputError);
    expect((unregistered as BenchInputError).field).toBe("--workloads");
    expect(String(unregistered)).toContain("no cell matches the selection (--workloads rdma-fork): rdma-fork[rdma-mr] (rdma-mr) needs a device that is not registered");
    const filtered = await bad({ workloads: ["rdma-fork"], devices: ["none"] });
    expect((filtered as BenchInputError).field).toBe("--devices");
    expect(String(filtered)).toContain("no cell matches the selection (--workloads rdma-fork with --devices none): rdma-fork[rdma-mr] (rdma-mr) needs a device that is not registered");
  });

  it("plans an empty shard of a non-empty matrix with a note, and runs it to empty results", async () => {
    const plan = await planBench({ ...base, workloads: ["pin-overflow"], shard: { index: 3, count: 3 } });
    expect(plan.cells).toEqual([]);
    expect(plan.matrixCells).toBe(2);
    expect(plan.note).toBe("shard 3/3 has no cell: the matrix has 2 cell(s), fewer than 3 shards; its results are empty (bench merge takes them)");
    const r = await runBench({ ...base, workloads: ["pin-overflow"], shard: { index: 3, count: 3 } }, plan);
    expect(r.cells).toEqual([]);
    expect(r.context.note).toBe(plan.note);
    expect((await planBench({ ...base, workloads: ["pin-overflow"], shard: { index: 1, count: 3 } })).note).toBeUndefined();
  });
});
