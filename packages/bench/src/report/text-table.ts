/**
 * Plain-text tables: columns padded to their widest cell.
 * @module
 */

/** Render rows as a padded table; `rightAlign` lists the columns aligned right (numbers). */
export function textTable(rows: readonly (readonly string[])[], rightAlign: ReadonlySet<number> = new Set()): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => r.map((cell, i) => (rightAlign.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd()).join("\n");
}
