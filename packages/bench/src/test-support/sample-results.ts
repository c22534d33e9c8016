/** Results of a small in-process run with the fake policies, for report and compare tests. */
import "reflect-metadata";
import { aggregateReplicates } from "../runner/aggregate.js";
import { pluginContainer } from "../runner/load-plugins.js";
import { cellId, expandMatrix } from "../runner/matrix.js";
import { RESULTS_FORMAT, type BenchResults } from "../runner/results.js";
import { runCell } from "../runner/run-cell.js";
import { planBench } from "../runner/run-bench.js";
import { cellSeed, replicateSeed } from "../runner/seed.js";
import { parseSweepFlag } from "../runner/sweep.js";
import { gupGoals, matrixGoal, scalingGoal } from "../runner/speed-goals.js";
import { machineFacts } from "../runner/context.js";
import { FAKE_PLUGINS } from "./fake-plugins.js";

/** The workloads the sample covers (device-free, quick at size tiny). */
export const SAMPLE_WORKLOADS = ["dio-writeback-race", "shared-library-false-positive", "longterm-cma", "gup-throughput"];

/** Run the sample cells in this thread and assemble results as runBench would. */
export async function sampleResults(): Promise<BenchResults> {
  const c = await pluginContainer([FAKE_PLUGINS]);
  const policies = ["fake-get", "fake-bias", "test-exact"];
  const cells = expandMatrix(c, { workloads: SAMPLE_WORKLOADS, policies }).map((s) => runCell({ ...s, id: cellId(s.workload, s.variant, s.policy), seed: cellSeed(1, s.id), size: "tiny", plugins: [] }, c));
  return {
    format: RESULTS_FORMAT,
    context: {
      pinlabVersion: "test", ...machineFacts(), loadAverage: { start: [0, 0, 0], end: [0, 0, 0] }, seed: 1, size: "tiny", workers: 1, shard: null, date: "2026-01-01T00:00:00.000Z", durationMs: 1234,
      workloads: SAMPLE_WORKLOADS, policies, devices: null, registeredDevices: [], params: {}, matrixCells: cells.length,
      goals: [...gupGoals(cells), matrixGoal({ durationMs: 1234, workers: 1, isDefaultMatrix: false }), scalingGoal(null)], scaling: null, model: null,
    },
    cells,
  };
}

/** The policies of {@link sweptSampleResults}. */
export const SWEPT_POLICIES = ["fake-get", "fake-bias", "test-exact"];

/**
 * Results of a swept run with 3 seeds, run in this thread: shared-library-false-positive under the
 * fake policies, with `--sweep fake-bias.bias=256,1024,4096`.
 */
export async function sweptSampleResults(): Promise<BenchResults> {
  const plan = await planBench({ plugins: [FAKE_PLUGINS], workloads: ["shared-library-false-positive"], policies: SWEPT_POLICIES, size: "tiny", seed: 1, sweeps: [parseSweepFlag("fake-bias.bias=256,1024,4096")], seeds: 3 });
  const c = await pluginContainer([FAKE_PLUGINS]);
  const cells = plan.cells.map((s) => aggregateReplicates([0, 1, 2].map((r) => runCell({ ...s, seed: replicateSeed(1, s.id, r), size: "tiny", plugins: [] }, c))));
  return {
    format: RESULTS_FORMAT,
    context: {
      pinlabVersion: "test", ...machineFacts(), loadAverage: { start: [0, 0, 0], end: [0, 0, 0] }, seed: 1, size: "tiny", workers: 1, shard: null, date: "2026-01-01T00:00:00.000Z", durationMs: 1234,
      workloads: ["shared-library-false-positive"], policies: SWEPT_POLICIES, devices: null, registeredDevices: [], params: {}, matrixCells: plan.matrixCells, sweeps: plan.sweeps, seeds: 3,
      goals: [...gupGoals(cells), matrixGoal({ durationMs: 1234, workers: 1, isDefaultMatrix: false }), scalingGoal(null)], scaling: null, model: null,
    },
    cells,
  };
}
