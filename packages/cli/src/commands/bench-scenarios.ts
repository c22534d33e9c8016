/**
 * `pinlab bench --scenarios FILE|DIR` (repeatable, or comma-separated): the scenario files to
 * bench as workloads, found the way `pinlab run DIR` finds them (a directory's .yaml, .yml and
 * .json files, sorted, without its config file and JSON Schema files) and read here, so the
 * workers get their text. Whether each is a valid scenario is the bench's check, against the
 * plugins, before any cell runs.
 * @module
 */
import { isAbsolute, relative } from "node:path";
import type { ScenarioSource } from "@pinlab/bench";
import { UsageError, type CliIo } from "../io.js";
import { readInputFile } from "../read-input-file.js";
import { scenarioFilesOf } from "../scenario-files.js";

/**
 * The scenario files of `--scenarios` values, read; undefined when none was given. Throws
 * UsageError naming `--scenarios` for an empty value, a missing path, a directory with no
 * scenario, or a file that cannot be read. Files skipped in a directory are named on stderr.
 */
export function scenarioSources(values: readonly string[] | undefined, io: CliIo): ScenarioSource[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const args = values.flatMap((v) => v.split(",")).map((s) => s.trim()).filter((s) => s !== "");
  if (args.length === 0) throw new UsageError("--scenarios is empty: give scenario files or directories (comma-separated or repeated)");
  let found: ReturnType<typeof scenarioFilesOf>;
  try {
    found = scenarioFilesOf(args, io.cwd);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`--scenarios: ${e.message}`);
    throw e;
  }
  // Inside the working directory a path relative to it; outside it the absolute path.
  const label = (f: string) => {
    const r = relative(io.cwd, f);
    return r === "" || r.startsWith("..") || isAbsolute(r) ? f : r;
  };
  for (const sk of found.skipped) io.err(`--scenarios: skipped ${label(sk.file)} (${sk.why})\n`);
  return found.files.map((f) => {
    try {
      return { file: label(f), text: readInputFile(f) };
    } catch (e) {
      throw new UsageError(`--scenarios: ${label(f)}: ${(e as Error).message}`);
    }
  });
}
