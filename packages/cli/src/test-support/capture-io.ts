/** An in-memory CliIo for tests: captures stdout and stderr. */
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { CliIo } from "../io.js";

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** A captured IO and what was written. */
export interface Captured extends CliIo {
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr. */
  stderr: string;
}

/** Make a capturing IO rooted at `cwd` (default: the repository root). */
export function captureIo(cwd = REPO_ROOT, env: Record<string, string | undefined> = {}): Captured {
  const io: Captured = {
    stdout: "",
    stderr: "",
    out: (t) => void (io.stdout += t),
    err: (t) => void (io.stderr += t),
    isTTY: false,
    env,
    cwd,
  };
  return io;
}
