import { describe, expect, it } from "vitest";
import type { BenchResults } from "@pinlab/bench";
import { captureIo } from "../test-support/capture-io.js";
import { runStatus } from "./bench-run.js";

/** Results with only what runStatus reads: each cell's id, error and counters. */
const results = (cells: { id: string; error?: string; counters: Record<string, number> }[]) => ({ cells }) as unknown as BenchResults;

describe("the bench's exit status", () => {
  it("is 1 for a failed cell, naming it; scenario cells that missed expectations are named as a warning, exit 0", () => {
    const io = captureIo();
    expect(runStatus(results([
      { id: "scenario:foo/scenario/pin-bias", counters: { expectationsFailed: 2, passed: 0 } },
      { id: "scenario:foo/scenario/legacy-get", counters: { expectationsFailed: 0, passed: 1 } },
      { id: "rdma-fork/rdma-mr/pin-bias", counters: {} },
    ]), io)).toBe(0);
    expect(io.stderr).toBe("1 scenario cell(s) did not meet their expectations (pinlab run --policy P FILE shows which):\n  scenario:foo/scenario/pin-bias: 2 failed\n");
    const io2 = captureIo();
    expect(runStatus(results([{ id: "scenario:foo/scenario/pin-bias", error: "Error: 1 step error(s), the first: step 3 (write): boom", counters: {} }]), io2)).toBe(1);
    expect(io2.stderr).toContain("1 cell(s) failed:\n  scenario:foo/scenario/pin-bias: Error: 1 step error(s), the first: step 3 (write): boom");
  });
});
