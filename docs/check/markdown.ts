/**
 * Just enough markdown for the docs test: fenced code blocks (with their info string and line),
 * ATX headings, and pipe tables under a heading. CommonMark fences only: three or more backticks
 * or tildes, indented by at most three spaces, closed by a fence of the same character at least as
 * long.
 * @module
 */
import { readFileSync } from "node:fs";

/** A fenced code block. */
export interface CodeBlock {
  /** The file it is in (as given to {@link parseMarkdown}). */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The language, the first word of the info string (`ts`, `yaml`, `sh`), or "". */
  readonly lang: string;
  /** The other words of the info string: flags (`partial`) and `key=value` attributes. */
  readonly attrs: Readonly<Record<string, string | true>>;
  /** The block's text, without the fences, ending in a newline. */
  readonly text: string;
}

/** An ATX heading (`## Title`). */
export interface Heading {
  /** 1-based line. */
  readonly line: number;
  /** Number of `#`. */
  readonly level: number;
  /** The heading text. */
  readonly text: string;
}

/** A markdown file taken apart. */
export interface MarkdownDoc {
  /** The file name. */
  readonly file: string;
  /** Its lines. */
  readonly lines: readonly string[];
  /** Fenced code blocks, in order. */
  readonly blocks: readonly CodeBlock[];
  /** Headings outside code blocks, in order. */
  readonly headings: readonly Heading[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`]*)$/;

function parseInfo(info: string): { lang: string; attrs: Record<string, string | true> } {
  const [lang = "", ...rest] = info.trim().split(/\s+/).filter((w) => w !== "");
  const attrs: Record<string, string | true> = {};
  for (const w of rest) {
    const eq = w.indexOf("=");
    if (eq < 0) attrs[w] = true;
    else attrs[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return { lang, attrs };
}

/** Parse markdown text. `file` is only used to label what is found. */
export function parseMarkdown(text: string, file: string): MarkdownDoc {
  const lines = text.split("\n");
  const blocks: CodeBlock[] = [];
  const headings: Heading[] = [];
  let open: { fence: string; line: number; lang: string; attrs: Record<string, string | true>; body: string[] } | undefined;
  lines.forEach((l, i) => {
    if (open !== undefined) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(l);
      if (close !== null && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
        blocks.push({ file, line: open.line, lang: open.lang, attrs: open.attrs, text: open.body.map((b) => `${b}\n`).join("") });
        open = undefined;
      } else {
        open.body.push(l);
      }
      return;
    }
    const m = FENCE.exec(l);
    if (m !== null) {
      open = { fence: m[1], line: i + 1, ...parseInfo(m[2]), body: [] };
      return;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(l);
    if (h !== null) headings.push({ line: i + 1, level: h[1].length, text: h[2] });
  });
  if (open !== undefined) throw new Error(`${file}:${open.line}: code fence is never closed`);
  return { file, lines, blocks, headings };
}

/** Read and parse a markdown file. */
export function readMarkdown(path: string, label = path): MarkdownDoc {
  return parseMarkdown(readFileSync(path, "utf8"), label);
}

/** A section: a heading and the lines up to the next heading of the same or a higher level. */
export interface Section {
  /** The file. */
  readonly file: string;
  /** The heading. */
  readonly heading: Heading;
  /** The lines under the heading (excluding it). */
  readonly body: readonly string[];
}

/** The section under each heading. */
export function sections(doc: MarkdownDoc): Section[] {
  return doc.headings.map((h, i) => {
    const next = doc.headings.slice(i + 1).find((n) => n.level <= h.level);
    const end = next !== undefined ? next.line - 1 : doc.lines.length;
    return { file: doc.file, heading: h, body: doc.lines.slice(h.line, end) };
  });
}

/** A pipe table: header cells and rows of cells (backticks kept). */
export interface Table {
  /** 1-based line of the header row, relative to the section body. */
  readonly offset: number;
  /** Header cells, lower-cased. */
  readonly header: readonly string[];
  /** Data rows. */
  readonly rows: readonly (readonly string[])[];
}

function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, "").replace(/\|$/, "");
  // Split on pipes that are not escaped (`\|` inside a cell).
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

/** Every pipe table in a list of lines (code blocks are not excluded: pass section bodies). */
export function tables(lines: readonly string[]): Table[] {
  const out: Table[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i].trim().startsWith("|") || !/^\s*\|?\s*:?-{3,}/.test(lines[i + 1])) continue;
    const header = cells(lines[i]).map((c) => c.toLowerCase());
    const rows: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j].trim().startsWith("|"); j++) rows.push(cells(lines[j]));
    out.push({ offset: i + 1, header, rows });
    i = j - 1;
  }
  return out;
}

/** The names written in backticks in a cell, in order: "`a`, `b`" gives ["a", "b"]. */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}
