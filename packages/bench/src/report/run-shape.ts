/**
 * What a run's sweeps and seeds add to a report's heading and legend (nothing for an unswept run
 * with one seed, so its reports read as they always did).
 * @module
 */
import type { BenchContext } from "../runner/results.js";
import { sweepName, sweepValueText } from "../runner/sweep.js";

/** `, 3 seeds per cell, sweeps pin-bias.bias=256,1024,4096`, or empty. */
export function runShape(ctx: Pick<BenchContext, "sweeps" | "seeds">): string {
  const seeds = (ctx.seeds ?? 1) > 1 ? `, ${ctx.seeds} seeds per cell` : "";
  const sweeps = ctx.sweeps !== undefined && ctx.sweeps.length > 0 ? `, sweep${ctx.sweeps.length > 1 ? "s" : ""} ${ctx.sweeps.map((s) => `${sweepName(s)}=${s.values.map(sweepValueText).join(",")}`).join(" ")}` : "";
  return `${seeds}${sweeps}`;
}

/** `with 3 seeds, each figure is the median over the cell's seeds, [min–max] their range when they differ`, or empty. */
export function seedsLegend(ctx: Pick<BenchContext, "seeds">): string {
  return (ctx.seeds ?? 1) > 1 ? `with ${ctx.seeds} seeds, each figure is the median over the cell's seeds, [min–max] their range when they differ` : "";
}
