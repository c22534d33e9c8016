/**
 * Figures with their spread over seeds, for the tables: `12.3 [11.9–13.0]` is the median over the
 * cell's seeds with their min and max; a figure every seed agreed on prints alone.
 * @module
 */
import type { HazardTally } from "../probe/sample-probe.js";
import type { CellResult } from "../runner/cell.js";
import type { Spread } from "../runner/spread.js";
import { OUTCOME_MARK } from "./format.js";

/** ` [min–max]` of a spread whose min and max differ, formatted with `fmt`; empty otherwise. */
export function spreadRange(spread: Spread | undefined, fmt: (v: number) => string): string {
  return spread === undefined || spread.min === spread.max ? "" : ` [${fmt(spread.min)}–${fmt(spread.max)}]`;
}

/** `text` (the median, formatted) followed by the range of the cell's spread of `path`, when it has one. */
export function withSpread(c: CellResult, path: string, text: string, fmt: (v: number) => string): string {
  return text === "-" ? text : `${text}${spreadRange(c.spread?.[path], fmt)}`;
}

const plain = (v: number) => String(v);

/** `cow_divergence U8 [6–9], dma_after_clean D4`: hazards with the range of each count; an outcome shows when its median or max is above 0. */
export function fmtHazardsSpread(c: CellResult, h: HazardTally = c.metrics.hazards): string {
  const parts: string[] = [];
  for (const [cls, o] of Object.entries(h)) {
    if (o === undefined) continue;
    for (const outcome of ["undetected", "detected", "prevented"] as const) {
      const s = c.spread?.[`hazards.${cls}.${outcome}`];
      if (o[outcome] > 0 || (s !== undefined && s.max > 0)) parts.push(`${cls} ${OUTCOME_MARK[outcome]}${o[outcome]}${spreadRange(s, plain)}`);
    }
  }
  return parts.join(", ");
}

/** `EPERM 1 [0–2]`: refusals with the range of each count; an errno shows when its median or max is above 0. */
export function fmtRefusedSpread(c: CellResult): string {
  return Object.entries(c.metrics.refused).filter(([e, n]) => n > 0 || (c.spread?.[`refused.${e}`]?.max ?? 0) > 0)
    .map(([e, n]) => `${e} ${n}${spreadRange(c.spread?.[`refused.${e}`], plain)}`).join(", ");
}
