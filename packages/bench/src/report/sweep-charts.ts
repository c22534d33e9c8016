/**
 * Line charts of a swept run: for each sweep, each workload variant it touches and each metric
 * that differs somewhere, the metric over the swept value with one line per policy. The x axis is
 * numeric when every value is a number, categorical otherwise. A policy the sweep does not apply to
 * (a policy sweep, for the other policies) is drawn flat and dashed at its single value, for
 * reference. With several seeds the points are medians and a bar marks each point's min–max.
 * @module
 */
import type { CellMetrics, CellResult } from "../runner/cell.js";
import type { BenchResults } from "../runner/results.js";
import { sweepLabel } from "../runner/sweep-coordinates.js";
import { sweepName, sweepValueText, type Sweep } from "../runner/sweep.js";
import { LEGEND_GAP, PALETTE, renderSvg, type Chart } from "./charts.js";
import { cellLabel, policyAtKernel } from "./format.js";

/** A metric a sweep chart can draw. */
interface SweepMetric {
  /** Id, part of the chart id. */
  readonly id: string;
  /** What it is, in words. */
  readonly title: string;
  /** Y axis name. */
  readonly unit: string;
  /** True for a rate (y from 0 to 1). */
  readonly rate?: boolean;
  /** Its value in a cell's (or a seed's) metrics. */
  readonly value: (m: CellMetrics) => number | null;
}

const hazardTotal = (outcome: "undetected" | "detected" | "prevented") => (m: CellMetrics) => Object.values(m.hazards).reduce((a, h) => a + (h?.[outcome] ?? 0), 0);

/** The metrics sweep charts draw, in order. */
const METRICS: readonly SweepMetric[] = [
  { id: "wall-pin", title: "wall-clock pin ns/page", unit: "ns/page", value: (m) => m.wallNsPerPage.pin },
  { id: "wall-release", title: "wall-clock release ns/page", unit: "ns/page", value: (m) => m.wallNsPerPage.release },
  { id: "sim", title: "simulated ns/page (pin + unpin)", unit: "ns/page", value: (m) => m.simNsPerPage },
  { id: "false-positive", title: "maybeDmaPinned false-positive rate", unit: "rate", rate: true, value: (m) => m.falsePositiveRate },
  { id: "false-negative", title: "maybeDmaPinned false-negative rate", unit: "rate", rate: true, value: (m) => m.falseNegativeRate },
  { id: "undetected", title: "undetected hazards", unit: "hazards", value: hazardTotal("undetected") },
  { id: "detected", title: "detected hazards", unit: "hazards", value: hazardTotal("detected") },
  { id: "prevented", title: "prevented hazards", unit: "hazards", value: hazardTotal("prevented") },
  { id: "refused", title: "refused operations", unit: "operations", value: (m) => Object.values(m.refused).reduce((a, n) => a + n, 0) },
  { id: "accounting", title: "peak accounting bytes", unit: "bytes", value: (m) => m.accountingBytes },
];

/** One line of a sweep chart: a policy (with the cell's other swept values), its y per swept value. */
interface Line {
  readonly name: string;
  /** True when the sweep applies to its cells; false for a flat reference line. */
  readonly swept: boolean;
  /** Y per swept value (null: no cell or no value). */
  readonly ys: (number | null)[];
  /** Min and max over seeds per swept value, when the cells have several seeds. */
  readonly ranges: ([number, number] | null)[];
}

/** The lines of one chart: `cells` of one workload variant, grouped by policy and the cells' other swept values. */
function lines(cells: readonly CellResult[], sweep: Sweep, metric: SweepMetric): Line[] {
  const name = sweepName(sweep);
  const groups = new Map<string, CellResult[]>();
  for (const c of cells) {
    const others = Object.fromEntries(Object.entries(c.sweep ?? {}).filter(([k]) => k !== name));
    const label = sweepLabel(c.workload, c.policy, others);
    const key = label === "" ? policyAtKernel(c) : `${policyAtKernel(c)} (${label})`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const range = (c: CellResult | undefined): [number, number] | null => {
    const vs = (c?.replicates ?? []).filter((r) => r.error === undefined).map((r) => metric.value(r.metrics)).filter((v): v is number => v !== null);
    return vs.length > 1 ? [Math.min(...vs), Math.max(...vs)] : null;
  };
  return [...groups.entries()].map(([key, cs]) => {
    const swept = cs.some((c) => c.sweep !== undefined && Object.hasOwn(c.sweep, name));
    const at = sweep.values.map((v) => (swept ? cs.find((c) => JSON.stringify(c.sweep?.[name]) === JSON.stringify(v)) : cs[0]));
    return { name: swept ? key : `${key} (not swept)`, swept, ys: at.map((c) => (c === undefined ? null : metric.value(c.metrics))), ranges: at.map((c) => (swept ? range(c) : null)) };
  });
}

/** Render one sweep chart. */
function sweepSvg(title: string, sweep: Sweep, metric: SweepMetric, ls: readonly Line[]): string {
  const numeric = sweep.values.every((v) => typeof v === "number" && Number.isFinite(v));
  const x = (i: number) => (numeric ? (sweep.values[i] as number) : i);
  const colour = (i: number) => PALETTE[i % PALETTE.length];
  const bars = ls.flatMap((l, i) => (l.ranges.some((r) => r !== null) ? [{
    type: "custom", name: l.name, z: 1, itemStyle: { color: colour(i) },
    data: l.ranges.flatMap((r, j) => (r === null ? [] : [[x(j), r[0], r[1]]])),
    renderItem: (_params: unknown, api: { value(d: number): number; coord(p: number[]): number[] }) => {
      const lo = api.coord([api.value(0), api.value(1)]);
      const hi = api.coord([api.value(0), api.value(2)]);
      const cap = (p: number[]) => ({ type: "line", shape: { x1: p[0] - 4, y1: p[1], x2: p[0] + 4, y2: p[1] }, style: { stroke: colour(i), lineWidth: 1 } });
      return { type: "group", children: [{ type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: { stroke: colour(i), lineWidth: 1 } }, cap(lo), cap(hi)] };
    },
  }] : []));
  return renderSvg({
    title: { text: title, left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0, itemGap: LEGEND_GAP },
    grid: { left: 70, right: 30, top: 40, bottom: 70 },
    xAxis: numeric
      ? { type: "value", name: sweepName(sweep), nameLocation: "middle", nameGap: 30, scale: true }
      : { type: "category", name: sweepName(sweep), nameLocation: "middle", nameGap: 30, data: sweep.values.map(sweepValueText) },
    yAxis: { type: "value", name: metric.unit, nameLocation: "middle", nameGap: 50, ...(metric.rate === true ? { min: 0, max: 1 } : {}) },
    series: [
      ...ls.map((l, i) => ({
        type: "line", name: l.name, itemStyle: { color: colour(i) }, connectNulls: false,
        ...(l.swept ? { symbol: "circle", symbolSize: 7 } : { symbol: "none", lineStyle: { type: "dashed", width: 1 } }),
        data: l.ys.map((y, j) => (numeric ? [x(j), y] : y)),
      })),
      ...bars,
    ],
  });
}

/** The cells of each workload variant a sweep touches: its workload's, or (a policy sweep) those of the variants where its policy ran. */
function touchedVariants(results: BenchResults, sweep: Sweep): CellResult[][] {
  const byVariant = new Map<string, CellResult[]>();
  for (const c of results.cells) {
    if (c.error !== undefined) continue;
    const key = cellLabel(c);
    byVariant.set(key, [...(byVariant.get(key) ?? []), c]);
  }
  return [...byVariant.values()].filter((cs) => cs.some((c) => (sweep.kind === "workload" ? c.workload === sweep.target : c.policy === sweep.target)));
}

/** Every sweep chart of a run (none for an unswept run). */
export function renderSweepCharts(results: BenchResults): Chart[] {
  const out: Chart[] = [];
  const seeds = results.context.seeds ?? 1;
  for (const sweep of results.context.sweeps ?? []) {
    const name = sweepName(sweep);
    for (const cells of touchedVariants(results, sweep)) {
      const variant = cellLabel(cells[0]);
      for (const metric of METRICS) {
        const ls = lines(cells, sweep, metric);
        const ys = ls.flatMap((l) => l.ys).filter((y): y is number => y !== null);
        // A metric with one value everywhere says nothing about the sweep.
        if (new Set(ys).size < 2) continue;
        out.push({
          id: `sweep/${name}/${variant}/${metric.id}`,
          title: `${metric.title} over ${name}: ${variant}`,
          caption: `One line per policy${sweep.kind === "policy" ? `; the sweep applies to ${sweep.target} only, so the other policies are drawn flat (dashed) at their single value` : ""}.`
            + `${seeds > 1 ? ` Points are medians over ${seeds} seeds; bars mark their min–max.` : ""}`,
          svg: sweepSvg(`${metric.title} over ${name}`, sweep, metric, ls),
        });
      }
    }
  }
  return out;
}
