/**
 * The timeline tab, a track view in the style of Perfetto's: a label column, a time ruler and,
 * per compared run, a track group with three tracks: the steps as slices, the events as instants
 * (coloured by type) and the hazards as marked instants (coloured by outcome). The wheel or the
 * +/- buttons zoom, dragging pans; hovering an item shows its details below (steps and hazards
 * as a tooltip too), clicking it also moves to its step. Events of one type that fall on one
 * pixel are drawn as one mark (`data-count`). Drawn as SVG; every item carries data-* attributes.
 */
import { eventFields } from "../model/event-fields.js";
import { formatTick, rulerTicks } from "../model/time-ticks.js";
import type { RunTimeline } from "../model/timeline.js";
import { panViewport, zoomViewport, type Viewport } from "../model/timeline-viewport.js";
import { h, replace } from "./dom.js";
import type { LinkTargets } from "./links.js";
import { s } from "./svg.js";
import { eventColor, OUTCOME_COLORS } from "./timeline-colors.js";

/** Width of the label column, px. */
const LABEL_W = 92;
/** Heights, px: the ruler, a group's header, a track. */
const RULER_H = 20;
const HEADER_H = 18;
const TRACK_H = 16;
/** Zoom factor of one +/- press or wheel notch. */
const ZOOM_STEP = 1.5;

/** The timeline panel. */
export class TimelineView {
  /** The element to place. */
  readonly element: HTMLElement;
  private readonly note: HTMLElement;
  private readonly area: HTMLElement;
  private readonly details: HTMLElement;
  private tls: readonly RunTimeline[] = [];
  private pos = 0;
  private view: Viewport | undefined;
  private extent = { min: 0, max: 1 };
  private drag: { x: number; view: Viewport } | undefined;
  /** The width the items were last drawn at. */
  private drawnWidth = 0;

  /** Make the panel; clicking an item goes to its step through `targets`. */
  constructor(private readonly targets: LinkTargets) {
    this.note = h("span", { class: "muted tl-clock" });
    this.details = h("div", { class: "tl-details", attrs: { role: "status" } }, "hover or click an item for its details");
    this.area = h("div", { class: "tl-area", on: {
      wheel: (e) => this.wheel(e),
      pointerdown: (e) => { if (this.view !== undefined) this.drag = { x: e.clientX, view: this.view }; },
      pointermove: (e) => this.dragged(e),
      pointerup: () => { this.drag = undefined; },
      pointerleave: () => { this.drag = undefined; },
    } });
    const button = (label: string, title: string, fn: () => void) => h("button", { attrs: { type: "button", "data-zoom": label }, title, on: { click: fn } }, label);
    this.element = h("div", { class: "timeline" },
      h("div", { class: "filters" },
        button("−", "zoom out", () => this.zoomBy(1 / ZOOM_STEP)), button("+", "zoom in", () => this.zoomBy(ZOOM_STEP)),
        button("fit", "show the whole run", () => { this.view = undefined; this.render(); }), this.note),
      this.area, this.details);
  }

  /** Show `tls` with the cursor at position `pos`. */
  update(tls: readonly RunTimeline[], pos: number): void {
    const changed = tls.length !== this.tls.length || tls.some((t, i) => t.key !== this.tls[i]?.key || t.max !== this.tls[i]?.max || t.clock !== this.tls[i]?.clock);
    const same = tls === this.tls && this.drawnWidth > 0;
    this.tls = tls;
    this.pos = pos;
    this.extent = { min: Math.min(0, ...tls.map((t) => t.min)), max: Math.max(1, ...tls.map((t) => t.max)) };
    if (changed) this.view = undefined;
    // Stepping only moves the cursor: redrawing thousands of items on every step would cost more than the step.
    if (same) this.placeCursor();
    else this.render();
  }

  /** Put the cursor at the start of the next step to run and mark the step just run. */
  private placeCursor(): void {
    const svg = this.area.firstElementChild;
    if (svg === null) return;
    for (const el of svg.querySelectorAll(".tl-step.current")) el.classList.remove("current");
    for (const el of svg.querySelectorAll<SVGElement>(".tl-step")) if (Number(el.dataset.step) <= this.pos - 1 && this.pos - 1 <= Number(el.dataset.last)) el.classList.add("current");
    svg.querySelector(".tl-cursor")?.remove();
    const v = this.view ?? { from: this.extent.min, to: this.extent.max };
    const cur = this.tls[0]?.steps[this.pos]?.start ?? this.tls[0]?.max;
    if (cur === undefined || cur < v.from || cur > v.to) return;
    const x = LABEL_W + ((cur - v.from) / (v.to - v.from)) * (this.drawnWidth - LABEL_W - 8);
    svg.append(s("line", { class: "tl-cursor", x1: x, x2: x, y1: 0, y2: svg.getAttribute("height") ?? 0 }));
  }

  private get width(): number {
    return Math.max(LABEL_W + 120, this.area.clientWidth || this.element.clientWidth || 360);
  }

  private render(): void {
    const clock = this.tls[0]?.clock ?? "step";
    this.note.textContent = clock === "virtual" ? "x: virtual time" : "x: step index (this scenario never advances the clock)";
    this.element.dataset.clock = clock;
    const v = this.view ?? { from: this.extent.min, to: this.extent.max };
    const width = this.width;
    const plotW = width - LABEL_W - 8;
    const xOf = (x: number) => LABEL_W + ((x - v.from) / (v.to - v.from)) * plotW;
    const inView = (a: number, b = a) => b >= v.from && a <= v.to;
    const height = RULER_H + this.tls.length * (HEADER_H + 3 * TRACK_H + 4);
    const svg = s("svg", { class: "tl-svg", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "timeline" });
    for (const t of rulerTicks(v.from, v.to, plotW / 70, clock)) {
      const x = xOf(t);
      const text = formatTick(t, clock);
      // A label that would run off the right edge is drawn to the left of its tick.
      const right = x + 2 + text.length * 6 > width;
      svg.append(s("line", { class: "tl-grid", x1: x, x2: x, y1: RULER_H - 4, y2: height }), s("text", { class: "tl-tick", x: right ? x - 2 : x + 2, y: 12, "text-anchor": right ? "end" : "start" }, text));
    }
    let y = RULER_H;
    for (const tl of this.tls) {
      const g = s("g", { class: "tl-group", "data-run": tl.key });
      g.append(s("rect", { class: "tl-header", x: 0, y, width, height: HEADER_H }), s("text", { class: "tl-group-label", x: 4, y: y + 13 }, tl.label));
      y += HEADER_H;
      const label = (text: string, track: string) => g.append(s("text", { class: "tl-label", x: 10, y: y + 12, "data-track": track }, text));
      label("steps", "steps");
      // Steps narrower than a pixel are merged with their neighbours into one slice (data-step..data-last).
      const shown = tl.steps.filter((st) => inView(st.start, st.end));
      for (let i = 0; i < shown.length;) {
        const first = shown[i];
        const x0 = Math.max(LABEL_W, xOf(first.start));
        let j = i;
        while (j + 1 < shown.length && xOf(shown[j + 1].end) - x0 < 1) j++;
        const last = shown[j];
        const w = Math.max(1, Math.min(xOf(last.end), width) - x0);
        const info = j === i ? `step ${first.index}: ${first.op}` : `steps ${first.index}–${last.index}: ${shown.slice(i, j + 1).map((st) => st.op).join(", ")}`;
        const slice = s("g", { class: "tl-step", "data-step": first.index, "data-last": last.index, "data-op": j === i ? first.op : undefined },
          s("rect", { x: x0, y: y + 1, width: w, height: TRACK_H - 2, fill: first.index % 2 === 0 ? "#c7d2fe" : "#a5b4fc" }, s("title", {}, info)),
          w > 40 ? s("text", { class: "tl-slice-text", x: x0 + 3, y: y + 12 }, first.op.slice(0, Math.floor(w / 7))) : undefined);
        this.clickable(slice, info, first.index);
        g.append(slice);
        i = j + 1;
      }
      y += TRACK_H;
      label("events", "events");
      // Events of one type within one pixel are one mark (a long run has thousands): it shows the first and counts the rest.
      const drawn = new Map<string, SVGRectElement>();
      for (const ev of tl.events) {
        if (!inView(ev.x)) continue;
        const px = Math.round(xOf(ev.x));
        const bin = `${px}:${ev.event.type}`;
        const same = drawn.get(bin);
        if (same !== undefined) {
          same.dataset.count = String(Number(same.dataset.count) + 1);
          continue;
        }
        const info = `step ${ev.step}: ${ev.event.type} ${eventFields(ev.event).map((f) => `${f.key}=${f.text}`).join(" ")}`;
        const mark = s("rect", { class: "tl-event", x: px - 1.5, y: y + 2, width: 3, height: TRACK_H - 4, fill: eventColor(ev.event.type), "data-kind": ev.event.type, "data-step": ev.step, "data-count": 1 });
        drawn.set(bin, mark);
        this.clickable(mark, () => `${info}${Number(mark.dataset.count) > 1 ? ` (+${Number(mark.dataset.count) - 1} more ${ev.event.type} here; zoom in)` : ""}`, ev.step);
        g.append(mark);
      }
      y += TRACK_H;
      label("hazards", "hazards");
      for (const hz of tl.hazards) {
        if (!inView(hz.x)) continue;
        const x = xOf(hz.x);
        const info = `step ${hz.step}: ${hz.class} ${hz.outcome} on ${hz.device}, pfn ${hz.pfn}: ${hz.detail}`;
        const mark = s("path", { class: "tl-hazard", d: `M${x} ${y + 1}L${x + 6} ${y + 8}L${x} ${y + 15}L${x - 6} ${y + 8}Z`, fill: OUTCOME_COLORS[hz.outcome], "data-class": hz.class, "data-outcome": hz.outcome, "data-step": hz.step, "data-run": tl.key }, s("title", {}, info));
        this.clickable(mark, info, hz.step);
        g.append(mark);
      }
      y += TRACK_H + 4;
      svg.append(g);
    }
    replace(this.area, svg);
    this.drawnWidth = width;
    this.placeCursor();
  }

  private clickable(el: SVGElement, info: string | (() => string), step: number): void {
    const text = typeof info === "string" ? () => info : info;
    el.addEventListener("pointerenter", () => { this.details.textContent = text(); });
    el.addEventListener("click", () => {
      this.details.textContent = text();
      this.details.dataset.step = String(step);
      if (step >= 0) this.targets.go(step + 1);
    });
  }

  private zoomBy(factor: number, at?: number): void {
    const v = this.view ?? { from: this.extent.min, to: this.extent.max };
    this.view = zoomViewport(v, factor, at ?? (v.from + v.to) / 2, this.extent.min, this.extent.max);
    this.render();
  }

  private wheel(e: WheelEvent): void {
    e.preventDefault();
    const v = this.view ?? { from: this.extent.min, to: this.extent.max };
    const plotW = this.width - LABEL_W - 8;
    const px = e.clientX - this.area.getBoundingClientRect().left - LABEL_W;
    const at = v.from + (Math.min(Math.max(px, 0), plotW) / plotW) * (v.to - v.from);
    this.zoomBy(e.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP, at);
  }

  private dragged(e: PointerEvent): void {
    if (this.drag === undefined || (e.buttons & 1) === 0) return;
    const v = this.drag.view;
    const dx = ((this.drag.x - e.clientX) / (this.width - LABEL_W - 8)) * (v.to - v.from);
    this.view = panViewport(v, dx, this.extent.min, this.extent.max);
    this.render();
  }
}
