import "reflect-metadata";
import { beforeAll, describe, expect, it } from "vitest";
import type { BenchResults } from "../runner/results.js";
import { sampleResults } from "../test-support/sample-results.js";
import { hazardMatrix, headlineContrasts, wins } from "./analysis.js";
import { renderCharts } from "./charts.js";
import { renderCsv } from "./csv.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { renderTerminal } from "./terminal.js";

let r: BenchResults;
beforeAll(async () => {
  r = await sampleResults();
}, 120_000);

describe("reports", () => {
  it("builds the hazard matrix: worst outcome per policy and class over every workload", () => {
    const m = hazardMatrix(r);
    expect(m.policies).toEqual(["fake-get", "fake-bias", "test-exact"]);
    expect(m.cells.get("fake-get/dma_after_clean")).toMatchObject({ worst: "undetected", counts: { undetected: 8, detected: 0, prevented: 0 } });
    expect(m.cells.get("fake-bias/dma_after_clean")?.worst).toBe("detected");
    expect(m.cells.get("test-exact/longterm_in_movable")?.worst).toBe("prevented");
    expect(m.cells.get("fake-get/longterm_in_movable")?.workloads).toEqual(["longterm-cma[pin-user-pages]"]);
    expect(m.cells.get("fake-bias/cow_divergence")?.worst).toBe("none");
  });

  it("says who wins what, with the numbers", () => {
    const w = wins(r);
    const silent = w.find((x) => x.what.startsWith("fewest silent"))!;
    expect(silent.winners).toEqual(["fake-bias", "test-exact"]);
    expect(silent.detail).toMatch(/fake-get \d+/);
    const fp = w.find((x) => x.what.includes("false positives"))!;
    expect(fp.winners).toEqual(["test-exact"]);
    expect(fp.detail).toMatch(/fake-get excluded/);
  });

  it("marks headline contrasts absent when their cells are not in the run", () => {
    expect(headlineContrasts(r).map((c) => [c.id, c.holds])).toEqual([["dio-writeback", null], ["rdma-fork", null], ["rdma-fsdax-truncate", null], ["odp-churn", null]]);
  });

  it("renders a chart per measured quantity as SVG, server-side", () => {
    const charts = renderCharts(r);
    expect(charts.map((c) => c.id)).toEqual(["cost", "huge-cost", "false-positive", "refusals", "hazards"]);
    for (const c of charts) expect(c.svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    // One line per policy on the false-positive chart.
    expect(charts[2].svg.match(/fake-bias|test-exact|fake-get/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it("renders a self-contained HTML page: matrix cells with their outcome, charts inline, results embedded, nothing fetched", () => {
    const html = renderHtml(r);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('data-policy="fake-get" data-hazard="dma_after_clean" data-worst="undetected"');
    expect(html).toContain('class="o-detected" data-policy="fake-bias" data-hazard="dma_after_clean"');
    expect(html.match(/<figure class="chart"/g)).toHaveLength(5);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    const json = /<script type="application\/json" id="results">([\s\S]*?)<\/script>/.exec(html)![1];
    expect(JSON.parse(json).cells).toHaveLength(r.cells.length);
  });

  it("renders CSV with a header, one row per cell and the union of errno and counter columns", () => {
    const lines = renderCsv(r).trimEnd().split("\n");
    expect(lines).toHaveLength(r.cells.length + 1);
    const header = lines[0].split(",");
    expect(header.slice(0, 4)).toEqual(["workload", "variant", "device", "policy"]);
    expect(header).toContain("hazard_dma_after_clean_undetected");
    expect(header).toContain("refused_EBUSY");
    expect(header).toContain("counter_lostPages");
    const row = lines.find((l) => l.startsWith("dio-writeback-race,block-layer,none,fake-get"))!.split(",");
    expect(row[header.indexOf("hazard_dma_after_clean_undetected")]).toBe("8");
  });

  it("renders the terminal table and markdown with every cell and the goals", () => {
    const t = renderTerminal(r);
    for (const c of r.cells) expect(t).toContain(c.policy);
    expect(t).toMatch(/dio-writeback-race\[block-layer\]\s+none\s+fake-get\s+v6\.12\s+dma_after_clean U8/);
    expect(t).toMatch(/n\/a\s+gup-pin-ns/);
    const md = renderMarkdown(r);
    expect(md).toContain("## Who wins what");
    expect(md.split("\n").filter((l) => l.startsWith("| dio-writeback-race"))).toHaveLength(3);
  });
});
