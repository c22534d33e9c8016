/**
 * The state a `dump` step or `pinlab run --state STEP` shows, as text: per process one row per
 * run of pages (address, pages, frame, refcount, mapcount, pincount, maybe-DMA-pinned, order,
 * zone, flags), then per holder (device or gup handle) one row per frame it holds.
 * @module
 */
import type { StateSnapshot } from "@pinlab/core";
import { table, type Style } from "./style.js";

/** Render `state` (shown after step `index`, op `op`), indented under a run's result line. */
export function renderState(state: StateSnapshot, index: number, op: string, s: Style): string[] {
  const pad = (text: string, n: number) => text.split("\n").map((l) => `${" ".repeat(n)}${l}`);
  const lines = [`      ${s.bold(`state after step ${index} (${op})`)}`];
  for (const p of state.processes) {
    lines.push(`        ${p.proc} ${s.dim(`(pid ${p.pid})`)}${p.pages.length === 0 ? s.dim(": no pages mapped") : ""}`);
    if (p.pages.length === 0) continue;
    const rows = [["addr", "pages", "pfn", "refcount", "mapcount", "pincount", "maybe_dma_pinned", "order", "zone", "flags"].map((h) => s.dim(h))];
    for (const r of p.pages) {
      rows.push([r.addr, String(r.pages), r.pfn < 0 ? "-" : r.pages > 1 ? `${r.pfn}-${r.pfn + r.pages - 1}` : String(r.pfn), String(r.refcount), String(r.mapcount),
        String(r.pincount), r.maybe_dma_pinned ? "yes" : "no", String(r.order), r.zone, r.flags.join(" ")]);
    }
    lines.push(...pad(table(rows), 10));
  }
  for (const h of state.holders) {
    const n = h.frames.reduce((sum, f) => sum + f.pages, 0);
    lines.push(`        ${h.holder} ${s.dim(`holds ${n} frame${n === 1 ? "" : "s"}`)}`);
    if (h.frames.length === 0) continue;
    const rows = [["pfn", "pages", "pid", "addr", "write", "longterm", "refs"].map((x) => s.dim(x))];
    for (const f of h.frames) {
      rows.push([f.pages > 1 ? `${f.pfn}-${f.pfn + f.pages - 1}` : String(f.pfn), String(f.pages), String(f.pid), f.addr, f.write ? "yes" : "no", f.longterm ? "yes" : "no", String(f.refs)]);
    }
    lines.push(...pad(table(rows), 10));
  }
  if (state.processes.length === 0 && state.holders.length === 0) lines.push(`        ${s.dim("nothing to show")}`);
  return lines;
}
