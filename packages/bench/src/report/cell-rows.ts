/**
 * One row per cell with the columns every tabular report shares (terminal, markdown).
 * @module
 */
import type { CellResult } from "../runner/cell.js";
import { cellLabel, fmtBytes, fmtCounts, fmtHazards, fmtNs, fmtRate } from "./format.js";

/** Column headers of {@link cellRow}. */
export const CELL_COLUMNS = ["workload", "device", "policy", "hazards (P/D/U)", "refused", "FP", "FN", "acct", "sim ns/pg", "pin ns/pg", "±", "release ns/pg"] as const;

/** Indices of numeric columns (aligned right). */
export const NUMERIC_COLUMNS = new Set([5, 6, 7, 8, 9, 10, 11]);

/** The row of a cell. */
export function cellRow(c: CellResult): string[] {
  const m = c.metrics;
  if (c.error !== undefined) return [cellLabel(c), c.device, c.policy, `ERROR: ${c.error}`, "", "", "", "", "", "", "", ""];
  const main = c.series.find((s) => s.id === "main");
  return [
    cellLabel(c), c.device, c.policy, fmtHazards(m.hazards) || "-", fmtCounts(m.refused) || "-", fmtRate(m.falsePositiveRate), fmtRate(m.falseNegativeRate),
    fmtBytes(m.accountingBytes), fmtNs(m.simNsPerPage), fmtNs(m.wallNsPerPage.pin), main?.pin !== null && main?.pin !== undefined ? `${main.pin.rme.toFixed(0)}%` : "-",
    fmtNs(m.wallNsPerPage.release),
  ];
}
