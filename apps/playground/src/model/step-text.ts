/** One-line summaries of scenario steps, for the steps table and the stepper. */
import type { Step } from "@pinlab/core";

const ORDER = ["device", "action", "proc", "child", "call", "file", "addr", "handle", "region", "io", "length", "pages", "size", "offset", "flags", "prot", "access", "advice", "type", "zone", "time", "data", "write", "dirty"];

/** A short summary of a step: its op and its main fields, and the name it binds (`→ name`). */
export function stepSummary(step: Step): string {
  const s = step as unknown as Record<string, unknown>;
  const parts: string[] = [step.op];
  for (const key of ORDER) {
    const v = s[key];
    if (v === undefined) continue;
    parts.push(key === "proc" || key === "device" || key === "action" || key === "call" ? String(v) : `${key}=${show(v)}`);
  }
  if (step.as !== undefined) parts.push(`→ ${step.as}`);
  return parts.join(" ");
}

function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(",")}]`;
  if (typeof v === "string") return v.length > 24 ? JSON.stringify(`${v.slice(0, 21)}...`) : /^[\w.+-]+$/.test(v) ? v : JSON.stringify(v);
  if (v !== null && typeof v === "object") return "{…}";
  return String(v);
}
