/** Short, readable renderings of values for text output. */
import { quoteText } from "@pinlab/core";

/**
 * Render a value: addresses (large integers) in hex, maps inline, strings quoted as YAML
 * double-quoted strings with NULs and other control bytes escaped (`"\0\0ab"`, `quoteText`).
 */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "-";
  if (typeof v === "number") return Number.isInteger(v) && v >= 0x10000 ? `0x${v.toString(16)}` : String(v);
  if (typeof v === "string") return quoteText(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(", ")}]`;
  if (typeof v === "object") return `{ ${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${formatValue(x)}`).join(", ")} }`;
  return String(v);
}
