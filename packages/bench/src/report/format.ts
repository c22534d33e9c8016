/**
 * Number and label formatting shared by every report.
 * @module
 */
import type { HazardTally } from "../probe/sample-probe.js";
import type { CellSpec } from "../runner/cell.js";
import { eraInId } from "../runner/matrix.js";

/** `12.3`, `1,234`, or `-` for null. */
export function fmtNs(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "-";
  if (v >= 1000) return Math.round(v).toLocaleString("en-US");
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

/** A rate in percent, or `-`. */
export function fmtRate(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "-";
  return `${(v * 100).toFixed(v === 0 || v === 1 ? 0 : 1)}%`;
}

/** Bytes with a binary unit. */
export function fmtBytes(v: number): string {
  if (v === 0) return "0";
  const units = ["B", "KiB", "MiB", "GiB"];
  let x = v;
  let u = 0;
  while (x >= 1024 && u < units.length - 1) {
    x /= 1024;
    u++;
  }
  return `${x >= 100 || u === 0 ? x.toFixed(0) : x.toFixed(1)}${units[u]}`;
}

/** The one-letter mark of an outcome: P(revented), D(etected), U(ndetected). */
export const OUTCOME_MARK = { prevented: "P", detected: "D", undetected: "U" } as const;

/** `dma_after_clean U8, cow_divergence P4`. */
export function fmtHazards(h: HazardTally): string {
  const parts: string[] = [];
  for (const [cls, o] of Object.entries(h)) {
    if (o === undefined) continue;
    for (const outcome of ["undetected", "detected", "prevented"] as const) {
      if (o[outcome] > 0) parts.push(`${cls} ${OUTCOME_MARK[outcome]}${o[outcome]}`);
    }
  }
  return parts.join(", ");
}

/** `EFAULT 1, ETXTBSY 1`. */
export function fmtCounts(c: Readonly<Record<string, number>>): string {
  return Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ");
}

/** The label of a cell's workload and variant: `rdma-file-truncate[fsdax]`. */
export function cellLabel(c: { workload: string; variant: string }): string {
  return `${c.workload}[${c.variant}]`;
}

/** A cell's era as a report column shows it: `v5.3`, or `-` in results written before the bench had eras. */
export function fmtKernel(c: Pick<CellSpec, "kernel">): string {
  return c.kernel ?? "-";
}

/**
 * A cell's policy as a per-policy summary names it: `pin-bias`, or `pin-bias@v5.3` in a run with
 * a kernel axis, so cells of different eras are never summed or compared as one policy.
 */
export function policyAtKernel(c: Pick<CellSpec, "policy" | "sweep"> & Partial<Pick<CellSpec, "id" | "workload" | "variant" | "kernel">>): string {
  return eraInId(c) ? `${c.policy}@${c.kernel}` : c.policy;
}

/** HTML-escape text. */
export function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
