/**
 * The report's charts, rendered to SVG on the server with ECharts (server-side rendering: no
 * browser, no DOM, no script at view time).
 * @module
 */
import * as echarts from "echarts";
import { MAIN_SERIES } from "../probe/sample-probe.js";
import type { CellResult, SeriesResult } from "../runner/cell.js";
import type { BenchResults } from "../runner/results.js";
import { sweepLabel } from "../runner/sweep-coordinates.js";
import { OUTCOMES, contender, contenders } from "./analysis.js";
import { policyAtKernel } from "./format.js";

/** A rendered chart. */
export interface Chart {
  /** Stable id (`cost`, `huge-cost`, `false-positive`...). */
  readonly id: string;
  /** Title. */
  readonly title: string;
  /** What it shows and where the numbers come from. */
  readonly caption: string;
  /** The SVG markup. */
  readonly svg: string;
}

const WIDTH = 760;
const HEIGHT = 360;
/**
 * The gap between legend entries, in px. ECharts measures text without a browser when it renders
 * on the server, with Helvetica-like widths; the report's system-ui font is often wider (DejaVu
 * Sans by about 10-15%), and with ECharts' default 10 px the entries overlapped their neighbours.
 */
export const LEGEND_GAP = 28;
/** The colours of the charts' series, in order. */
export const PALETTE = ["#3b6ea5", "#e07b39", "#5a9e4b", "#b6467a", "#7d5fb2", "#c0a030", "#4aa3a2", "#8c6d46"];
const OUTCOME_COLOURS: Record<string, string> = { undetected: "#c0392b", detected: "#e0a526", prevented: "#3c9a5f" };

/** Dash patterns of line charts' series, in order: solid, dashed, dotted, dash-dot, short dashes. */
export const LINE_DASHES: readonly (string | readonly number[])[] = ["solid", [10, 5], [2, 4], [12, 4, 2, 4], [5, 3]];
/** Point markers of line charts' series, in order. */
export const LINE_SYMBOLS: readonly string[] = ["circle", "rect", "triangle", "diamond", "roundRect", "pin", "arrow"];

/**
 * How line `i` of `n` is drawn so that no line hides another with the same points: its own dash
 * pattern and marker, and earlier lines wider with larger markers, so a line drawn over an equal
 * one leaves it showing around its edges.
 */
export function lineLook(i: number, n: number): { lineStyle: { type: string | number[]; width: number }; symbol: string; symbolSize: number } {
  const under = Math.min(n - 1 - i, 4);
  const dash = LINE_DASHES[i % LINE_DASHES.length];
  return { lineStyle: { type: typeof dash === "string" ? dash : [...dash], width: 2 + 1.5 * under }, symbol: LINE_SYMBOLS[i % LINE_SYMBOLS.length], symbolSize: 7 + 3 * under };
}

/** Render an ECharts option to an SVG string. */
export function renderSvg(option: echarts.EChartsCoreOption, width = WIDTH, height = HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({ animation: false, color: PALETTE, textStyle: { fontFamily: "system-ui, sans-serif" }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function policiesOf(results: BenchResults): string[] {
  return contenders(results);
}

function seriesOf(cells: readonly CellResult[], policy: string, id: string): SeriesResult | undefined {
  return cells.find((c) => contender(c) === policy)?.series.find((s) => s.id === id);
}

function barChart(title: string, categories: readonly string[], series: { name: string; data: (number | null)[]; stack?: string; color?: string }[], yName: string, log = false): string {
  return renderSvg({
    title: { text: title, left: "center", textStyle: { fontSize: 14 } },
    tooltip: {},
    legend: { bottom: 0, itemGap: LEGEND_GAP },
    grid: { left: 70, right: 20, top: 40, bottom: 60 },
    xAxis: { type: "category", data: [...categories] },
    yAxis: { type: log ? "log" : "value", name: yName, nameLocation: "middle", nameGap: 50, ...(log ? { logBase: 10 } : {}) },
    series: series.map((s) => ({ type: "bar", name: s.name, data: s.data, ...(s.stack !== undefined ? { stack: s.stack } : {}), ...(s.color !== undefined ? { itemStyle: { color: s.color } } : {}) })),
  });
}

/** Every chart the run has data for. */
export function renderCharts(results: BenchResults): Chart[] {
  const out: Chart[] = [];
  const policies = policiesOf(results);
  const gt = results.cells.filter((c) => c.workload === "gup-throughput" && c.error === undefined);
  if (gt.length > 0) {
    const ps = policies.filter((p) => seriesOf(gt, p, MAIN_SERIES) !== undefined);
    const pick = (id: string, f: (s: SeriesResult) => number | null) => ps.map((p) => {
      const s = seriesOf(gt, p, id);
      return s === undefined ? null : f(s);
    });
    const cost = (id: string, seriesId: string, title: string, caption: string, heading: string, unit: string): Chart => ({
      id, title, caption,
      svg: barChart(heading, ps, [
        { name: "wall pin", data: pick(seriesId, (s) => s.wallNsPerPage.pin) },
        { name: "wall unpin", data: pick(seriesId, (s) => s.wallNsPerPage.release) },
        { name: "simulated pin", data: pick(seriesId, (s) => s.simSplit.pin) },
        { name: "simulated unpin", data: pick(seriesId, (s) => s.simSplit.release) },
      ], unit),
    });
    out.push(cost("cost", MAIN_SERIES, "Cost per page: pin_user_pages_fast + unpin_user_pages, order-0",
      "gup-throughput, main series: median wall-clock ns per page in this model, and the simulated ns per page of the cost model (calibrated on gup_test: ~62 ns long-term pin, ~15 ns unpin; FOLL_GET by the CKI ratios).",
      "ns per 4 KiB page", "ns/page"));
    const hugeId = gt[0].series.some((s) => s.id === "thp-fast-pin") ? "thp-fast-pin" : gt[0].series.some((s) => s.id === "hugetlb-fast-pin") ? "hugetlb-fast-pin" : undefined;
    if (hugeId !== undefined) {
      out.push(cost("huge-cost", hugeId, `Cost per subpage of huge folios (${hugeId})`,
        "gup-throughput on 2 MiB folios: median wall-clock and simulated ns per 4 KiB subpage (published: a few ns per subpage).", "ns per 4 KiB subpage", "ns/subpage"));
    }
  }
  const fp = results.cells.filter((c) => c.curves.some((p) => p.curve === "false-positive-rate"));
  if (fp.length > 0) {
    out.push({
      id: "false-positive", title: "maybeDmaPinned false-positive rate against the number of processes mapping a page",
      caption: "shared-library-false-positive: share of library pages (small, unpinned, mapped by N processes) that maybeDmaPinned calls pinned. Each policy has its own dash pattern and marker, and earlier lines are drawn wider, so policies with the same curve all stay visible.",
      svg: renderSvg({
        title: { text: "false-positive rate vs N", left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { bottom: 0, itemGap: LEGEND_GAP },
        grid: { left: 70, right: 30, top: 40, bottom: 60 },
        xAxis: { type: "value", name: "processes mapping the page (N)", nameLocation: "middle", nameGap: 30 },
        yAxis: { type: "value", name: "false-positive rate", nameLocation: "middle", nameGap: 50, min: 0, max: 1 },
        series: fp.map((c, i) => ({
          type: "line", name: c.sweep !== undefined ? `${policyAtKernel(c)} (${sweepLabel(c.workload, c.policy, c.sweep)})` : policyAtKernel(c), step: "end", ...lineLook(i, fp.length),
          data: c.curves.filter((p) => p.curve === "false-positive-rate").map((p) => [p.x, p.values.falsePositiveRate]),
        })),
      }),
    });
  }
  const errnos = [...new Set(results.cells.flatMap((c) => Object.keys(c.metrics.refused)))].sort();
  if (errnos.length > 0) {
    out.push({
      id: "refusals", title: "Refused operations by errno (availability cost)",
      caption: "Every operation a workload saw refused, summed over the policy's cells.",
      svg: barChart("refused operations", policies, errnos.map((e) => ({
        name: e, stack: "refused", data: policies.map((p) => results.cells.filter((c) => contender(c) === p).reduce((a, c) => a + (c.metrics.refused[e] ?? 0), 0)),
      })), "operations"),
    });
  }
  if (results.cells.some((c) => Object.keys(c.metrics.hazards).length > 0)) {
    out.push({
      id: "hazards", title: "Hazards by outcome",
      caption: "Every hazard the oracle recorded, summed over the policy's cells: prevented (refused or handled), detected (flagged to the fs/mm), undetected (silent corruption).",
      svg: barChart("hazards", policies, OUTCOMES.map((o) => ({
        name: o, stack: "hazards", color: OUTCOME_COLOURS[o],
        data: policies.map((p) => results.cells.filter((c) => contender(c) === p).reduce((a, c) => a + Object.values(c.metrics.hazards).reduce((x, h) => x + (h?.[o] ?? 0), 0), 0)),
      })), "hazards"),
    });
  }
  return out;
}
