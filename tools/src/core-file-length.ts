/**
 * One concept per file in `packages/core/src`: no source file (tests aside) grows past
 * {@link MAX_CORE_FILE_LINES} lines. A file that does has taken in a second concept; split it
 * where the kernel splits its own (`gup.c` into the GUP rooms, `filemap.c`, `rmap.c`...).
 * @module
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isTestFile } from "./boundaries.js";
import { sourceFiles, workspacePath, type SourceFinding } from "./source-files.js";

/** The most lines a non-test source file of core may have. */
export const MAX_CORE_FILE_LINES = 300;

/** Lines of `text` as an editor counts them (a final newline ends the last line, it does not start another). */
export function lineCount(text: string): number {
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** Every non-test source file under `srcDir` longer than `max` lines, with its length. */
export function checkCoreFileLength(root: string, max = MAX_CORE_FILE_LINES, srcDir = "packages/core/src"): SourceFinding[] {
  const out: SourceFinding[] = [];
  for (const file of sourceFiles(resolve(root, srcDir))) {
    const rel = workspacePath(root, file);
    if (isTestFile(rel)) continue;
    const n = lineCount(readFileSync(file, "utf8"));
    if (n > max) {
      out.push({ file: rel, line: max + 1, message: `${rel} has ${n} lines, more than ${max}: it holds more than one concept; split it (tools/src/core-file-length.ts)` });
    }
  }
  return out;
}
