/**
 * Problems of a scenario (from `loadScenario`) as editor diagnostics: a character range in the
 * text, at the line and column the problem names, covering the token there.
 */
import { formatProblem, type ScenarioProblem } from "@pinlab/core";

/** A diagnostic over a range of the editor's text. */
export interface Diagnostic {
  /** Offset of the first character. */
  readonly from: number;
  /** Offset one past the last character (>= from; equal only for an empty text). */
  readonly to: number;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly col: number;
  /** The message: step, field and what is wrong (no file name). */
  readonly message: string;
}

const TOKEN_END = /[\s,{}[\]#]/;

/** Map problems to ranges of `text`. A problem without a position goes on line 1. */
export function problemsToDiagnostics(text: string, problems: readonly ScenarioProblem[]): Diagnostic[] {
  const starts = lineStarts(text);
  return problems.map((p) => {
    const line = Math.min(Math.max(p.pos?.line ?? 1, 1), starts.length);
    const lineStart = starts[line - 1];
    const lineEnd = line < starts.length ? starts[line] - 1 : text.length;
    const col = Math.min(Math.max(p.pos?.col ?? 1, 1), lineEnd - lineStart + 1);
    const from = lineStart + col - 1;
    let to = from;
    if (p.pos === undefined) to = lineEnd;
    else {
      while (to < lineEnd && !TOKEN_END.test(text[to])) to++;
      if (to === from) to = lineEnd > from ? lineEnd : Math.min(text.length, from + 1);
    }
    if (to === from && from > 0 && to >= text.length) return { from: from - 1, to: from, line, col, message: messageOf(p) };
    return { from, to, line, col, message: messageOf(p) };
  });
}

/** The message shown for a problem: `formatProblem` without the file and position. */
export function messageOf(p: ScenarioProblem): string {
  const full = formatProblem({ ...p, file: "", pos: undefined });
  return full.startsWith(": ") ? full.slice(2) : full;
}

/** Offsets at which each line starts. */
export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}
