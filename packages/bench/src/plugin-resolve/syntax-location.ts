/**
 * Where a plugin's syntax error is. Node 20 reports a SyntaxError of an ES module with no line in
 * its message or stack; `node --check FILE` prints `FILE:LINE`, the line and a caret. Asked only
 * after an import failed with a SyntaxError, so a valid plugin never pays for the child process.
 * @module
 */
import { spawnSync } from "node:child_process";

/** `LINE: the source line` of the syntax error in `file`, or undefined when `node --check` finds none. */
export function syntaxErrorLine(file: string): string | undefined {
  const r = spawnSync(process.execPath, ["--check", file], { encoding: "utf8", timeout: 10_000 });
  if (r.status === 0 || typeof r.stderr !== "string") return undefined;
  const lines = r.stderr.split("\n");
  const m = /:(\d+)$/.exec(lines[0] ?? "");
  if (m === null) return undefined;
  return `line ${m[1]}: ${(lines[1] ?? "").trim()}`;
}

/** The message of a failed plugin import, with the line of a syntax error when it is one. */
export function pluginLoadFailure(file: string, e: unknown): string {
  const message = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  if (!(e instanceof Error) || e.name !== "SyntaxError" || !file.startsWith("/")) return message;
  const where = syntaxErrorLine(file);
  return where === undefined ? message : `${message} at ${where}`;
}
