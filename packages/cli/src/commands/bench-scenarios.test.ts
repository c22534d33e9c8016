import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchResults } from "@pinlab/bench";
import type { ScenarioReport } from "@pinlab/core";
import { describe, expect, it } from "vitest";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";
import { tempDir } from "../test-support/temp-dir.js";

const RING = "docs/examples/fixed-buffer-ring";
const FIXTURE_WORKLOAD = "packages/bench/src/test-support/fixture-workload.mjs";

const run = async (args: string[]) => {
  const io = captureIo(REPO_ROOT);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
};

/** What `pinlab run --format json` recorded per policy: hazards by class and outcome, failed steps' errnos by name, passed. */
async function recorded(file: string, plugins: string[] = []): Promise<Map<string, { hazards: Record<string, Record<string, number>>; refused: Record<string, number>; passed: boolean }>> {
  const r = await run(["run", file, "--policy", "all", "--format", "json", ...plugins.flatMap((p) => ["--plugin", p])]);
  expect(r.code).toBe(0);
  const report = JSON.parse(r.out) as ScenarioReport;
  return new Map(report.results.map((p) => {
    const hazards: Record<string, Record<string, number>> = {};
    for (const h of p.hazards) {
      const byOutcome = (hazards[h.class] ??= { prevented: 0, detected: 0, undetected: 0 });
      byOutcome[h.outcome]++;
    }
    const refused: Record<string, number> = {};
    for (const s of p.steps) if (s.errno !== null) refused[s.errno] = (refused[s.errno] ?? 0) + 1;
    return [p.policy, { hazards, refused, passed: p.passed }];
  }));
}

describe("pinlab bench --scenarios", () => {
  it("benches a library scenario per policy with the hazards pinlab run records (legacy-get lets cow_divergence through, the pin policies prevent it)", async () => {
    const file = "scenarios/rdma-mr-fork.yaml";
    const r = await run(["bench", "--scenarios", file, "--workloads", "scenario:rdma-mr-fork", "--size", "tiny", "--workers", "2", "--format", "json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const results = JSON.parse(r.out) as BenchResults;
    const want = await recorded(file);
    expect(results.cells.map((c) => c.policy)).toEqual(["legacy-get", "pin-bias", "vaddr-pin", "exact-pincount"]);
    for (const c of results.cells) {
      expect(c.error).toBeUndefined();
      expect(c.metrics.hazards).toEqual(want.get(c.policy)!.hazards);
      expect(c.metrics.refused).toEqual(want.get(c.policy)!.refused);
      expect(c.counters.passed).toBe(want.get(c.policy)!.passed ? 1 : 0);
      expect(c.device).toBe("rdma-mr");
    }
    const cell = (p: string) => results.cells.find((c) => c.policy === p)!;
    expect(cell("legacy-get").metrics.hazards.cow_divergence).toMatchObject({ undetected: 1, prevented: 0 });
    expect(cell("pin-bias").metrics.hazards.cow_divergence).toMatchObject({ undetected: 0, prevented: 4 });
    expect([cell("pin-bias").counters.pinsPeak, cell("legacy-get").counters.refsPeak, cell("pin-bias").counters.pinsLeftover]).toEqual([4, 4, 0]);
    expect(cell("legacy-get").metrics.falseNegativeRate).toBe(1);
    expect(results.context.contributedWorkloads).toEqual([expect.objectContaining({ id: "scenario:rdma-mr-fork", summary: "RDMA region survives fork only with FOLL_PIN", origin: file })]);
  }, 120_000);

  it("benches a device plugin's scenario with --plugin, the device's cells run in the workers, and reports it", async () => {
    const dir = tempDir("pinlab-bench-scenarios-");
    const r = await run(["bench", "--plugin", `${RING}/fixed-buffer-ring.mjs`, "--scenarios", `${RING}/fixed-buffer-ring.yaml`, "--workloads", "scenario:fixed-buffer-ring",
      "--devices", "fixed-buffer-ring", "--policies", "legacy-get,pin-bias", "--size", "tiny", "--workers", "2", "--out", dir, "--format", "md"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/scenario:fixed-buffer-ring\[scenario\] +\| fixed-buffer-ring \| legacy-get/);
    const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as BenchResults;
    const want = await recorded(`${RING}/fixed-buffer-ring.yaml`, [`${RING}/fixed-buffer-ring.mjs`]);
    for (const c of results.cells) {
      expect(c.error).toBeUndefined();
      expect(c.counters.passed).toBe(1);
      expect(c.metrics.refused).toEqual(want.get(c.policy)!.refused);
      expect(c.metrics.hazards).toEqual(want.get(c.policy)!.hazards);
    }
    expect(results.cells[0].metrics.refused).toEqual({ ENOMEM: 1 });
    expect(readFileSync(join(dir, "index.html"), "utf8")).toContain("<td><code>scenario:fixed-buffer-ring</code></td>");
  }, 120_000);

  it("takes a directory as pinlab run does, skipping its JSON Schema files, and several files comma-separated", async () => {
    const dir = tempDir("pinlab-bench-scenario-dir-");
    copyFileSync(join(REPO_ROOT, "scenarios/rdma-mr-fork.yaml"), join(dir, "rdma-mr-fork.yaml"));
    copyFileSync(join(REPO_ROOT, "scenarios/memlock-limit.yaml"), join(dir, "memlock-limit.yaml"));
    writeFileSync(join(dir, "scenario.schema.json"), JSON.stringify({ $schema: "https://json-schema.org/draft/2020-12/schema" }));
    const r = await run(["bench", "--scenarios", dir, "--workloads", "scenario:memlock-limit,scenario:rdma-mr-fork", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`--scenarios: skipped ${join(dir, "scenario.schema.json")} (a JSON Schema)`);
    expect(r.out).toContain("scenario:memlock-limit/scenario/legacy-get");
    expect(r.out).toContain("scenario:rdma-mr-fork/scenario/exact-pincount");
    const both = await run(["bench", "--scenarios", "scenarios/rdma-mr-fork.yaml,scenarios/memlock-limit.yaml", "--workloads", "scenario:memlock-limit,scenario:rdma-mr-fork", "--policies", "pin-bias", "--dry-run"]);
    expect(both.out).toContain("2 of 2 cells");
  });

  it("refuses bad input with exit 2 before any cell runs: a missing file, an invalid scenario (file, line, step, field), an unknown device", async () => {
    const dir = tempDir("pinlab-bench-bad-scenario-");
    const bad = join(dir, "bad.yaml");
    const text = readFileSync(join(REPO_ROOT, "scenarios/rdma-mr-fork.yaml"), "utf8").replace("{ op: fork, proc: p1, child: c1 }", "{ op: fork, proc: p1, chld: c1 }");
    writeFileSync(bad, text);
    const line = text.split("\n").findIndex((l) => l.includes("chld")) + 1;
    const cases: [string[], RegExp][] = [
      [["--scenarios", "no/such.yaml"], /^pinlab: --scenarios: no\/such\.yaml: no such file or directory\n$/],
      [["--scenarios", bad], new RegExp(`^pinlab: --scenarios: a scenario is not valid:\n  ${bad}:${line}:5: step 3 \\(fork\\), field "child": missing field; expected string\n  ${bad}:${line}:\\d+: step 3 \\(fork\\), field "chld": unknown field`)],
      [["--scenarios", `${RING}/fixed-buffer-ring.yaml`], /fixed-buffer-ring\.yaml:12:\d+: field "devices\[0\]\.kind": unknown device kind "fixed-buffer-ring"; registered kinds: direct-io, hmm-dmirror, odp-mirror, rdma-mr/],
      [["--scenarios", ","], /--scenarios is empty/],
    ];
    for (const [args, message] of cases) {
      const r = await run(["bench", ...args, "--size", "tiny"]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe("");
    }
  });
});

describe("workload plugins", () => {
  it("a plugin's workload is listed, selected with --workloads, run in the workers and reported", async () => {
    const list = await run(["bench", "workloads", "--plugin", FIXTURE_WORKLOAD, "--format", "json"]);
    expect(list.code).toBe(0);
    const ids = (JSON.parse(list.out) as { id: string; from: string }[]).map((w) => w.id);
    expect(ids.at(-1)).toBe("longterm-pin-fixture");
    const dir = tempDir("pinlab-bench-plugin-workload-");
    const r = await run(["bench", "--plugin", FIXTURE_WORKLOAD, "--workloads", "longterm-pin-fixture", "--policies", "legacy-get,pin-bias", "--size", "tiny", "--out", dir, "--format", "json"]);
    expect(r.code).toBe(0);
    const results = JSON.parse(r.out) as BenchResults;
    expect(results.cells.map((c) => [c.id, c.counters.pinnedPages, c.metrics.falseNegativeRate])).toEqual([
      ["longterm-pin-fixture/gup/legacy-get", 4, 1], ["longterm-pin-fixture/gup/pin-bias", 4, 0],
    ]);
    expect(readFileSync(join(dir, "index.html"), "utf8")).toContain("<td><code>longterm-pin-fixture</code></td><td>pin anonymous memory long-term, then unpin it</td>");
    expect(readFileSync(join(dir, "results.md"), "utf8")).toContain("longterm-pin-fixture[gup]");
  }, 120_000);
});
