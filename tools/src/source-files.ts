/**
 * The source files of a folder, for the workspace checks that read code as text or syntax:
 * TypeScript and JavaScript files below it, without build output, dependencies or dot-folders,
 * in a stable order, with the path relative to the workspace root that messages use.
 * @module
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** TypeScript and JavaScript sources. */
export const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

const SKIP_DIRS = new Set(["node_modules", "dist", "build", ".nx", "coverage", "test-output"]);

/**
 * Every file under `dir` whose name matches `pattern` (absolute paths, sorted), declaration files
 * (`.d.ts`) only when `declarations` is true; none when `dir` does not exist.
 */
export function sourceFiles(dir: string, pattern: RegExp = SOURCE_FILE, declarations = false): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (SKIP_DIRS.has(name) || name.startsWith(".")) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (pattern.test(name) && (declarations || !/\.d\.[cm]?ts$/.test(name))) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** `file` relative to `root`, with forward slashes: how messages name files. */
export function workspacePath(root: string, file: string): string {
  return relative(root, file).split(sep).join("/");
}

/** One finding of a source check: where, and a sentence saying what is wrong and what to do. */
export interface SourceFinding {
  /** File, relative to the workspace root. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** The message, starting with `file:line`. */
  readonly message: string;
}
