/** The legend of the grid and lane colours and markers. */
import { KIND_COLORS, LEGEND } from "../model/frame-state.js";
import { classOf, drawCell, sizeCanvas } from "./canvas.js";
import { h } from "./dom.js";
import type { FrameKind } from "../model/frame-state.js";

/** Make the legend. */
export function legend(): HTMLElement {
  const items = LEGEND.map((l) => {
    const swatch = h("canvas", { class: "swatch", attrs: { "aria-hidden": "true" } });
    const ctx = sizeCanvas(swatch, 16, 16);
    const base = l.marker ? "free" : (l.id as FrameKind);
    const c = classOf(undefined, false);
    drawCell(ctx, { ...c, kind: base, pinned: l.id === "pinned", held: l.id === "held", dirty: l.id === "dirty", writeback: l.id === "writeback" }, 0, 0, 16);
    return h("li", { title: l.title }, swatch, l.label);
  });
  const diff = h("canvas", { class: "swatch", attrs: { "aria-hidden": "true" } });
  const ctx = sizeCanvas(diff, 16, 16);
  drawCell(ctx, classOf(undefined, false), 0, 0, 16);
  ctx.fillStyle = "#dc2626";
  ctx.beginPath();
  ctx.moveTo(0, 15);
  ctx.lineTo(0, 9);
  ctx.lineTo(6, 15);
  ctx.closePath();
  ctx.fill();
  items.push(h("li", { title: "this frame looks different in another column" }, diff, "differs between columns"));
  const block = h("canvas", { class: "swatch", attrs: { "aria-hidden": "true" } });
  const bctx = sizeCanvas(block, 16, 16);
  bctx.fillStyle = KIND_COLORS.anon;
  bctx.fillRect(0, 0, 16, 16);
  bctx.strokeStyle = "rgba(17, 24, 39, 0.45)";
  bctx.strokeRect(0.5, 0.5, 15, 15);
  items.push(h("li", { title: "a 2 MiB folio (THP, hugetlb, the huge zero page) is one block over its 512 frames, labelled with how it is mapped; a click or an arrow key selects its head" }, block, "2 MiB folio: one block"));
  return h("ul", { class: "legend", attrs: { "aria-label": "legend" } }, ...items);
}
