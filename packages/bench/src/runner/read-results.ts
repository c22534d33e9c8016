/**
 * Reading `results.json` back (for merge and compare): a file or a directory holding one, with a
 * clear error when it is not a pinlab bench result or a field is not what a run writes.
 * @module
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { BenchInputError } from "./bench-input-error.js";
import { RESULTS_FORMAT, type BenchResults } from "./results.js";
import { listProblems, resultsProblems } from "./results-schema.js";

/** Read results from `path` (a `results.json` or a directory containing one); throws {@link BenchInputError} naming the file and the bad fields. */
export function readResults(path: string): BenchResults {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, "results.json") : path;
  if (!existsSync(file)) throw new BenchInputError(`${file} does not exist`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new BenchInputError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const r = data as Partial<BenchResults> | null;
  if (r === null || typeof r !== "object" || r.format !== RESULTS_FORMAT || !Array.isArray(r.cells) || typeof r.context !== "object") {
    throw new BenchInputError(`${file} is not a pinlab bench result (expected "format": "${RESULTS_FORMAT}" with context and cells)`);
  }
  const problems = resultsProblems(data);
  if (problems.length > 0) throw new BenchInputError(`${file} is not a valid pinlab bench result:\n${listProblems(problems)}`);
  // The schema checked every field readers use; the types it cannot express (hazard classes) are the run's own.
  return data as BenchResults;
}
