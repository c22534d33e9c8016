import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { renderHtml } from "../report/html.js";
import { renderMarkdown } from "../report/markdown.js";
import { renderTerminal } from "../report/terminal.js";
import { FAKE_PLUGINS } from "../test-support/fake-plugins.js";
import { FIXTURE_WORKLOAD } from "../test-support/fixture-workload.js";
import { PIN_FORK } from "../test-support/pin-fork-scenario.js";
import { BenchInputError } from "./bench-input-error.js";
import { deterministicView } from "./deterministic-view.js";
import { mergeResults } from "./merge.js";
import { resultsProblems } from "./results-schema.js";
import { planBench, runBench, type BenchOptions } from "./run-bench.js";

const base: BenchOptions = {
  plugins: [FAKE_PLUGINS, FIXTURE_WORKLOAD], workloads: ["pin-overflow", "longterm-pin-fixture", "scenario:pin-fork"], scenarios: [PIN_FORK],
  policies: ["fake-get", "fake-bias"], size: "tiny", seed: 5,
};

describe("runBench with plugin workloads and scenario workloads (worker pool)", () => {
  it("runs them in the workers beside the built-in ones, describes them in the results and the reports, and merges their shards", async () => {
    const whole = await runBench({ ...base, workers: 2 });
    expect(whole.cells.map((c) => c.id)).toEqual([
      "pin-overflow/shmem-aliases/fake-get", "pin-overflow/shmem-aliases/fake-bias",
      "longterm-pin-fixture/gup/fake-get", "longterm-pin-fixture/gup/fake-bias",
      "scenario:pin-fork/scenario/fake-get", "scenario:pin-fork/scenario/fake-bias",
    ]);
    expect(whole.cells.filter((c) => c.error !== undefined)).toEqual([]);
    const cell = (id: string) => whole.cells.find((c) => c.id === id)!;
    expect(cell("longterm-pin-fixture/gup/fake-bias").counters.pinnedPages).toBe(4);
    expect(cell("longterm-pin-fixture/gup/fake-get").metrics.falseNegativeRate).toBe(1);
    expect(cell("scenario:pin-fork/scenario/fake-bias").metrics.refused).toEqual({ EFAULT: 1 });
    expect(cell("scenario:pin-fork/scenario/fake-bias").counters).toMatchObject({ passed: 1, pinsPeak: 2 });
    expect(whole.context.workloads).toEqual(["pin-overflow", "longterm-pin-fixture", "scenario:pin-fork"]);
    expect(whole.context.contributedWorkloads?.map((w) => [w.id, w.origin, w.variants])).toEqual([
      ["longterm-pin-fixture", FIXTURE_WORKLOAD, ["gup"]], ["scenario:pin-fork", "stories/Pin_Fork.yaml", ["scenario"]],
    ]);
    expect(resultsProblems(JSON.parse(JSON.stringify(whole)))).toEqual([]);
    for (const text of [renderTerminal(whole), renderMarkdown(whole)]) expect(text).toContain("scenario:pin-fork[scenario]");
    const html = renderHtml(whole);
    expect(html).toContain("<td><code>longterm-pin-fixture</code></td><td>pin anonymous memory long-term, then unpin it</td>");
    expect(html).toContain("<td><code>scenario:pin-fork</code></td><td>a pinned private buffer, then fork, then the parent writes</td>");
    const parts = [];
    for (const index of [1, 2]) parts.push(await runBench({ ...base, workers: 1, shard: { index, count: 2 } }));
    const merged = mergeResults([parts[1], parts[0]]);
    expect(merged.cells.map((c) => c.id)).toEqual(whole.cells.map((c) => c.id));
    expect(merged.context.workloads).toEqual(whole.context.workloads);
    expect(deterministicView(merged)).toEqual(deterministicView(whole));
  }, 120_000);

  it("refuses bad scenarios before any cell runs: every problem with file, line, step and field; an unknown device; two files with one name", async () => {
    const bad = { file: "bad.yaml", text: PIN_FORK.text.replace("pages: 2, call: pin_user_pages", "pages: 2, call: pin_user_pagez").replace("processes: [p1]", "processes: [p1]\ndevices: [ { name: d0, kind: vfio-type1 } ]") };
    const err = await planBench({ ...base, scenarios: [bad] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BenchInputError);
    expect((err as BenchInputError).field).toBe("--scenarios");
    expect((err as Error).message).toMatch(/^--scenarios: a scenario is not valid:\n {2}bad\.yaml:/);
    expect((err as Error).message).toMatch(/bad\.yaml:\d+:\d+: field "devices\[0\]\.kind": unknown device kind "vfio-type1"; registered kinds: \(none\)/);
    const steps = await planBench({ ...base, scenarios: [{ file: "bad.yaml", text: PIN_FORK.text.replace("call: pin_user_pages, flags: [FOLL_WRITE", "call: pin_user_pagez, flags: [FOLL_WRITE") }] }).catch((e: unknown) => e);
    expect((steps as Error).message).toMatch(/bad\.yaml:8:\d+: step 2 \(gup\), field "call": /);
    await expect(planBench({ ...base, scenarios: [PIN_FORK, { ...PIN_FORK, file: "other/pin-fork.yml" }] })).rejects.toThrow(
      '--scenarios: stories/Pin_Fork.yaml and other/pin-fork.yml both make the workload "scenario:pin-fork" (from the file name); rename one');
    await expect(planBench({ ...base, workloads: ["scenario:nope"] })).rejects.toThrow(/--workloads: unknown workload "scenario:nope"; known workloads: .*longterm-pin-fixture, scenario:pin-fork/);
  });
});
