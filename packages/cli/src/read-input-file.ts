/**
 * Reading an input file (scenario, config) safely: only a regular file, and not one larger than
 * any input pinlab reads, so a FIFO, a device (`/dev/zero`) or a huge file is refused at once
 * with its name instead of hanging or exhausting memory.
 * @module
 */
import { readFileSync, statSync } from "node:fs";

/** The largest input file pinlab reads: 16 MiB (the largest library scenario is a few KiB). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** Why `path` cannot be read as an input file, or undefined when it can. */
export function inputFileProblem(path: string): string | undefined {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : `cannot read: ${(e as Error).message}`;
  }
  if (st.isDirectory()) return "is a directory, not a file";
  if (!st.isFile()) return "is not a regular file (a FIFO, socket or device cannot be read as input)";
  if (st.size > MAX_INPUT_BYTES) return `is ${st.size} bytes, larger than the ${MAX_INPUT_BYTES / 1024 / 1024} MiB pinlab reads`;
  return undefined;
}

/** Read an input file as UTF-8. Throws an Error whose message says why it cannot be read. */
export function readInputFile(path: string): string {
  const problem = inputFileProblem(path);
  if (problem !== undefined) throw new Error(problem);
  const bytes = readFileSync(path);
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new Error("is UTF-16 text (it starts with a UTF-16 byte-order mark): save it as UTF-8");
  }
  return bytes.toString("utf8");
}
