/**
 * Small live charts of the counters over the steps (uPlot): a line per compared policy, the
 * current position marked by a vertical line.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ChartData } from "../model/counter-series.js";
import { integerTicks, stepLabel } from "../model/integer-ticks.js";
import { h, replace } from "./dom.js";

/** Line colours by policy index (Okabe-Ito). */
export const POLICY_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00"];

/** Least room, in CSS pixels, between two step ticks. */
const TICK_SPACE = 28;

/** The x axis of step indices: ticks and labels at whole steps only (the labels drawn are noted in `box`'s `data-x-ticks`). */
function stepAxis(box: HTMLElement): uPlot.Axis {
  return {
    size: 24, font: "10px system-ui",
    splits: (u, _axis, min, max) => integerTicks(min, max, u.bbox.width / devicePixelRatio / TICK_SPACE),
    values: (_u, splits) => {
      const labels = splits.map(stepLabel);
      box.dataset.xTicks = labels.join(" ");
      return labels;
    },
  };
}

/** The charts panel. */
export class CounterCharts {
  /** The element to place. */
  readonly element: HTMLElement;
  private plots = new Map<string, uPlot>();
  private shape = "";
  private pos = 0;

  /** Make the panel. */
  constructor() {
    this.element = h("div", { class: "charts" });
  }

  /** Show `charts` with the cursor at `pos`. */
  update(charts: readonly ChartData[], pos: number): void {
    this.pos = pos;
    const shape = charts.map((c) => `${c.id}:${c.x.length}:${c.yMax}:${c.series.map((s) => s.label).join(",")}`).join("|");
    const width = Math.max(220, (this.element.clientWidth || 300) - 8);
    if (shape !== this.shape) {
      for (const p of this.plots.values()) p.destroy();
      this.plots.clear();
      replace(this.element);
      this.shape = shape;
      for (const c of charts) {
        const box = h("figure", { class: "chart", attrs: { "data-chart": c.id } }, h("figcaption", {}, c.title));
        this.element.append(box);
        const plot = new uPlot({
          width, height: 120,
          legend: { show: true, live: false },
          cursor: { show: false },
          scales: { x: { time: false, range: (_u, min, max) => [Math.floor(min), Math.max(Math.ceil(max), Math.floor(min) + 1)] }, y: { range: [0, Math.max(1, c.yMax * 1.1)] } },
          axes: [stepAxis(box), { size: 36, font: "10px system-ui" }],
          series: [{ label: "step", value: (_u, v) => stepLabel(v) }, ...c.series.map((s) => ({ label: s.label, stroke: POLICY_COLORS[s.policyIndex % POLICY_COLORS.length], width: 2, dash: s.dashed ? [5, 4] : undefined, points: { show: false } }))],
          hooks: { draw: [(u: uPlot) => this.marker(u)] },
        }, [c.x as number[], ...c.series.map((s) => s.values as (number | null)[])], box);
        this.plots.set(c.id, plot);
      }
      return;
    }
    for (const c of charts) this.plots.get(c.id)?.setData([c.x as number[], ...c.series.map((s) => s.values as (number | null)[])], false);
    for (const p of this.plots.values()) p.redraw(false, false);
  }

  private marker(u: uPlot): void {
    const x = u.valToPos(this.pos, "x", true);
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = "#111827";
    ctx.setLineDash([3, 3]);
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.restore();
  }
}
