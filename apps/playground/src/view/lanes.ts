/**
 * The lanes of one column: a lane per process with its VMAs drawn in address order, each page a
 * slot showing the frame it maps (number and state), and a lane per device with the frames it
 * can DMA into. Hover shows the page; click selects the frame in the grid. Slots mapping the
 * selected frame are outlined, so sharing and copy-on-write divergence show at a glance. A page
 * swapped out (its PTE a swap entry) is a dashed slot marked "swap", with its swap slot on hover.
 */
import { isDeviceExclusiveEntry, PAGE_SIZE, PTE_HUGE, PTE_PRESENT } from "@pinlab/core";
import { mapsFrame, pteKey } from "../model/capture.js";
import { frameRow, type MachineAt } from "../model/machine-at.js";
import { KIND_COLORS } from "../model/frame-state.js";
import { classOf, drawCell, sizeCanvas } from "./canvas.js";
import { h, hex } from "./dom.js";

const LABEL_W = 86;
const LANE_H = 40;
const SLOT_H = 20;
const MAX_SLOT = 30;
const GAP = 10;
/** Most process lanes drawn (devices are always drawn); the rest are counted. */
export const MAX_PROCESS_LANES = 12;

interface Slot {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly pfn: number;
  readonly text: string;
}

/** What the lanes call back. */
export interface LanesEvents {
  /** A frame was selected. */
  select(pfn: number): void;
}

/** The lanes of one column. */
export class Lanes {
  /** The element to place. */
  readonly element: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tip: HTMLDivElement;
  private slots: Slot[] = [];
  private width = 0;
  private last: [MachineAt, number | undefined, ReadonlyMap<number, string>] | undefined;

  /** Empty lanes for the column named `name` (`policy @ era`). */
  constructor(name: string, private readonly events: LanesEvents) {
    this.canvas = h("canvas", {
      class: "lanes-canvas",
      attrs: { role: "img", "aria-label": `address spaces and devices under ${name}` },
      on: { click: (e) => this.pick(e), mousemove: (e) => this.hover(e), mouseleave: () => (this.tip.hidden = true) },
    });
    this.tip = h("div", { class: "tooltip", attrs: { role: "tooltip", hidden: true } });
    this.element = h("div", { class: "lanes", attrs: { "data-column": name } }, this.canvas, this.tip);
    new ResizeObserver((entries) => {
      const w = Math.floor(entries[entries.length - 1].contentRect.width);
      if (w > 0 && w !== this.width) {
        this.width = w;
        if (this.last !== undefined) this.update(...this.last);
      }
    }).observe(this.element);
  }

  /** Draw `m`; `names` maps a VMA start address to the scenario name bound to it. */
  update(m: MachineAt, selected: number | undefined, names: ReadonlyMap<number, string>): void {
    this.last = [m, selected, names];
    const width = Math.max(200, this.width || 300);
    const procs = m.views.procs.filter((p) => p.alive).slice(0, MAX_PROCESS_LANES);
    const hidden = m.views.procs.length - procs.length;
    const lanes = procs.length + m.views.devices.length;
    const height = Math.max(1, lanes) * LANE_H + (hidden > 0 ? 18 : 0) + 4;
    const ctx = sizeCanvas(this.canvas, width, height);
    ctx.clearRect(0, 0, width, height);
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    this.slots = [];
    const avail = width - LABEL_W - 4;
    let y = 2;
    if (lanes === 0) {
      ctx.fillStyle = "#4b5563";
      ctx.fillText("no process or device yet", 4, 14);
    }
    for (const p of procs) {
      this.label(ctx, p.name, `pid ${p.pid}`, y);
      const pages = p.vmas.reduce((n, v) => n + (v.end - v.start) / PAGE_SIZE, 0);
      const slotW = slotWidth(avail - GAP * Math.max(0, p.vmas.length - 1), pages);
      let x = LABEL_W;
      for (const v of p.vmas) {
        const n = (v.end - v.start) / PAGE_SIZE;
        const w = Math.max(24, n * slotW);
        const title = `${names.get(v.start) ?? hex(v.start)} ${v.prot} ${v.file ?? (v.flags.includes("shared") ? "shared anon" : "anon")}`;
        ctx.fillStyle = "#374151";
        ctx.fillText(clip(ctx, title, w), x, y + 7);
        this.pages(ctx, m, p.pid, v.start / PAGE_SIZE, n, x, y + 14, w, selected, names.get(v.start) ?? hex(v.start));
        x += w + GAP;
        if (x > LABEL_W + avail) break;
      }
      y += LANE_H;
    }
    if (hidden > 0) {
      ctx.fillStyle = "#4b5563";
      ctx.fillText(`${hidden} more process(es) not drawn (exited, or past the first ${MAX_PROCESS_LANES})`, 2, y + 8);
      y += 18;
    }
    for (const d of m.views.devices) {
      this.label(ctx, d.name, d.kind, y);
      const slotW = slotWidth(avail, d.frames.length);
      if (d.frames.length === 0) {
        ctx.fillStyle = "#6b7280";
        ctx.fillText("holds no frame", LABEL_W, y + 22);
      }
      d.frames.forEach((f, i) => {
        const x = LABEL_W + i * slotW;
        if (x + slotW > LABEL_W + avail + 1) return;
        if (i === 0 || f.label.split(":")[0] !== d.frames[i - 1].label.split(":")[0]) {
          ctx.fillStyle = "#374151";
          ctx.fillText(f.label.split(":")[0], x, y + 7);
        }
        this.slot(ctx, m, f.pfn, x, y + 14, slotW, selected, `${d.name} ${f.label} → frame ${f.pfn}`);
      });
      y += LANE_H;
    }
  }

  private label(ctx: CanvasRenderingContext2D, name: string, sub: string, y: number): void {
    ctx.fillStyle = "#111827";
    ctx.font = "600 12px system-ui, sans-serif";
    ctx.fillText(clip(ctx, name, LABEL_W - 6), 2, y + 12);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#4b5563";
    ctx.fillText(clip(ctx, sub, LABEL_W - 6), 2, y + 27);
  }

  private pages(ctx: CanvasRenderingContext2D, m: MachineAt, pid: number, vpn0: number, n: number, x: number, y: number, w: number, selected: number | undefined, name: string): void {
    const slotW = w / n;
    if (slotW >= 3) {
      for (let i = 0; i < n; i++) {
        const pte = m.ptes.get(pteKey(pid, vpn0 + i));
        const sx = x + i * slotW;
        const text = `${name}+${(i * PAGE_SIZE / 1024).toString()}KiB (${hex((vpn0 + i) * PAGE_SIZE)})`;
        if (pte === undefined) {
          ctx.strokeStyle = "#cbd5e1";
          ctx.lineWidth = 1;
          ctx.strokeRect(sx + 0.5, y + 0.5, Math.max(1, slotW - 2), SLOT_H - 1);
          this.slots.push({ x: sx, y, w: slotW, pfn: -1, text: `${text}: not present` });
        } else if (!mapsFrame(pte)) {
          this.swapSlot(ctx, sx, y, slotW, `${text}: swapped out (swap entry, slot ${pte[0]})`);
        } else {
          this.slot(ctx, m, pte[0], sx, y, slotW, selected, `${text} → ${entryText(pte)}`);
        }
      }
      return;
    }
    // Too many pages for a slot each: one bar, shaded by how much of each pixel's range is present.
    ctx.strokeStyle = "#cbd5e1";
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, SLOT_H - 1);
    const per = n / w;
    for (let px = 0; px < w; px++) {
      let present = 0;
      const from = Math.floor(px * per);
      const to = Math.max(from + 1, Math.floor((px + 1) * per));
      for (let i = from; i < to && i < n; i++) {
        const pte = m.ptes.get(pteKey(pid, vpn0 + i));
        if (pte !== undefined && mapsFrame(pte)) present++;
      }
      if (present === 0) continue;
      ctx.globalAlpha = 0.25 + 0.75 * (present / (to - from));
      ctx.fillStyle = KIND_COLORS.anon;
      ctx.fillRect(x + px, y + 1, 1, SLOT_H - 2);
    }
    ctx.globalAlpha = 1;
  }

  private slot(ctx: CanvasRenderingContext2D, m: MachineAt, pfn: number, x: number, y: number, w: number, selected: number | undefined, text: string): void {
    drawCell(ctx, classOf(frameRow(m, pfn), m.holders.has(pfn)), x, y, SLOT_H, w);
    if (w >= 18) {
      ctx.fillStyle = "#111827";
      ctx.font = "10px ui-monospace, monospace";
      const s = String(pfn);
      if (ctx.measureText(s).width < w - 4) ctx.fillText(s, x + 2, y + SLOT_H - 6);
      ctx.font = "11px system-ui, sans-serif";
    }
    if (pfn === selected) {
      ctx.strokeStyle = "#111827";
      ctx.lineWidth = 2;
      ctx.strokeRect(x - 1, y - 1, w + 1, SLOT_H + 1);
    }
    this.slots.push({ x, y, w, pfn, text });
  }

  /** A page whose PTE is a swap entry: no frame to select, a dashed outline and "swap" when it fits. */
  private swapSlot(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, text: string): void {
    ctx.save();
    ctx.setLineDash([3, 2]);
    ctx.strokeStyle = "#6b7280";
    ctx.lineWidth = 1;
    ctx.strokeRect(x + 0.5, y + 0.5, Math.max(1, w - 2), SLOT_H - 1);
    ctx.restore();
    if (w >= 28) {
      ctx.fillStyle = "#4b5563";
      ctx.font = "10px ui-monospace, monospace";
      ctx.fillText("swap", x + 2, y + SLOT_H - 6);
      ctx.font = "11px system-ui, sans-serif";
    }
    this.slots.push({ x, y, w, pfn: -1, text });
  }

  private at(e: MouseEvent): Slot | undefined {
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    return this.slots.find((s) => x >= s.x && x < s.x + s.w && y >= s.y && y < s.y + SLOT_H);
  }

  private pick(e: MouseEvent): void {
    const s = this.at(e);
    if (s !== undefined && s.pfn >= 0) this.events.select(s.pfn);
  }

  private hover(e: MouseEvent): void {
    const s = this.at(e);
    if (s === undefined) {
      this.tip.hidden = true;
      return;
    }
    this.tip.textContent = s.text;
    const box = this.element.getBoundingClientRect();
    this.tip.style.left = `${Math.min(e.clientX - box.left + 12, box.width - 220)}px`;
    this.tip.style.top = `${e.clientY - box.top + 16}px`;
    this.tip.hidden = false;
  }
}

/** What a PTE row reaching a frame says on hover: the frame, and how it is reached. */
function entryText(pte: ArrayLike<number>): string {
  if ((pte[1] & PTE_PRESENT) !== 0) return `frame ${pte[0]}${(pte[1] & PTE_HUGE) !== 0 ? " (PMD-mapped)" : ""}`;
  return isDeviceExclusiveEntry(pte[1]) ? `frame ${pte[0]} (device-exclusive entry: a CPU access restores it)` : `device frame ${pte[0]} (device-private entry: a CPU access migrates it back)`;
}

function slotWidth(avail: number, pages: number): number {
  if (pages <= 0) return MAX_SLOT;
  return Math.min(MAX_SLOT, avail / pages);
}

function clip(ctx: CanvasRenderingContext2D, s: string, w: number): string {
  if (ctx.measureText(s).width <= w) return s;
  let t = s;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > w) t = t.slice(0, -1);
  return `${t}…`;
}
