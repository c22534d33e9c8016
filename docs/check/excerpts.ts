/**
 * Excerpts: a code block marked `excerpt=PATH` (```js excerpt=docs/examples/x/x.mjs) shows part of a
 * file in the repository and must appear in it verbatim, so a walk-through cannot drift from the
 * file it walks through. PATH is relative to the workspace root.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { CodeBlock } from "./markdown.js";

/** One excerpt that is not in its file. */
export interface ExcerptProblem {
  /** `file:line` of the block. */
  readonly where: string;
  /** What is wrong. */
  readonly message: string;
}

/** Check every block marked `excerpt=PATH` against its file. */
export function checkExcerpts(blocks: readonly CodeBlock[], workspaceRoot: string): ExcerptProblem[] {
  const out: ExcerptProblem[] = [];
  for (const b of blocks) {
    const path = b.attrs.excerpt;
    if (path === undefined) continue;
    const where = `${b.file}:${b.line}`;
    if (path === true) {
      out.push({ where, message: "excerpt needs a path: excerpt=PATH" });
      continue;
    }
    const abs = resolve(workspaceRoot, path);
    if (!existsSync(abs)) {
      out.push({ where, message: `excerpt of ${path}, which does not exist` });
      continue;
    }
    if (!readFileSync(abs, "utf8").includes(b.text)) {
      const first = b.text.split("\n").find((l) => l.trim() !== "") ?? "";
      out.push({ where, message: `is not a verbatim excerpt of ${path} (first line: ${first.trim()})` });
    }
  }
  return out;
}
