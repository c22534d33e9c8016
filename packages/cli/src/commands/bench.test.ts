import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deterministicView, headlineContrasts, readResults, type BenchResults } from "@pinlab/bench";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { captureIo, REPO_ROOT } from "../test-support/capture-io.js";
import { tempDir } from "../test-support/temp-dir.js";

const FIX = "packages/cli/src/test-support/fixtures";
const dir = mkdtempSync(join(tmpdir(), "pinlab-bench-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = async (args: string[]) => {
  const io = captureIo(REPO_ROOT);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
};

describe("pinlab bench with the real policies and devices (size tiny)", () => {
  let full: BenchResults;
  let html: string;
  beforeAll(async () => {
    const r = await run(["bench", "--size", "tiny", "--workers", "2", "--out", join(dir, "full"), "--format", "json"]);
    expect(r.err).toContain(`report: ${join(dir, "full", "index.html")}`);
    expect(r.err).not.toMatch(/ETA|elapsed/); // no progress bar off a terminal
    expect(r.code).toBe(0);
    full = JSON.parse(r.out) as BenchResults;
    html = readFileSync(join(dir, "full", "index.html"), "utf8");
  }, 300_000);

  it("runs every workload x policy x registered device variant, writing JSON, HTML, CSV and markdown", () => {
    expect(new Set(full.cells.map((c) => c.workload)).size).toBe(8);
    expect(new Set(full.cells.map((c) => c.policy))).toEqual(new Set(["legacy-get", "pin-bias", "vaddr-pin", "exact-pincount"]));
    expect(full.cells.filter((c) => c.error !== undefined)).toEqual([]);
    expect(full.cells.every((c) => c.deterministic)).toBe(true);
    expect(new Set(full.cells.map((c) => c.device))).toEqual(new Set(["none", "rdma-mr", "odp-mirror", ...(full.context.registeredDevices.includes("direct-io") ? ["direct-io"] : [])]));
    for (const f of ["results.json", "index.html", "results.csv", "results.md"]) expect(existsSync(join(dir, "full", f))).toBe(true);
    expect(full.context).toMatchObject({ size: "tiny", seed: 1, workers: 2, shard: null });
    for (const key of ["pinlabVersion", "node", "cpu", "cores", "date"]) expect(full.context).toHaveProperty(key);
  });

  it("shows the headline contrasts of issue 7", () => {
    const contrasts = headlineContrasts(full);
    expect(contrasts.map((c) => [c.id, c.holds])).toEqual([["dio-writeback", true], ["rdma-fork", true], ["rdma-fsdax-truncate", true], ["odp-churn", true]]);
    const cell = (w: string, v: string, p: string) => full.cells.find((c) => c.workload === w && c.variant === v && c.policy === p)!;
    expect(cell("dio-writeback-race", "block-layer", "legacy-get").metrics.hazards.dma_after_clean?.undetected).toBeGreaterThan(0);
    expect(cell("dio-writeback-race", "block-layer", "pin-bias").metrics.hazards.dma_after_clean).toMatchObject({ undetected: 0 });
    expect(cell("rdma-fork", "rdma-mr", "legacy-get").metrics.hazards.cow_divergence?.undetected).toBeGreaterThan(0);
    expect(cell("rdma-fork", "rdma-mr", "pin-bias").metrics.hazards.cow_divergence).toMatchObject({ undetected: 0 });
    expect(cell("rdma-file-truncate", "fsdax", "pin-bias").metrics.refusedBy.reg_mr).toEqual({ EOPNOTSUPP: 1 });
    expect(cell("rdma-file-truncate", "fsdax", "vaddr-pin").metrics.refusedBy.ftruncate).toEqual({ ETXTBSY: 1 });
    const legacy = cell("rdma-file-truncate", "fsdax", "legacy-get");
    expect(legacy.policyOptions).toEqual({ fsdaxLongterm: true, daxBusyWait: false });
    expect(legacy.metrics.hazards.dma_to_freed?.undetected).toBeGreaterThan(0);
    expect(legacy.counters.corruptedPages).toBeGreaterThan(0);
    for (const p of ["legacy-get", "pin-bias", "vaddr-pin", "exact-pincount"]) {
      const odp = cell("odp-churn", "hmm", p);
      expect(odp.metrics.hazards).toEqual({});
      expect(odp.counters.nr_foll_pin_acquired).toBe(0);
      expect(odp.counters.invalidations).toBeGreaterThan(0);
    }
    for (const id of ["dio-writeback", "rdma-fork", "rdma-fsdax-truncate", "odp-churn"]) expect(html).toContain(`data-contrast="${id}" data-holds="true"`);
  });

  it("measures the maybeDmaPinned lie: the bias from 1023 mappings, never the exact counter", () => {
    const curve = (p: string) => full.cells.find((c) => c.workload === "shared-library-false-positive" && c.policy === p)!.curves.map((x) => [x.x, x.values.falsePositiveRate]);
    expect(curve("pin-bias")).toEqual([[1, 0], [1023, 1], [1024, 1]]);
    expect(curve("exact-pincount")).toEqual([[1, 0], [1023, 0], [1024, 0]]);
    expect(html).toContain('data-chart="false-positive"');
  });

  it("gives the same results, timings apart, run whole or as shards merged", async () => {
    const sel = ["--size", "tiny", "--workloads", "rdma-fork,rdma-file-truncate,odp-churn", "--seed", "9"];
    expect((await run(["bench", ...sel, "--workers", "2", "--out", join(dir, "whole")])).code).toBe(0);
    expect((await run(["bench", ...sel, "--workers", "1", "--shard", "1/2", "--out", join(dir, "s1")])).code).toBe(0);
    expect((await run(["bench", ...sel, "--workers", "1", "--shard", "2/2", "--out", join(dir, "s2")])).code).toBe(0);
    const m = await run(["bench", "merge", join(dir, "s2"), join(dir, "s1"), "--out", join(dir, "merged"), "--format", "csv"]);
    expect(m.code).toBe(0);
    expect(m.out.split("\n")[0]).toMatch(/^workload,variant,device,policy/);
    const whole = readResults(join(dir, "whole"));
    const merged = readResults(join(dir, "merged"));
    expect(readResults(join(dir, "s1")).cells.length + readResults(join(dir, "s2")).cells.length).toBe(whole.cells.length);
    expect(deterministicView(merged)).toEqual(deterministicView(whole));
    const mismatch = await run(["bench", "merge", join(dir, "s1"), join(dir, "full")]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.err).toContain("not shards of one matrix");
  }, 300_000);

  it("runs a plugin given with --plugin in the workers", async () => {
    // Named twice (two spellings of one path): loaded once, not refused as a duplicate id.
    const r = await run(["bench", "--size", "tiny", "--workloads", "pin-overflow", "--policies", "fixture-policy", "--plugin", `${FIX}/extra-policy.mjs`, "--plugin", `./${FIX}/extra-policy.mjs`, "--workers", "1", "--format", "md"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\| pin-overflow\[shmem-aliases\] \| none \| fixture-policy \|/);
  });

  it("applies the config's policyOptions to its policy's cells, and refuses invalid ones before running", async () => {
    const dir = tempDir("pinlab-bench-config-");
    const cfg = join(dir, "pinlab.config.yaml");
    writeFileSync(cfg, "policyOptions:\n  pin-bias: { bias: 2048 }\n");
    const r = await run(["bench", "--size", "tiny", "--workloads", "pin-overflow", "--policies", "pin-bias,exact-pincount", "--config", cfg, "--workers", "1", "--format", "json"]);
    expect(r.code).toBe(0);
    const cells = (JSON.parse(r.out) as BenchResults).cells;
    expect(cells.map((c) => [c.policy, c.policyOptions])).toEqual([["pin-bias", { bias: 2048 }], ["exact-pincount", {}]]);
    writeFileSync(cfg, "policyOptions:\n  pin-bias: { bias: -4 }\n");
    const bad = await run(["bench", "--size", "tiny", "--workloads", "pin-overflow", "--config", cfg]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/policyOptions\.pin-bias: bias: Too small/);
  });
});

describe("pinlab bench with sweeps and seeds (size tiny)", () => {
  it("prints one row per swept value with its spread over seeds, and writes a report with the line chart", async () => {
    const out = join(dir, "sweep-report");
    const r = await run(["bench", "--size", "tiny", "--sweep", "pin-bias.bias=256,1024,4096", "--seeds", "3", "--workloads", "shared-library-false-positive", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^pinlab bench: 6 cells, size tiny, seed 1, 2 worker\(s\), [\d.]+ s, 3 seeds per cell, sweep pin-bias\.bias=256,1024,4096$/m);
    expect(r.out).toMatch(/^kernels: each policy at its own era \(legacy-get: v5\.3, pin-bias\/vaddr-pin\/exact-pincount: v6\.12\)$/m);
    expect(r.out).toMatch(/^workload\s+device\s+policy\s+kernel\s+sweep\s+hazards \(P\/D\/U\)/m);
    for (const bias of [256, 1024, 4096]) expect(r.out).toMatch(new RegExp(`^shared-library-false-positive\\[libc\\]\\s+none\\s+pin-bias\\s+v6\\.12\\s+bias=${bias}\\s.*\\d \\[[\\d,.]+–[\\d,.]+\\]`, "m"));
    // The bias moves the false-positive rate: with mappers 1, 1023 and 1024, a bias of 4096 is never reached.
    expect(r.out).toMatch(/pin-bias\s+v6\.12\s+bias=1024\s+-\s+-\s+66\.7%/);
    expect(r.out).toMatch(/pin-bias\s+v6\.12\s+bias=4096\s+-\s+-\s+0%/);
    expect(r.out).toMatch(/^shared-library-false-positive\[libc\]\s+none\s+legacy-get\s+v5\.3\s+-\s/m);
    const results = readResults(out);
    expect(results.cells.map((c) => c.id)).toEqual([
      "shared-library-false-positive/libc/legacy-get", "shared-library-false-positive/libc/pin-bias[bias=256]", "shared-library-false-positive/libc/pin-bias[bias=1024]",
      "shared-library-false-positive/libc/pin-bias[bias=4096]", "shared-library-false-positive/libc/vaddr-pin", "shared-library-false-positive/libc/exact-pincount",
    ]);
    expect(results.cells[1]).toMatchObject({ sweep: { "pin-bias.bias": 256 }, policyOptions: { bias: 256 } });
    expect(results.cells.every((c) => c.replicates?.length === 3)).toBe(true);
    expect(results.context).toMatchObject({ seeds: 3, sweeps: [{ target: "pin-bias", kind: "policy", key: "bias", values: [256, 1024, 4096] }] });
    const html = readFileSync(join(out, "index.html"), "utf8");
    expect(html).toContain('data-chart="sweep/pin-bias.bias/shared-library-false-positive[libc]/false-positive"');
    expect(readFileSync(join(out, "results.csv"), "utf8").split("\n")[0]).toMatch(/^workload,variant,device,policy,kernel,seed,sweep_pin-bias\.bias,seeds,.*,wall_pin_ns_per_page_min,wall_pin_ns_per_page_max,wall_pin_ns_per_page_ci95_lo,wall_pin_ns_per_page_ci95_hi,/);
  }, 300_000);

  it("merges three shards of a swept, seeded matrix into what one run gives, and refuses parts with other seeds", async () => {
    const sel = ["bench", "--size", "tiny", "--workloads", "pin-overflow", "--policies", "legacy-get,pin-bias", "--sweep", "pin-bias.bias=512,2048", "--seeds", "2", "--seed", "4"];
    expect((await run([...sel, "--out", join(dir, "sw-whole")])).code).toBe(0);
    for (const k of [1, 2, 3]) expect((await run([...sel, "--workers", "1", "--shard", `${k}/3`, "--out", join(dir, `sw-${k}`)])).code).toBe(0);
    const m = await run(["bench", "merge", join(dir, "sw-3"), join(dir, "sw-1"), join(dir, "sw-2"), "--out", join(dir, "sw-merged")]);
    expect(m.code).toBe(0);
    const whole = readResults(join(dir, "sw-whole"));
    const merged = readResults(join(dir, "sw-merged"));
    expect(merged.cells.map((c) => c.id)).toEqual(["pin-overflow/shmem-aliases/legacy-get", "pin-overflow/shmem-aliases/pin-bias[bias=512]", "pin-overflow/shmem-aliases/pin-bias[bias=2048]"]);
    expect(deterministicView(merged)).toEqual(deterministicView(whole));
    expect((await run([...sel.slice(0, -4), "--seed", "4", "--workers", "1", "--shard", "1/3", "--out", join(dir, "sw-1-one-seed")])).code).toBe(0);
    const mismatch = await run(["bench", "merge", join(dir, "sw-1-one-seed"), join(dir, "sw-2"), join(dir, "sw-3")]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.err).toContain("the results are not shards of one matrix: seeds differs");
  }, 300_000);
});

describe("pinlab bench, bad input", () => {
  it("exits 2 with a message naming the flag", async () => {
    const cases: [string[], RegExp][] = [
      [["bench", "--workloads", "nope"], /--workloads: unknown workload "nope"; known workloads: dio-writeback-race, rdma-fork, rdma-file-truncate, odp-churn, shared-library-false-positive, longterm-cma, pin-overflow, gup-throughput/],
      [["bench", "--policies", "nope"], /--policies: unknown policy "nope"; registered policies: legacy-get, pin-bias, vaddr-pin, exact-pincount/],
      [["bench", "--devices", "floppy"], /--devices: unknown device "floppy"/],
      [["bench", "--shard", "3/2"], /--shard 3\/2: K must be between 1 and N/],
      [["bench", "--shard", "half"], /--shard must look like K\/N/],
      [["bench", "--workers", "0"], /--workers must be a whole number from 1 to 256/],
      [["bench", "--seed", "x"], /--seed must be an integer/],
      [["bench", "--size", "huge"], /--size <size>' argument 'huge' is invalid/],
      [["bench", "--param", "oops"], /--param must look like WORKLOAD.KEY=VALUE/],
      [["bench", "--size", "tiny", "--param", "pin-overflow.aliases=-3"], /pin-overflow\.aliases/],
      [["bench", "frob"], /^pinlab: unknown bench command "frob"; bench commands: run, merge, compare, model, scaling, workloads \(pinlab bench \[options\] is pinlab bench run \[options\]\)\n$/],
      [["bench", "--size", "tiny", "frob"], /unknown bench command "frob"/],
      [["bench", "run", "frob"], /^pinlab: bench run takes no argument, got "frob"; bench commands: run, merge/],
      [["bench", "--size", "tiny", "--param", "gup-throughput.memory=999TiB"], /--param gup-throughput\.memory: a cell would build a 1998TiB machine .*; pinlab models at most 256GiB/],
      [["bench", "--plugin", "no/such/plugin.mjs"], /--plugin: .*no\/such\/plugin\.mjs does not exist/],
      [["bench", "--workloads", ","], /--workloads is empty: give comma-separated workload ids/],
      [["bench", "--workloads", ""], /--workloads is empty/],
      [["bench", "--devices", ","], /--devices is empty/],
      [["bench", "--policies", ","], /--policies is empty: give comma-separated policy ids or all/],
      [["bench", "--policies", ""], /--policies is empty/],
      [["bench", "scaling", "--workers-list", ","], /--workers-list must be a whole number from 1 to 256, got ""/],
      [["bench", "--size", "tiny", "--out", "package.json"], new RegExp(`^pinlab: --out package\\.json: ${REPO_ROOT}/package\\.json exists and is not a directory\n$`)],
      [["bench", "run", "--size", "tiny", "--out", "package.json/report"], new RegExp(`--out package\\.json/report: cannot create ${REPO_ROOT}/package\\.json/report: ${REPO_ROOT}/package\\.json exists and is not a directory`)],
      [["bench", "--out", ""], /--out is empty/],
      [["start", "--size", "tiny", "--out", "package.json"], /--out package\.json: .* exists and is not a directory/],
      [["bench", "scaling", "--size", "tiny", "--out", "package.json"], /--out package\.json: .* exists and is not a directory/],
      [["bench", "merge", `${FIX}/bench-results/shard-1-of-2.json`, "--out", "package.json"], /--out package\.json: .* exists and is not a directory/],
      [["bench", "model", "--scale", "0.002", "--out", "packages"], /--out packages: no results\.json there/],
      [["bench", "model", "--scale", "0.002", "--policy", "nope"], /^pinlab: --policy: unknown policy "nope"; registered policies: legacy-get, pin-bias, vaddr-pin, exact-pincount\n$/],
      [["bench", "model", "--scale", "0.002", "--policy", ""], /^pinlab: --policy is empty; registered policies: legacy-get, pin-bias, vaddr-pin, exact-pincount\n$/],
      [["bench", "model", "--scale", "0.002", "--policy", "nope", "--plugin", `${FIX}/extra-policy.mjs`], /registered policies: .*fixture-policy/],
      [["bench", "--size", "tiny", "--workloads", "gup-throughput", "--devices", "rdma-mr"], /no cell matches the selection \(--workloads gup-throughput with --devices rdma-mr\): --devices rdma-mr keeps none of gup-throughput\[anon\] \(none\)/],
      [["bench", "compare", "no/such.json", "x.json"], /does not exist/],
      [["bench", "compare", "a", "b", "--tolerance", "lots"], /--tolerance must be a fraction/],
      [["bench", "model", "--scale", "2"], /--scale must be a number in \(0, 1\]/],
      [["bench", "--sweep", "pin-bias"], /^pinlab: --sweep must look like WORKLOAD\.KEY=v1,v2,\.\.\. or POLICY\.OPTION=v1,v2,\.\.\. \(e\.g\. pin-bias\.bias=256,1024,4096\), got "pin-bias"\n$/],
      [["bench", "--sweep", "pin-bias.bias=1024,1024"], /^pinlab: --sweep pin-bias\.bias: the value 1024 is given twice\n$/],
      [["bench", "--sweep", "pin-bias.bias=1,"], /^pinlab: --sweep pin-bias\.bias: empty value in "1,"; give comma-separated values, e\.g\. pin-bias\.bias=1,2,3\n$/],
      [["bench", "--size", "tiny", "--sweep", "nope.bias=2"], /^pinlab: --sweep nope\.bias: "nope" is neither a workload nor a registered policy; workloads: dio-writeback-race, .*, gup-throughput; policies: legacy-get, pin-bias, vaddr-pin, exact-pincount\n$/],
      [["bench", "--size", "tiny", "--sweep", "pin-bias.bias=1024", "--policies", "legacy-get"], /^pinlab: --sweep pin-bias\.bias: policy "pin-bias" is not in --policies \(legacy-get\); add it to --policies or drop the sweep\n$/],
      [["bench", "--size", "tiny", "--sweep", "pin-bias.biass=1024"], /^pinlab: --sweep pin-bias\.biass: policy "pin-bias" has no option "biass"; its options: bias\n$/],
      [["bench", "--size", "tiny", "--sweep", "pin-bias.bias=1024,1"], /^pinlab: --sweep pin-bias\.bias: bad value 1: bias: Too small: expected number to be >=2\n$/],
      [["bench", "--size", "tiny", "--sweep", "pin-bias.bias=big"], /^pinlab: --sweep pin-bias\.bias: bad value big: bias: Invalid input: expected number, received string\n$/],
      [["bench", "--size", "tiny", "--sweep", "rdma-fork.pages=4,8", "--workloads", "pin-overflow"], /^pinlab: --sweep rdma-fork\.pages: workload "rdma-fork" is not in --workloads \(pin-overflow\); add it to --workloads or drop the sweep\n$/],
      [["bench", "--size", "tiny", "--sweep", "pin-overflow.alias=4"], /^pinlab: --sweep pin-overflow\.alias: workload "pin-overflow" has no parameter "alias"; its parameters: samples, warmup, aliases, maxPins\n$/],
      [["bench", "--size", "tiny", "--sweep", "pin-overflow.aliases=2,0"], /^pinlab: --sweep pin-overflow\.aliases: bad value 0: aliases: Too small: expected number to be >=1\n$/],
      [["bench", "--size", "tiny", "--sweep", "pin-overflow.aliases=2,4", "--param", "pin-overflow.aliases=3"], /^pinlab: --sweep pin-overflow\.aliases: pin-overflow\.aliases is also set by --param; set it one way \(--param for one value, --sweep for several\)\n$/],
      [["bench", "--size", "tiny", "--sweep", "pin-bias.bias=2", "--sweep", "pin-bias.bias=4"], /^pinlab: --sweep pin-bias\.bias: is given twice; give every value in one --sweep\n$/],
      [["bench", "--seeds", "0"], /^pinlab: --seeds must be a whole number from 1 to 1000, got "0"\n$/],
      [["bench", "--seeds", "x"], /^pinlab: --seeds must be a whole number from 1 to 1000, got "x"\n$/],
      [["bench", "scaling", "--size", "tiny", "--sweep", "nope.x=1"], /^pinlab: --sweep nope\.x: "nope" is neither a workload nor a registered policy/],
      [["start", "--size", "tiny", "--seeds", "1001"], /^pinlab: --seeds must be a whole number from 1 to 1000, got "1001"\n$/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.err).toMatch(message);
    }
  });

  it("--dry-run checks the options and prints the cells of the shard, running nothing", async () => {
    const r = await run(["bench", "--dry-run", "--size", "tiny", "--workloads", "shared-library-false-positive", "--sweep", "pin-bias.bias=256,4096", "--seeds", "3", "--shard", "1/2", "--out", join(dir, "dry")]);
    expect(r.code).toBe(0);
    expect(r.out).toBe("pinlab bench --dry-run: 3 of 5 cells, shard 1/2, 3 seeds each (9 cell runs); nothing run\n"
      + "  shared-library-false-positive/libc/legacy-get\n  shared-library-false-positive/libc/pin-bias[bias=4096]\n  shared-library-false-positive/libc/exact-pincount\n");
    expect(existsSync(join(dir, "dry"))).toBe(false);
  });

  it("notes a shard that gets no cell, and still writes valid (empty) results that merge", async () => {
    const sel = ["bench", "--size", "tiny", "--workloads", "pin-overflow", "--policies", "pin-bias", "--workers", "1"];
    const empty = await run([...sel, "--shard", "2/2", "--out", join(dir, "empty-shard")]);
    expect(empty.code).toBe(0);
    expect(empty.err).toContain("note: shard 2/2 has no cell: the matrix has 1 cell(s), fewer than 2 shards; its results are empty (bench merge takes them)");
    expect(readResults(join(dir, "empty-shard")).cells).toEqual([]);
    expect((await run([...sel, "--shard", "1/2", "--out", join(dir, "full-shard")])).code).toBe(0);
    const merged = await run(["bench", "merge", join(dir, "empty-shard"), join(dir, "full-shard"), "--format", "csv"]);
    expect(merged.code).toBe(0);
    expect(merged.out).toContain("pin-overflow,");
  }, 120_000);

  it("lists its workloads and shows help with examples", async () => {
    const w = await run(["bench", "workloads", "--format", "json"]);
    expect(w.code).toBe(0);
    const list = JSON.parse(w.out) as { id: string; variants: { device: string }[] }[];
    expect(list.map((x) => x.id)).toContain("gup-throughput");
    expect(list.find((x) => x.id === "rdma-file-truncate")!.variants.map((v) => v.device)).toEqual(["rdma-mr", "rdma-mr"]);
    // The text lists every size of every workload.
    const text = (await run(["bench", "workloads"])).out;
    expect(text.match(/^ {2}(tiny|small|default|large): +\{/gm)).toHaveLength(4 * list.length);
    const help = await run(["bench", "--help"]);
    expect(help.out).toContain("bench merge part1 part2");
    expect(help.out).toMatch(/merge|compare|model|scaling|workloads/);
    // pinlab bench --help shows the options of a run (bench run is the default command).
    for (const flag of ["--sweep <target.key=v1,v2>", "--seeds <n>", "--shard <K/N>", "--workloads <ids>", "--out <dir>"]) expect(help.out).toContain(flag);
  });
});

describe("pinlab bench merge and compare, bad results files", () => {
  const s1 = `${FIX}/bench-results/shard-1-of-2.json`;
  const s2 = `${FIX}/bench-results/shard-2-of-2.json`;
  type Json = { context: Record<string, unknown>; cells: Record<string, unknown>[] };
  /** Write a copy of `from` changed by `edit` into the temporary directory. */
  const corrupt = (name: string, from: string, edit: (r: Json) => void) => {
    const r = JSON.parse(readFileSync(join(REPO_ROOT, from), "utf8")) as Json;
    edit(r);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(r));
    return file;
  };
  const metrics = (r: Json) => r.cells[0].metrics as Record<string, unknown>;

  it("merge and compare refuse a corrupt cell with the file, the cell and the field (exit 2)", async () => {
    const cases: [string, (r: Json) => void, string][] = [
      ["sim-fast", (r) => void (metrics(r).simNsPerPage = "fast"), "cells[0].metrics.simNsPerPage (cell rdma-fork/rdma-mr/legacy-get): Invalid input: expected number, received string"],
      ["sim-negative", (r) => void (metrics(r).simNsPerPage = -1), "cells[0].metrics.simNsPerPage (cell rdma-fork/rdma-mr/legacy-get): Too small"],
      ["policy-nope", (r) => void (r.cells[0].policy = "nope"), "cells[0].id (cell rdma-fork/rdma-mr/legacy-get): does not match"],
      ["hazards-x", (r) => void (metrics(r).hazards = "x"), "cells[0].metrics.hazards (cell rdma-fork/rdma-mr/legacy-get)"],
      ["metrics-null", (r) => void (r.cells[0].metrics = null), "cells[0].metrics (cell rdma-fork/rdma-mr/legacy-get): Invalid input: expected object, received null"],
      ["no-policy", (r) => void delete r.cells[0].policy, "cells[0].policy (cell rdma-fork/rdma-mr/legacy-get): missing (expected string)"],
      ["cell-5", (r) => void (r.cells[0] = 5 as unknown as Record<string, unknown>), "cells[0]: Invalid input: expected object, received number; got 5"],
      ["id-5", (r) => void (r.cells[0].id = 5), "cells[0].id: Invalid input: expected string, received number; got 5"],
      ["wall-null", (r) => void (metrics(r).wallNsPerPage = null), "cells[0].metrics.wallNsPerPage (cell rdma-fork/rdma-mr/legacy-get)"],
      ["wall-string", (r) => void (metrics(r).wallNsPerPage = { pin: "1", release: 2 }), "cells[0].metrics.wallNsPerPage.pin (cell rdma-fork/rdma-mr/legacy-get)"],
      ["wall-zero", (r) => void (metrics(r).wallNsPerPage = { pin: 0, release: 2 }), "cells[0].metrics.wallNsPerPage.pin (cell rdma-fork/rdma-mr/legacy-get): Too small: expected number to be >0; got 0"],
      ["wall-negative", (r) => void (metrics(r).wallNsPerPage = { pin: 3, release: -2 }), "cells[0].metrics.wallNsPerPage.release (cell rdma-fork/rdma-mr/legacy-get)"],
    ];
    for (const [name, edit, message] of cases) {
      const file = corrupt(name, s2, edit);
      for (const args of [["bench", "merge", s1, file], ["bench", "compare", s2, file]]) {
        const r = await run(args);
        expect({ args, code: r.code }).toEqual({ args, code: 2 });
        expect(r.err).toContain(`pinlab: ${file} is not a valid pinlab bench result:`);
        expect(r.err).toContain(message);
        expect(r.err).not.toMatch(/internal error|\n\s+at /);
      }
    }
  });

  it("merge refuses shards of different splits", async () => {
    const other = corrupt("shard-2-of-3", s2, (r) => void (r.context.shard = { index: 2, count: 3 }));
    const r = await run(["bench", "merge", s1, other]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`the results are not shards of one split: ${s1} is shard 1/2 but ${other} is shard 2/3`);
  });

  it("compare refuses runs with no cell in common, listing ids of each", async () => {
    const r = await run(["bench", "compare", s1, s2]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`no cell ids are shared, so there is nothing to compare: ${s1} has rdma-fork/rdma-mr/pin-bias, pin-overflow/shmem-aliases/pin-bias; ${s2} has rdma-fork/rdma-mr/legacy-get, pin-overflow/shmem-aliases/legacy-get`);
  });

  it("compare refuses runs of different sizes or seeds unless --allow-mismatch, which warns", async () => {
    const small = corrupt("size-small", s2, (r) => void (r.context.size = "small"));
    const seed = corrupt("seed-2", s2, (r) => void (r.context.seed = 2));
    const refused = await run(["bench", "compare", s2, small]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`the runs are not comparable: size differs: ${s2} tiny, ${small} small; compare runs of the same size and seed, or pass --allow-mismatch`);
    expect((await run(["bench", "compare", s2, seed])).err).toContain(`seed differs: ${s2} 1, ${seed} 2`);
    const allowed = await run(["bench", "compare", s2, small, "--allow-mismatch"]);
    expect(allowed.code).toBe(0);
    expect(allowed.err).toContain(`warning: size differs: ${s2} tiny, ${small} small; timings of different runs are compared as asked (--allow-mismatch)`);
    expect(allowed.out).toMatch(/^time: no change \(4 compared: /m);
    expect(allowed.out).toMatch(/^no change \(failing on hazards,refusals,false-positives\)$/m);
  });
});

describe("pinlab start and bench model", () => {
  it("start runs the default bench (here at size tiny) and says where the report is", async () => {
    const out = join(dir, "start-report");
    const r = await run(["start", "--size", "tiny", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`report: ${join(out, "index.html")}`);
    expect(r.out).toMatch(/headline contrasts/);
    expect(existsSync(join(out, "index.html")) && existsSync(join(out, "results.json"))).toBe(true);
  }, 300_000);

  it("bench model runs the micro-benchmarks and adds them to a report's context", async () => {
    const out = join(dir, "start-report");
    const r = await run(["bench", "model", "--scale", "0.002", "--out", out]);
    expect(r.err).toContain("report:");
    const ids = [
      "model-pin-order0", "model-unpin-order0", "model-huge", "model-call", "model-scenario-100k", "model-scenario-100k-invariants",
      "model-footprint-rss", "model-footprint-arraybuffers", "model-create-64gib", "model-touch-flat", "model-scenario-10k", "model-bulk-events",
    ];
    expect(r.out).toMatch(new RegExp(`^goal +measured +target +verdict +how\n[\\s\\S]*${ids.join("[\\s\\S]*")}`));
    expect(r.err).toMatch(/^bench model: \[1\/11\] pin-order0\nbench model: \[2\/11\] unpin-order0\n[\s\S]*bench model: \[11\/11\] events\n/);
    expect(r.code).toBe(0);
    const results = readResults(out);
    expect(results.context.model?.map((g) => g.id)).toEqual(ids);
    expect(readFileSync(join(out, "index.html"), "utf8")).toContain('data-goal="model-bulk-events"');
    expect(readFileSync(join(out, "index.html"), "utf8")).toContain('data-goal="model-pin-order0"');
  }, 300_000);

  it("bench model --checks runs only the named checks, --format json prints the goals as results.json holds them, and an unknown check is bad input", async () => {
    const r = await run(["bench", "model", "--scale", "0.002", "--checks", "call,events", "--format", "json"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("bench model: [1/2] call\nbench model: [2/2] events\n");
    const goals = JSON.parse(r.out) as { id: string; pass: boolean | null; target: string }[];
    expect(goals.map((g) => [g.id, g.pass])).toEqual([["model-call", null], ["model-bulk-events", null]]);
    expect(goals[0].target).toBe("<= 300 ns / <= 150 ns per call");
    const bad = await run(["bench", "model", "--checks", "call,nope"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--checks: unknown model check "nope"; model checks: pin-order0, unpin-order0, huge, call, scenario-100k, scenario-100k-invariants, footprint, create, touch, scenario, events');
    expect(bad.out).toBe("");
  }, 300_000);
});
