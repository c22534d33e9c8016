/**
 * Errors in a scenario file: where (file, line, column, step, field) and what was expected.
 * The CLI prints them one per line and exits with status 2.
 * @module
 */

/** A position in a source file (1-based). */
export interface SourcePos {
  /** Line, from 1. */
  readonly line: number;
  /** Column, from 1. */
  readonly col: number;
}

/** One problem found in a scenario file. */
export interface ScenarioProblem {
  /** The file, as given. */
  readonly file: string;
  /** Where, when known. */
  readonly pos?: SourcePos;
  /** The step index (from 0), when the problem is inside a step. */
  readonly step?: number;
  /** The step's op, when known. */
  readonly op?: string;
  /** The field path inside the step (or the document), e.g. `flags[1]` or `machine.memory`. */
  readonly field?: string;
  /** What is wrong and what was expected. */
  readonly message: string;
}

/** Format a problem as `FILE:LINE:COL: step N (op), field F: message`. */
export function formatProblem(p: ScenarioProblem): string {
  const where = p.pos !== undefined ? `${p.file}:${p.pos.line}:${p.pos.col}` : p.file;
  const parts: string[] = [];
  if (p.step !== undefined) parts.push(`step ${p.step}${p.op !== undefined ? ` (${p.op})` : ""}`);
  if (p.field !== undefined && p.field !== "") parts.push(`field "${p.field}"`);
  return `${where}: ${parts.length > 0 ? `${parts.join(", ")}: ` : ""}${p.message}`;
}

/** Thrown when a scenario cannot be read or validated; carries every problem found. */
export class ScenarioError extends Error {
  /** The problems, in file order. */
  readonly problems: readonly ScenarioProblem[];

  /** Make an error from one or more problems. */
  constructor(problems: readonly ScenarioProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ScenarioError";
    this.problems = problems;
  }
}

/** Render a field path (`["flags", 1]` -> `flags[1]`). */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}
