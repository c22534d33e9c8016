/**
 * One way to say what a zod schema refused, for every message that names a field: the path of
 * each issue joined with dots after the place the value came from (`options.fill`,
 * `policyOptions.pin-bias.bias`), then the issue's message. Scenario files have their own, richer
 * form with line and column (`scenario/zod-issues.ts`).
 * @module
 */
import type { z } from "zod";

/** Where the validated value sits, for {@link formatZodIssues}. */
export interface IssuePlace {
  /** What the path is relative to (`options`, `policyOptions.pin-bias`); issue paths follow it after a dot. */
  readonly prefix?: string;
  /** The name of an issue about the whole value when there is no prefix. Default `(root)`. */
  readonly root?: string;
}

/** The field an issue is about: `prefix.path`, `prefix` alone for the whole value, or `root` without a prefix. */
export function issueField(path: readonly PropertyKey[], place: IssuePlace = {}): string {
  const at = path.map(String).join(".");
  if (place.prefix === undefined || place.prefix === "") return at === "" ? (place.root ?? "(root)") : at;
  return at === "" ? place.prefix : `${place.prefix}.${at}`;
}

/** One line per issue: `FIELD: message` (see {@link issueField}). */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[], place: IssuePlace = {}): string[] {
  return issues.map((i) => `${issueField(i.path, place)}: ${i.message}`);
}
