/**
 * The page-frame grid of one column: a canvas drawing the shown frames zone by zone, only the
 * rows in view (a large machine scrolls), with hover details, click and keyboard selection. A
 * large folio (a 2 MiB THP or hugetlb folio) is drawn as one labelled block over its frames'
 * cells, and is one stop for the mouse and the arrow keys (`model/folio-blocks.ts`).
 */
import { formatSize } from "@pinlab/core";
import type { MachineAt } from "../model/machine-at.js";
import { blockAt, describeBlock, folioBlocks, type FolioBlocks } from "../model/folio-blocks.js";
import { folioOf, pageMapcount } from "../model/folio.js";
import { describeFrame, FRAME_WIDTH, F } from "../model/frame-state.js";
import { BAND, cellAt, cellRect, layoutGrid, runShape, type GridLayout } from "../model/grid-layout.js";
import { ARROW_KEYS, moveSelection } from "../model/grid-moves.js";
import { classOf, drawCell, sizeCanvas } from "./canvas.js";
import { h } from "./dom.js";
import { drawBlock, markDiffers, strokeSelection } from "./folio-block.js";

/** Tallest the grid gets before it scrolls, in CSS pixels. */
const MAX_HEIGHT = 300;

/** Most blocks named in the grid's accessible label. */
const MAX_NAMED_BLOCKS = 4;

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
  private blocks: FolioBlocks | undefined;
  private selected: number | undefined;
  private differs: Uint8Array | undefined;
  private width = 0;
  private observedWidth = 0;

  /** Make an empty grid for the column named `name` (`policy @ era`). */
  constructor(private readonly name: string, private readonly events: FrameGridEvents) {
    this.canvas = h("canvas", {
      class: "grid-canvas",
      attrs: { tabindex: 0, role: "img", "aria-label": this.baseLabel() },
      on: {
        click: (e) => this.pick(e),
        mousemove: (e) => this.hover(e),
        mouseleave: () => this.hideTip(),
        keydown: (e) => this.key(e),
      },
    });
    this.spacer = h("div", { class: "grid-spacer" });
    this.tip = h("div", { class: "tooltip", attrs: { role: "tooltip", hidden: true } });
    this.element = h("div", { class: "grid-scroll", attrs: { "data-column": name }, on: { scroll: () => this.draw() } }, this.canvas, this.spacer, this.tip);
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
    this.blocks = folioBlocks(machine);
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
    this.canvas.dataset.blocks = this.blocks.list.map((b) => `${b.head}+${b.count}`).join(" ");
    const label = this.label(this.blocks);
    if (this.canvas.getAttribute("aria-label") !== label) this.canvas.setAttribute("aria-label", label);
    this.draw();
  }

  private baseLabel(): string {
    return `page frames under ${this.name}; arrow keys move the selected frame`;
  }

  /** The accessible label: what the grid is, and the large folios it draws as blocks. */
  private label(blocks: FolioBlocks): string {
    const n = blocks.list.length;
    if (n === 0) return this.baseLabel();
    const named = blocks.list.slice(0, MAX_NAMED_BLOCKS).map(describeBlock);
    if (n > MAX_NAMED_BLOCKS) named.push(`and ${n - MAX_NAMED_BLOCKS} more`);
    return `${this.baseLabel()}; ${n === 1 ? "one large folio drawn as a block" : `${n} large folios drawn as blocks`}: ${named.join("; ")}`;
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
    const blocks = this.blocks;
    if (m === undefined || L === undefined || blocks === undefined) return;
    const gap = L.cell >= 6 ? 1 : 0;
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
          if (blocks.at[i] >= 0) continue;
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
      for (const blk of blocks.list) {
        if (blk.start < b.zone.offset || blk.start >= b.zone.offset + b.zone.shown) continue;
        const shape = runShape(L, blk.start, blk.count, gap);
        if (shape === undefined) continue;
        const r0 = shape.rects[0];
        const r1 = shape.rects[shape.rects.length - 1];
        if (r1.y + r1.h < top || r0.y > top + viewH) continue;
        drawBlock(ctx, shape, blk.cls, blk.label, L.cell);
        if (this.differs?.subarray(blk.start, blk.start + blk.count).includes(1) === true) markDiffers(ctx, shape, L.cell, gap);
      }
    }
    if (this.selected !== undefined) {
      const i = m.region.indexOf(this.selected);
      const blk = blockAt(blocks, i);
      const shape = blk === undefined ? undefined : runShape(L, blk.start, blk.count, gap);
      if (shape !== undefined) strokeSelection(ctx, shape);
      const rect = blk !== undefined && blk.start === i ? undefined : cellRect(L, i);
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

  /** A click selects the frame under it, or the head of the block under it. */
  private pick(e: MouseEvent): void {
    const i = this.indexAt(e);
    if (i < 0 || this.machine === undefined || this.blocks === undefined) return;
    this.events.select(this.machine.region.pfnAt(blockAt(this.blocks, i)?.start ?? i));
  }

  private hover(e: MouseEvent): void {
    const m = this.machine;
    const i = this.indexAt(e);
    if (m === undefined || i < 0) return this.hideTip();
    const pfn = m.region.pfnAt(i);
    const row = m.rows.subarray(i * FRAME_WIDTH, (i + 1) * FRAME_WIDTH);
    const holders = m.holders.get(pfn) ?? [];
    const blk = this.blocks === undefined ? undefined : blockAt(this.blocks, i);
    const folio = folioOf(m, pfn, row);
    this.tip.textContent = blk !== undefined
      ? `${describeBlock(blk)} · refcount ${folio.headRow[F.refcount]} · entire mapcount ${folio.headRow[F.entireMapcount]}`
      : `frame ${pfn}: ${describeFrame(classOf(row, holders.length > 0))} · refcount ${folio.headRow[F.refcount]} · mapcount ${pageMapcount(folio, row)}${holders.length > 0 ? ` · held by ${holders.join(", ")}` : ""}`;
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
    const dir = Object.hasOwn(ARROW_KEYS, e.key) ? ARROW_KEYS[e.key] : undefined;
    const blocks = this.blocks;
    if (dir === undefined || blocks === undefined) return;
    e.preventDefault();
    e.stopPropagation();
    const cur = this.selected === undefined ? -1 : m.region.indexOf(this.selected);
    const next = moveSelection(cur, dir, L.cols, m.region.size, (i) => blockAt(blocks, i));
    if (next >= 0) this.events.select(m.region.pfnAt(next));
  }
}
