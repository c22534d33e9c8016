import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchResults, CompareReport, SampleStats } from "@pinlab/bench";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";

const run = async (args: string[]) => {
  const io = captureIo(REPO_ROOT);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
};

/** Workloads with hazards (rdma-fork), refusals (rdma-file-truncate) and false positives (shared library). */
const SELECTION = ["--size", "tiny", "--workloads", "rdma-fork,rdma-file-truncate,shared-library-false-positive", "--workers", "1"];

describe("pinlab bench compare on two real runs of the same bench", () => {
  const dir = mkdtempSync(join(tmpdir(), "pinlab-bench-compare-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const a = join(dir, "a");
  const b = join(dir, "b");
  let results: BenchResults;
  /** Write `results` changed by `edit` as a results file; its path. */
  const variant = (name: string, edit: (r: BenchResults & { cells: Record<string, unknown>[] }) => void) => {
    const copy = structuredClone(results) as BenchResults & { cells: Record<string, unknown>[] };
    edit(copy);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(copy));
    return file;
  };
  beforeAll(async () => {
    // Back to back, same seed (the default, 1).
    for (const out of [a, b]) expect((await run(["bench", ...SELECTION, "--out", out])).code).toBe(0);
    results = JSON.parse(readFileSync(join(b, "results.json"), "utf8")) as BenchResults;
  }, 300_000);

  it("says no change and exits 0, whatever it gates on", async () => {
    const r = await run(["bench", "compare", a, b]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^time: no change \(\d+ compared: 0 beyond their intervals/m);
    for (const kind of ["hazards", "refusals", "false positives", "other exact results"]) expect(r.out).toMatch(new RegExp(`^${kind}: no change$`, "m"));
    expect(r.out).toMatch(/^no change \(failing on hazards,refusals,false-positives\)\n$/m);
    const gated = await run(["bench", "compare", a, b, "--fail-on", "time,hazards,refusals,false-positives,other", "--format", "json"]);
    expect(gated.code).toBe(0);
    const json = JSON.parse(gated.out) as CompareReport & { failOn: string[]; failed: string[] };
    expect(json).toMatchObject({ changed: [], exact: [], failed: [], failOn: ["time", "hazards", "refusals", "false-positives", "other"] });
    expect(json.verdicts.slower + json.verdicts.faster).toBe(0);
    expect(json.comparisons.length).toBeGreaterThan(0);
  });

  it("reports a hazard count that changed with before and after, exit 1 under the default --fail-on, 0 under --fail-on time", async () => {
    const cell = results.cells.find((c) => c.id === "rdma-fork/rdma-mr/legacy-get")!;
    const before = cell.metrics.hazards.cow_divergence!.undetected;
    expect(before).toBeGreaterThan(0);
    const file = variant("hazard", (r) => {
      const m = r.cells.find((c) => c.id === cell.id)!.metrics as { hazards: Record<string, Record<string, number>> };
      m.hazards.cow_divergence.undetected = before - 1;
    });
    const r = await run(["bench", "compare", a, file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`hazards: 1 changed\n  ${cell.id}  cow_divergence.undetected: ${before} -> ${before - 1}\n`);
    expect(r.out).toMatch(/^changed: hazards; exit 1 for hazards \(failing on hazards,refusals,false-positives\)$/m);
    expect((await run(["bench", "compare", a, file, "--fail-on", "time"])).code).toBe(0);
    expect((await run(["bench", "compare", a, file, "--fail-on", "none"])).code).toBe(0);
    expect((await run(["bench", "compare", a, file, "--fail-on", "hazards"])).code).toBe(1);
  });

  it("reports a cell slower beyond both intervals, and exits 1 for it only under --fail-on time", async () => {
    const id = "rdma-fork/rdma-mr/pin-bias";
    const stats = (min: number, max: number): SampleStats => ({ samples: 5, mean: (min + max) / 2, rme: 1, median: (min + max) / 2, p75: max, p99: max, min, max });
    const timed = (name: string, min: number, max: number) => variant(name, (r) => {
      const c = r.cells.find((x) => x.id === id)! as unknown as { series: { id: string; pin: SampleStats; wallNsPerPage: { pin: number } }[]; metrics: { wallNsPerPage: { pin: number } } };
      const main = c.series.find((s) => s.id === "main")!;
      main.pin = stats(min, max);
      main.wallNsPerPage.pin = (min + max) / 2;
      c.metrics.wallNsPerPage.pin = (min + max) / 2;
    });
    const fast = timed("fast", 90, 110);
    const slow = timed("slow", 190, 210);
    const r = await run(["bench", "compare", fast, slow]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^${id.replace(/[/]/g, "\\/")}\\s+pin\\s+100\\.0 \\[\\d+\\.\\d\\.\\.\\d+\\.\\d\\] n=5\\s+200\\.0 \\[\\d+\\.\\d\\.\\.\\d+\\.\\d\\] n=5\\s+2\\.00 x slower than baseline\\s+slower$`, "m"));
    expect(r.out).toMatch(/^time: 1 slower, 0 faster /m);
    expect(r.out).toContain("--seeds 3 on both runs measures the noise from run to run");
    expect(r.out).toContain("load average over 1 minute, start/end: baseline ");
    expect(r.out).toMatch(/^changed: time; none of it gated/m);
    expect((await run(["bench", "compare", fast, slow, "--fail-on", "time"])).code).toBe(1);
    // The other way round it is faster: a change, never a failure.
    expect((await run(["bench", "compare", slow, fast, "--fail-on", "time"])).code).toBe(0);
  });

  it("refuses a bad --fail-on value, naming the flag (exit 2)", async () => {
    const r = await run(["bench", "compare", a, b, "--fail-on", "hazard"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe('pinlab: --fail-on: unknown "hazard"; give a comma-separated list of time, hazards, refusals, false-positives, other, or none\n');
  });
});
