/**
 * Writing a run's reports into a directory: `results.json`, `index.html`, `results.csv` and
 * `results.md`.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchResults } from "../runner/results.js";
import { renderCsv } from "./csv.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";

/** The files written by {@link writeReport}. */
export interface ReportFiles {
  /** `results.json`. */
  readonly json: string;
  /** `index.html`. */
  readonly html: string;
  /** `results.csv`. */
  readonly csv: string;
  /** `results.md`. */
  readonly markdown: string;
}

/** Write every report of `results` into `dir` (created if needed). */
export function writeReport(results: BenchResults, dir: string): ReportFiles {
  mkdirSync(dir, { recursive: true });
  const files: ReportFiles = { json: join(dir, "results.json"), html: join(dir, "index.html"), csv: join(dir, "results.csv"), markdown: join(dir, "results.md") };
  writeFileSync(files.json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(files.html, renderHtml(results));
  writeFileSync(files.csv, renderCsv(results));
  writeFileSync(files.markdown, renderMarkdown(results));
  return files;
}
