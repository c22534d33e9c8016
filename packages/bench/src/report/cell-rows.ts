/**
 * One row per cell with the columns every tabular report shares (terminal, markdown). A swept run
 * adds a `sweep` column after the policy and its kernel era; a run with several seeds shows each figure as the median
 * over seeds with its range, `12.3 [11.9–13.0]`.
 * @module
 */
import type { CellResult } from "../runner/cell.js";
import { sweepLabel } from "../runner/sweep-coordinates.js";
import { cellLabel, fmtBytes, fmtKernel, fmtNs, fmtRate } from "./format.js";
import { fmtHazardsSpread, fmtRefusedSpread, withSpread } from "./spread-format.js";

/** Column headers of {@link cellRow}. */
export const CELL_COLUMNS = ["workload", "device", "policy", "kernel", "hazards (P/D/U)", "refused", "FP", "FN", "acct", "sim ns/pg", "pin ns/pg", "±", "release ns/pg"] as const;

/** Indices of numeric columns (aligned right). */
export const NUMERIC_COLUMNS = new Set([6, 7, 8, 9, 10, 11, 12]);

/** Options of the cell table. */
export interface CellTableOptions {
  /** Add the `sweep` column (the run has sweeps). */
  readonly sweep?: boolean;
}

/** Column headers of the cell table: {@link CELL_COLUMNS}, with `sweep` after `kernel` in a swept run. */
export function cellColumns(opts: CellTableOptions = {}): string[] {
  return opts.sweep === true ? [...CELL_COLUMNS.slice(0, 4), "sweep", ...CELL_COLUMNS.slice(4)] : [...CELL_COLUMNS];
}

/** Numeric columns of the cell table. */
export function numericColumns(opts: CellTableOptions = {}): Set<number> {
  return opts.sweep === true ? new Set([...NUMERIC_COLUMNS].map((i) => i + 1)) : NUMERIC_COLUMNS;
}

/** The row of a cell (see {@link cellColumns}). */
export function cellRow(c: CellResult, opts: CellTableOptions = {}): string[] {
  const m = c.metrics;
  const head = [cellLabel(c), c.device, c.policy, fmtKernel(c), ...(opts.sweep === true ? [sweepLabel(c.workload, c.policy, c.sweep) || "-"] : [])];
  if (c.error !== undefined) return [...head, `ERROR: ${c.error}`, "", "", "", "", "", "", "", ""];
  const main = c.series.find((s) => s.id === "main");
  return [
    ...head, fmtHazardsSpread(c) || "-", fmtRefusedSpread(c) || "-",
    withSpread(c, "falsePositiveRate", fmtRate(m.falsePositiveRate), fmtRate), withSpread(c, "falseNegativeRate", fmtRate(m.falseNegativeRate), fmtRate),
    withSpread(c, "accountingBytes", fmtBytes(m.accountingBytes), fmtBytes), withSpread(c, "simNsPerPage", fmtNs(m.simNsPerPage), fmtNs),
    withSpread(c, "wallNsPerPage.pin", fmtNs(m.wallNsPerPage.pin), fmtNs), main?.pin !== null && main?.pin !== undefined ? `${main.pin.rme.toFixed(0)}%` : "-",
    withSpread(c, "wallNsPerPage.release", fmtNs(m.wallNsPerPage.release), fmtNs),
  ];
}
