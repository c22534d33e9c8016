import "reflect-metadata";
import { beforeAll, describe, expect, it } from "vitest";
import type { BenchResults } from "../runner/results.js";
import { sampleResults, sweptSampleResults } from "../test-support/sample-results.js";
import { reproduceCommand, renderCellDetails } from "./cell-details.js";
import { lineLook, renderCharts } from "./charts.js";
import { renderHtml } from "./html.js";
import { renderRawTable } from "./raw-table.js";

let r: BenchResults;
let swept: BenchResults;
beforeAll(async () => {
  r = await sampleResults();
  swept = await sweptSampleResults();
}, 120_000);

describe("the report's raw table and its cells", () => {
  it("puts the raw table in its own scrolling box, with sortable headers, a filter box and a row to open under each cell", () => {
    const html = renderRawTable(r);
    expect(html).toMatch(/<div class="scroll"><table class="raw"><thead>/);
    expect(html).toContain('<input type="search" id="raw-filter"');
    expect(html.match(/<th data-sort="(num|text)">/g)).toHaveLength(14);
    expect(html.match(/<tr data-cell="/g)).toHaveLength(r.cells.length);
    expect(html.match(/<tr class="detail" data-detail-for="[^"]+" hidden><td colspan="14">/g)).toHaveLength(r.cells.length);
    expect(html.match(/<button type="button" class="open" aria-expanded="false"/g)).toHaveLength(r.cells.length);
    // Number columns sort by value: the fake-get dio cell's hazards, 8 undetected.
    const row = new RegExp(`<tr data-cell="dio-writeback-race/block-layer/fake-get">(.*?)</tr>`).exec(html)![1];
    expect(row).toMatch(/<td data-v="8">/);
  });

  it("inlines the page's script and styles: nothing fetched, the page fits 1366 px", () => {
    const html = renderHtml(r);
    expect(html).toMatch(/<script>\(\(\) => \{\n {2}const table = document\.querySelector\("table\.raw"\);/);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html).toContain(".scroll { overflow-x: auto; max-width: 100%; }");
    expect(html).toContain("table.raw td.counters { min-width: 180px; max-width: 320px; overflow-wrap: anywhere; }");
    expect(html).toMatch(/<div class="scroll"><table class="matrix">/);
  });

  it("opens a cell on the command that runs it again, its seed, parameters and story", () => {
    const c = r.cells.find((x) => x.id === "dio-writeback-race/block-layer/fake-bias")!;
    expect(reproduceCommand(c, r.context)).toBe("pinlab bench --size tiny --seed 1 --workloads dio-writeback-race --policies fake-bias --devices none");
    const d = renderCellDetails(c, r.context);
    expect(d).toContain(`<th>seed</th><td>${c.seed} `);
    expect(d).toContain(`tiny <code>${JSON.stringify(c.params).replace(/"/g, "&quot;")}</code>`);
    expect(d).toContain("<th>story</th>");
    expect(d).toMatch(/<tr><td>main<\/td><td>median [^<]*, n=\d+<\/td>/);
  });

  it("reproduces a swept, seeded cell with its sweep, the run's overrides, its era and --seeds", () => {
    const c = swept.cells.find((x) => x.sweep !== undefined)!;
    const ctx = { ...swept.context, kernelAxis: ["v6.12"], params: { [c.workload]: { libraryPages: 8, name: "a b" } } };
    const [name, value] = Object.entries(c.sweep!)[0];
    expect(reproduceCommand({ ...c, kernel: "v6.12" }, ctx)).toBe(
      `pinlab bench --size ${c.size} --seed ${swept.context.seed} --workloads ${c.workload} --policies ${c.policy} --devices ${c.device} --kernels v6.12 --sweep ${name}=${String(value)} --param ${c.workload}.libraryPages=8 --param '${c.workload}.name=a b' --seeds ${swept.context.seeds}`,
    );
    expect(renderCellDetails(c, swept.context)).toContain('<table class="seeds">');
  });

  it("draws each false-positive line with its own dash and marker, earlier ones wider, so equal curves do not hide each other", () => {
    const looks = [0, 1, 2].map((i) => lineLook(i, 3));
    expect(new Set(looks.map((l) => JSON.stringify(l.lineStyle.type))).size).toBe(3);
    expect(new Set(looks.map((l) => l.symbol)).size).toBe(3);
    expect(looks.map((l) => l.lineStyle.width)).toEqual([5, 3.5, 2]);
    const svg = renderCharts(r).find((c) => c.id === "false-positive")!.svg;
    // fake-bias and test-exact draw the same curve for N below the bias: both must show.
    expect(svg).toContain("stroke-dasharray");
    for (const p of ["fake-get", "fake-bias", "test-exact"]) expect(svg).toContain(`>${p}<`);
  });
});
