/**
 * The counters charted over the steps: for each chart, a series per compared policy (per process
 * too for `pinned_vm`), with values up to the current position and nothing after it, so the
 * charts grow as the run is stepped.
 */
import type { Recording } from "./recording.js";

/** One line of a chart. */
export interface Series {
  /** Legend label. */
  readonly label: string;
  /** Index of the policy among the compared ones (picks the colour). */
  readonly policyIndex: number;
  /** Dashed (second and later process of a policy). */
  readonly dashed: boolean;
  /** A value per position; null after the current position. */
  readonly values: readonly (number | null)[];
}

/** One chart. */
export interface ChartData {
  /** Stable id. */
  readonly id: string;
  /** Title. */
  readonly title: string;
  /** Positions 0..n. */
  readonly x: readonly number[];
  /** Its lines. */
  readonly series: readonly Series[];
  /** The largest value over the whole run (fixes the y range while the lines grow). */
  readonly yMax: number;
}

/** Most processes charted in `pinned_vm`. */
export const MAX_PROCESS_SERIES = 6;

const VMSTAT_CHARTS: ReadonlyArray<readonly [string, string]> = [
  ["nr_foll_pin_acquired", "nr_foll_pin_acquired (pages)"],
  ["nr_foll_pin_released", "nr_foll_pin_released (pages)"],
  ["nr_gup_get_acquired", "FOLL_GET references taken (pages)"],
  ["nr_cow", "pages copied on write"],
];

/** The charts for `recs` at position `pos`. */
export function counterCharts(recs: readonly Recording[], pos: number): ChartData[] {
  const n = Math.max(0, ...recs.map((r) => r.positions));
  const x = Array.from({ length: n }, (_, i) => i);
  let yMax = 0;
  const upTo = (r: Recording, f: (p: number) => number) => x.map((p) => {
    if (p >= r.positions) return null;
    const v = f(p);
    yMax = Math.max(yMax, v);
    return p <= pos ? v : null;
  });
  const done = (c: Omit<ChartData, "yMax">): ChartData => {
    const out = { ...c, yMax };
    yMax = 0;
    return out;
  };
  const charts: ChartData[] = VMSTAT_CHARTS.map(([key, title]) => done({
    id: key, title, x,
    series: recs.map((r, i) => ({ label: r.label, policyIndex: i, dashed: false, values: upTo(r, (p) => r.views[p].counters.vmstat[key] ?? 0) })),
  }));
  // Only processes that ever pin (a fork bomb of 1000 children would drown the chart otherwise).
  const pinning = new Set<string>();
  for (const r of recs) {
    let last: unknown;
    for (const v of r.views) {
      if (v.counters === last) continue;
      last = v.counters;
      for (const [name, n] of Object.entries(v.counters.pinnedVm)) if (n > 0) pinning.add(name);
    }
  }
  const procs = [...pinning].slice(0, MAX_PROCESS_SERIES);
  charts.push(done({
    id: "pinned_vm", title: "pinned_vm (pages) per process", x,
    series: recs.flatMap((r, i) => procs.map((name, j) => ({ label: `${r.label} ${name}`, policyIndex: i, dashed: j > 0, values: upTo(r, (p) => r.views[p].counters.pinnedVm[name] ?? 0) }))),
  }));
  charts.push(done({
    id: "hazards", title: "hazards recorded", x,
    series: recs.map((r, i) => ({ label: r.label, policyIndex: i, dashed: false, values: upTo(r, (p) => r.views[p].counters.hazards) })),
  }));
  return charts;
}
