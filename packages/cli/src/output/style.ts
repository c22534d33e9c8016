/**
 * Terminal styling: colour only on a TTY (and never when NO_COLOR is set).
 * @module
 */
import pc from "picocolors";

/** Colour helpers that become identity functions off a terminal. */
export interface Style {
  /** Green. */
  ok(s: string): string;
  /** Red. */
  bad(s: string): string;
  /** Yellow. */
  warn(s: string): string;
  /** Dim. */
  dim(s: string): string;
  /** Bold. */
  bold(s: string): string;
}

/** A style for a stream that is (or is not) a terminal. */
export function style(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): Style {
  const on = isTTY && env.NO_COLOR === undefined && env.TERM !== "dumb";
  const c = pc.createColors(on);
  return { ok: c.green, bad: c.red, warn: c.yellow, dim: c.dim, bold: c.bold };
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** Length of a string as shown on a terminal (colour codes take no room). */
export function visibleLength(s: string): number {
  return s.replace(ANSI, "").length;
}

/** Pad a table to aligned columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + " ".repeat(widths[i] - visibleLength(cell)))).join("  ")).join("\n");
}
