/**
 * `bench compare --fail-on`: which changes make the command exit 1. By default the exact results
 * (hazards, refusals, false positives), which never change by noise; timing only when asked,
 * since a machine's load can move it beyond any interval one run records.
 * @module
 */
import { BenchInputError } from "./bench-input-error.js";
import type { CompareReport, FailOnKind } from "./compare.js";

/** Every value `--fail-on` takes (and `none`). */
export const FAIL_ON_KINDS: readonly FailOnKind[] = ["time", "hazards", "refusals", "false-positives", "other"];

/** What `--fail-on` gates on when not given. */
export const DEFAULT_FAIL_ON: readonly FailOnKind[] = ["hazards", "refusals", "false-positives"];

/**
 * Parse `--fail-on time,hazards,...` (`none` gates on nothing); undefined gives
 * {@link DEFAULT_FAIL_ON}. Throws {@link BenchInputError} naming the flag for an unknown value.
 */
export function parseFailOn(value: string | undefined): FailOnKind[] {
  if (value === undefined) return [...DEFAULT_FAIL_ON];
  const items = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 1 && items[0] === "none") return [];
  const bad = items.filter((s) => !(FAIL_ON_KINDS as readonly string[]).includes(s));
  if (bad.length > 0 || items.length === 0) {
    throw new BenchInputError(`--fail-on: ${bad.length > 0 ? `unknown ${bad.map((b) => `"${b}"`).join(", ")}` : "no value"}; give a comma-separated list of ${FAIL_ON_KINDS.join(", ")}, or none`, "--fail-on");
  }
  return [...new Set(items as FailOnKind[])];
}

/**
 * The kinds of change that fail the comparison under `failOn`: `time` when a cell is slower
 * beyond its noise (a faster cell fails nothing), an exact kind when any of its figures differs
 * (better or worse: the baseline no longer describes what the code does).
 */
export function failedKinds(r: Pick<CompareReport, "verdicts" | "exact">, failOn: readonly FailOnKind[]): FailOnKind[] {
  return failOn.filter((k) => (k === "time" ? r.verdicts.slower > 0 : r.exact.some((e) => e.kind === k)));
}
