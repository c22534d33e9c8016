import "reflect-metadata";
import { beforeAll, describe, expect, it } from "vitest";
import type { BenchResults } from "../runner/results.js";
import { resultsProblems } from "../runner/results-schema.js";
import { sweptSampleResults } from "../test-support/sample-results.js";
import { contender, hazardMatrix, wins } from "./analysis.js";
import { renderCsv } from "./csv.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { renderSweepCharts } from "./sweep-charts.js";
import { renderTerminal } from "./terminal.js";

let r: BenchResults;
beforeAll(async () => {
  r = await sweptSampleResults();
}, 120_000);

const FP_CHART = "sweep/fake-bias.bias/shared-library-false-positive[libc]/false-positive";

/** The data points ECharts drew for series `index` of an SVG (its server-side renderer tags each with its series and data index). */
function points(svg: string, index: number): number {
  return new Set([...svg.matchAll(new RegExp(`ecmeta_series_index="${index}" ecmeta_data_index="(\\d+)" ecmeta_ssr_type="chart"`, "g"))].map((m) => m[1])).size;
}

/** The texts of an SVG. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

describe("reports of a swept run with 3 seeds", () => {
  it("writes results the schema takes", () => {
    expect(resultsProblems(r)).toEqual([]);
  });

  it("draws each swept axis as a line chart: one line per policy, one point per swept value, on a numeric axis", () => {
    const charts = renderSweepCharts(r);
    expect(charts.map((c) => c.id)).toContain(FP_CHART);
    expect(charts.map((c) => c.id)).toContain("sweep/fake-bias.bias/shared-library-false-positive[libc]/wall-pin");
    const fp = charts.find((c) => c.id === FP_CHART)!;
    const t = texts(fp.svg);
    // Lines in cell order: fake-get (not swept, flat, no points), fake-bias (3 points), test-exact (not swept).
    expect(t).toEqual(expect.arrayContaining(["fake-get (not swept)", "fake-bias", "test-exact (not swept)", "fake-bias.bias"]));
    expect(points(fp.svg, 0)).toBe(0);
    expect(points(fp.svg, 1)).toBe(3);
    expect(points(fp.svg, 2)).toBe(0);
    // A value axis labels its ticks, not the values: 4096 is not a label, a round tick is.
    expect(t).not.toContain("4096");
    expect(t.some((x) => /^\d,\d00$/.test(x))).toBe(true);
    // Min–max bars of the seeds, one per point, after the lines (series 3), on the wall-clock chart.
    const wall = charts.find((c) => c.id.endsWith("/wall-pin"))!;
    expect(points(wall.svg, 3)).toBe(3);
  });

  it("uses a categorical axis when the swept values are not all numbers", () => {
    const named = (v: unknown) => `b${String(v)}`;
    const renamed: BenchResults = {
      ...r,
      context: { ...r.context, sweeps: r.context.sweeps!.map((s) => ({ ...s, values: s.values.map(named) })) },
      cells: r.cells.map((c) => (c.sweep === undefined ? c : { ...c, sweep: { "fake-bias.bias": named(c.sweep["fake-bias.bias"]) } })),
    };
    const fp = renderSweepCharts(renamed).find((c) => c.id === FP_CHART)!;
    expect(texts(fp.svg)).toEqual(expect.arrayContaining(["b256", "b1024", "b4096"]));
    expect(points(fp.svg, 1)).toBe(3);
  });

  it("treats each swept setting of a policy as a contender of its own in the summaries", () => {
    expect(r.cells.map(contender)).toEqual(["fake-get", "fake-bias[bias=256]", "fake-bias[bias=1024]", "fake-bias[bias=4096]", "test-exact"]);
    expect(contender({ policy: "p", sweep: { "w.pages": 4, "p.bias": 2 } })).toBe("p[bias=2]");
    expect(hazardMatrix(r).policies).toEqual(r.cells.map(contender));
    const fp = wins(r).find((x) => x.what.includes("false positives"))!;
    expect(fp.winners).toEqual(["fake-bias[bias=4096]", "test-exact"]);
    expect(fp.detail).toBe("fake-bias[bias=256] 66.7%, fake-bias[bias=1024] 66.7%, fake-bias[bias=4096] 0.0%, test-exact 0.0%; fake-get excluded: never answers pinned");
  });

  it("puts the line charts in the HTML report", () => {
    const html = renderHtml(r);
    expect(html).toContain(`<figure class="chart" data-chart="${FP_CHART}">`);
    expect(html).toContain("3 seeds per cell, sweep fake-bias.bias=256,1024,4096");
    expect(html).toContain('<tr data-cell="shared-library-false-positive/libc/fake-bias[bias=4096]">');
    expect(html).toMatch(/<th>sweeps<\/th><td>fake-bias\.bias \(policy\) = 256, 1024, 4096<\/td>/);
  });

  it("prints one row per swept value, with the sweep and the spread over seeds", () => {
    const t = renderTerminal(r);
    expect(t).toContain("3 seeds per cell, sweep fake-bias.bias=256,1024,4096");
    expect(t).toMatch(/^workload\s+device\s+policy\s+kernel\s+sweep\s+hazards/m);
    for (const bias of [256, 1024, 4096]) expect(t).toMatch(new RegExp(`^shared-library-false-positive\\[libc\\]\\s+none\\s+fake-bias\\s+v6\\.12\\s+bias=${bias}\\s`, "m"));
    expect(t).toMatch(/^shared-library-false-positive\[libc\]\s+none\s+fake-get\s+v6\.12\s+-\s/m);
    const row = t.split("\n").find((l) => l.startsWith("shared-library") && l.includes(" bias=256 "))!;
    const spread = r.cells.find((c) => c.id.endsWith("[bias=256]"))!.spread!["wallNsPerPage.pin"];
    expect(spread.min).toBeLessThan(spread.max);
    expect(row).toMatch(/\d \[[\d,.]+–[\d,.]+\]/);
    const md = renderMarkdown(r);
    expect(md).toContain("| workload | device | policy | kernel | sweep | hazards (P/D/U) |");
    expect(md).toMatch(/\| fake-bias \| v6\.12 \| bias=1024 \|/);
  });

  it("gives CSV a column per sweep and min, max and 95% interval columns per metric", () => {
    const lines = renderCsv(r).trimEnd().split("\n");
    const header = lines[0].split(",");
    expect(header.slice(0, 8)).toEqual(["workload", "variant", "device", "policy", "kernel", "seed", "sweep_fake-bias.bias", "seeds"]);
    for (const col of ["wall_pin_ns_per_page_min", "wall_pin_ns_per_page_max", "wall_pin_ns_per_page_ci95_lo", "wall_pin_ns_per_page_ci95_hi", "false_positive_rate_min", "sim_ns_per_page_ci95_hi"]) expect(header).toContain(col);
    const rows = lines.slice(1).map((l) => l.split(","));
    expect(rows.map((x) => [x[3], x[4], x[6], x[7]])).toEqual([["fake-get", "v6.12", "", "3"], ["fake-bias", "v6.12", "256", "3"], ["fake-bias", "v6.12", "1024", "3"], ["fake-bias", "v6.12", "4096", "3"], ["test-exact", "v6.12", "", "3"]]);
    const cell = r.cells[1];
    const at = (name: string) => Number(rows[1][header.indexOf(name)]);
    expect(at("wall_pin_ns_per_page")).toBe(cell.metrics.wallNsPerPage.pin);
    expect(at("wall_pin_ns_per_page_min")).toBe(cell.spread!["wallNsPerPage.pin"].min);
    expect(at("wall_pin_ns_per_page_ci95_hi")).toBe(cell.spread!["wallNsPerPage.pin"].ci95![1]);
  });
});
