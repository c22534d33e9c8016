/**
 * The page-frame grid of one column: a canvas drawing the shown frames zone by zone, only the
 * rows in view (a large machine scrolls), with hover details, click and keyboard selection.
 */
import { formatSize } from "@pinlab/core";
import type { MachineAt } from "../model/machine-at.js";
import { describeFrame, FRAME_WIDTH, F } from "../model/frame-state.js";
import { BAND, cellAt, cellRect, layoutGrid, type GridLayout } from "../model/grid-layout.js";
import { classOf, drawCell, sizeCanvas } from "./canvas.js";
import { h } from "./dom.js";

/** Tallest the grid gets before it scrolls, in CSS pixels. */
const MAX_HEIGHT = 300;

/** What the grid calls back. */
export interface FrameGridEvents {
  /** A frame was selected (click, Enter, or arrow keys). */
  select(pfn: number): void;
}

/** The grid of one column. */
export class FrameGrid {
  /** The element to place. */
  readonly element: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly spacer: HTMLDivElement;
  private readonly tip: HTMLDivElement;
  private layout: GridLayout | undefined;
  private machine: MachineAt | undefined;
  private selected: number | undefined;
  private differs: Uint8Array | undefined;
  private width = 0;
  private observedWidth = 0;

  /** Make an empty grid for the column of `policy`. */
  constructor(private readonly policy: string, private readonly events: FrameGridEvents) {
    this.canvas = h("canvas", {
      class: "grid-canvas",
      attrs: { tabindex: 0, role: "img", "aria-label": `page frames under ${policy}; arrow keys move the selected frame` },
      on: {
        click: (e) => this.pick(e),
        mousemove: (e) => this.hover(e),
        mouseleave: () => this.hideTip(),
        keydown: (e) => this.key(e),
      },
    });
    this.spacer = h("div", { class: "grid-spacer" });
    this.tip = h("div", { class: "tooltip", attrs: { role: "tooltip", hidden: true } });
    this.element = h("div", { class: "grid-scroll", attrs: { "data-policy": policy }, on: { scroll: () => this.draw() } }, this.canvas, this.spacer, this.tip);
    // Widths come from a ResizeObserver: reading clientWidth while rendering would force a layout per column per step.
    new ResizeObserver((entries) => {
      const w = Math.floor(entries[entries.length - 1].contentRect.width);
      if (w > 0 && w !== this.observedWidth) {
        this.observedWidth = w;
        if (this.machine !== undefined) this.update(this.machine, this.selected, this.differs);
      }
    }).observe(this.element);
  }

  /** Show `machine`, with `selected` outlined and cells marked where `differs[i]` is 1. */
  update(machine: MachineAt, selected: number | undefined, differs: Uint8Array | undefined): void {
    this.machine = machine;
    this.selected = selected;
    this.differs = differs;
    const width = Math.max(120, this.observedWidth || 300);
    if (this.layout === undefined || width !== this.width || this.layout.bands[0]?.zone !== machine.region.zones[0] || this.regionChanged(machine)) {
      this.width = width;
      this.layout = layoutGrid(machine.region, width - 2, MAX_HEIGHT);
      this.spacer.style.height = `${this.layout.height}px`;
      this.element.style.height = `${Math.min(this.layout.height, MAX_HEIGHT) + 2}px`;
    }
    this.canvas.dataset.cell = String(this.layout.cell);
    this.canvas.dataset.cols = String(this.layout.cols);
    this.draw();
  }

  /** The CSS-pixel centre of the cell of `pfn` relative to the canvas, if shown (tests use it). */
  cellCentre(pfn: number): { x: number; y: number } | undefined {
    if (this.layout === undefined || this.machine === undefined) return undefined;
    const r = cellRect(this.layout, this.machine.region.indexOf(pfn));
    return r === undefined ? undefined : { x: r.x + this.layout.cell / 2, y: r.y + this.layout.cell / 2 };
  }

  private regionChanged(m: MachineAt): boolean {
    const bands = this.layout?.bands ?? [];
    return bands.length !== m.region.zones.length || bands.some((b, i) => b.zone !== m.region.zones[i]);
  }

  private draw(): void {
    const m = this.machine;
    const L = this.layout;
    if (m === undefined || L === undefined) return;
    const viewH = Math.min(L.height, MAX_HEIGHT);
    const top = this.element.scrollTop;
    this.canvas.style.top = `${top}px`;
    const ctx = sizeCanvas(this.canvas, this.width - 2, viewH);
    ctx.clearRect(0, 0, this.width, viewH);
    ctx.save();
    ctx.translate(0, -top);
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    for (const b of L.bands) {
      if (b.top + BAND >= top && b.top <= top + viewH) {
        ctx.fillStyle = "#1f2937";
        const z = b.zone;
        const label = `${z.name} · ${formatSize(z.total * 4096)} · ${z.shown === 0 ? "unused" : z.shown === z.total ? `${z.total} frames` : `frames ${z.start}–${z.start + z.shown - 1} shown of ${z.total}`}`;
        ctx.fillText(label, 2, b.top + BAND / 2);
      }
      const first = Math.max(0, Math.floor((top - b.cellsTop) / L.cell));
      const last = Math.min(b.rows, Math.ceil((top + viewH - b.cellsTop) / L.cell));
      for (let r = first; r < last; r++) {
        for (let c = 0; c < L.cols; c++) {
          const k = r * L.cols + c;
          if (k >= b.zone.shown) break;
          const i = b.zone.offset + k;
          const pfn = b.zone.start + k;
          const row = m.rows.subarray(i * FRAME_WIDTH, (i + 1) * FRAME_WIDTH);
          const x = c * L.cell;
          const y = b.cellsTop + r * L.cell;
          drawCell(ctx, classOf(row, m.holders.has(pfn)), x, y, L.cell);
          if (this.differs?.[i] === 1) {
            ctx.fillStyle = "#dc2626";
            const t = Math.max(3, Math.floor(L.cell / 3));
            ctx.beginPath();
            ctx.moveTo(x, y + L.cell - 1);
            ctx.lineTo(x, y + L.cell - 1 - t);
            ctx.lineTo(x + t, y + L.cell - 1);
            ctx.closePath();
            ctx.fill();
          }
        }
      }
    }
    if (this.selected !== undefined) {
      const rect = cellRect(L, m.region.indexOf(this.selected));
      if (rect !== undefined) {
        ctx.strokeStyle = "#111827";
        ctx.lineWidth = 2;
        ctx.strokeRect(rect.x - 1.5, rect.y - 1.5, L.cell + 2, L.cell + 2);
        ctx.strokeStyle = "#facc15";
        ctx.lineWidth = 1;
        ctx.strokeRect(rect.x - 3, rect.y - 3, L.cell + 5, L.cell + 5);
      }
    }
    ctx.restore();
  }

  private indexAt(e: MouseEvent): number {
    if (this.layout === undefined) return -1;
    const r = this.canvas.getBoundingClientRect();
    return cellAt(this.layout, e.clientX - r.left, e.clientY - r.top + this.element.scrollTop);
  }

  private pick(e: MouseEvent): void {
    const i = this.indexAt(e);
    if (i >= 0 && this.machine !== undefined) this.events.select(this.machine.region.pfnAt(i));
  }

  private hover(e: MouseEvent): void {
    const m = this.machine;
    const i = this.indexAt(e);
    if (m === undefined || i < 0) return this.hideTip();
    const pfn = m.region.pfnAt(i);
    const row = m.rows.subarray(i * FRAME_WIDTH, (i + 1) * FRAME_WIDTH);
    const holders = m.holders.get(pfn) ?? [];
    this.tip.textContent = `frame ${pfn}: ${describeFrame(classOf(row, holders.length > 0))} · refcount ${row[F.refcount]} · mapcount ${row[F.mapcount]}${holders.length > 0 ? ` · held by ${holders.join(", ")}` : ""}`;
    const box = this.element.getBoundingClientRect();
    this.tip.style.left = `${Math.min(e.clientX - box.left + 12, box.width - 200)}px`;
    this.tip.style.top = `${e.clientY - box.top + this.element.scrollTop + 14}px`;
    this.tip.hidden = false;
  }

  private hideTip(): void {
    this.tip.hidden = true;
  }

  private key(e: KeyboardEvent): void {
    const m = this.machine;
    const L = this.layout;
    if (m === undefined || L === undefined || m.region.size === 0) return;
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -L.cols, ArrowDown: L.cols };
    const d = moves[e.key];
    if (d === undefined) return;
    e.preventDefault();
    e.stopPropagation();
    const cur = this.selected === undefined ? -1 : m.region.indexOf(this.selected);
    const next = Math.max(0, Math.min(m.region.size - 1, cur < 0 ? 0 : cur + d));
    this.events.select(m.region.pfnAt(next));
  }
}
