import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readResults } from "@pinlab/bench";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";

const dir = mkdtempSync(join(tmpdir(), "pinlab-bench-scaling-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("pinlab bench scaling", () => {
  it("measures the machine's 2-spinner capacity in the same run and the speed-up as a share of it, with no verdict for a matrix other than the default", async () => {
    const io = captureIo(REPO_ROOT);
    const out = join(dir, "scaling");
    const code = await main(["bench", "scaling", "--size", "tiny", "--workloads", "pin-overflow,rdma-fork", "--policies", "legacy-get,pin-bias", "--out", out], io);
    expect(code).toBe(0);
    expect(io.stderr).toMatch(/^1 worker\(s\): \d+\.\d s$/m);
    expect(io.stderr).toMatch(/^CPU spinners: 1 at once \d+ ms, 2 at once \d+ ms \(one unit of work each\)$/m);
    expect(io.stdout).toMatch(/^scaling: speed-up \d+\.\d\dx; this machine's 2-spinner capacity \d+\.\d\dx; \d+% of capacity: n\/a \(not a verdict: the goal is stated for the default matrix/m);
    expect(io.stdout).toMatch(/n\/a +matrix-speedup-2-workers +\d+\.\d % +>= 90% of capacity \(absolute reference 1\.6x\) +not a verdict/);
    const r = readResults(out);
    const [one, two] = r.context.scaling!;
    expect(one).toMatchObject({ workers: 1, capacity: 1 });
    expect(two.workers).toBe(2);
    expect(two.spinMs).toBeGreaterThan(0);
    expect(two.capacity).toBeCloseTo((2 * one.spinMs!) / two.spinMs!, 10);
    const goal = r.context.goals.find((g) => g.id === "matrix-speedup-2-workers")!;
    expect(goal.pass).toBeNull();
    expect(goal.measured).toBeCloseTo(((one.durationMs / two.durationMs) / two.capacity!) * 100, 6);
  }, 120_000);
});
