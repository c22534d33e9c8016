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

/**
 * Which kernel eras the cells ran at: `each policy at its own era (legacy-get: v5.3,
 * pin-bias/vaddr-pin/exact-pincount: v6.12)` without a kernel axis, `v5.3, v6.12 (every policy
 * at each)` with one; empty for results written before the bench had eras.
 */
export function kernelsText(ctx: Pick<BenchContext, "kernelAxis" | "policyKernels" | "kernels">): string {
  if (ctx.kernelAxis === undefined || ctx.policyKernels === undefined) return "";
  if (ctx.kernelAxis !== null) return `${ctx.kernelAxis.join(", ")} (every policy at ${ctx.kernelAxis.length > 1 ? "each" : "it"})`;
  const byEra = new Map<string, string[]>();
  for (const [policy, era] of Object.entries(ctx.policyKernels)) byEra.set(era, [...(byEra.get(era) ?? []), policy]);
  return `each policy at its own era (${[...byEra].map(([era, policies]) => `${policies.join("/")}: ${era}`).join(", ")})`;
}

/** `with 3 seeds, each figure is the median over the cell's seeds, [min–max] their range when they differ`, or empty. */
export function seedsLegend(ctx: Pick<BenchContext, "seeds">): string {
  return (ctx.seeds ?? 1) > 1 ? `with ${ctx.seeds} seeds, each figure is the median over the cell's seeds, [min–max] their range when they differ` : "";
}
