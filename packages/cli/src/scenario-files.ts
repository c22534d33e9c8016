/**
 * Turning FILE arguments into scenario files: a directory stands for the .yaml/.yml/.json files
 * directly in it, sorted, except its config file (`pinlab.config.yaml`, which is no scenario) and
 * JSON Schema files (such as `pinlab schema --out scenario.schema.json` writes), which are skipped
 * and reported.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { CONFIG_FILE_NAMES } from "./config/pinlab-config.js";
import { UsageError } from "./io.js";

const EXT = /\.(ya?ml|json)$/i;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Largest JSON file whose top level is read to tell a JSON Schema (bigger ones are taken as scenarios). */
const MAX_SNIFF_BYTES = 1024 * 1024;

/** A file in a directory argument that was left out, and why (for the run's output). */
export interface SkippedFile {
  /** Its path. */
  readonly file: string;
  /** Why it is no scenario, e.g. "a JSON Schema". */
  readonly why: string;
}

/**
 * Whether a file in a scenario directory is a JSON Schema rather than a scenario: it is named
 * `*.schema.json`, or it is a `.json` file whose top level is a map with `$schema` and no `steps`
 * (a scenario may carry `$schema` for its editor; it always has `steps`).
 */
export function isJsonSchemaFile(path: string): boolean {
  if (/\.schema\.json$/i.test(path)) return true;
  if (!/\.json$/i.test(path) || statSync(path).size > MAX_SNIFF_BYTES) return false;
  let top: unknown;
  try {
    top = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return false; // not JSON: the scenario loader says what is wrong with it
  }
  return top !== null && typeof top === "object" && !Array.isArray(top) && "$schema" in top && !("steps" in top);
}

/**
 * Expand file and directory arguments (a directory's `pinlab.config.*` is left out: it configures
 * the run, as `--config` does, and is no scenario). Throws UsageError for a missing path or an
 * empty list.
 */
export function expandScenarioArgs(args: readonly string[], cwd: string): string[] {
  return scenarioFilesOf(args, cwd).files;
}

/**
 * {@link expandScenarioArgs}, also returning the files a directory held that were skipped as
 * JSON Schema files ({@link isJsonSchemaFile}). A file named as an argument is never skipped.
 */
export function scenarioFilesOf(args: readonly string[], cwd: string): { files: string[]; skipped: SkippedFile[] } {
  const out: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const a of args) {
    const p = resolve(cwd, a);
    if (!existsSync(p)) throw new UsageError(`${a}: no such file or directory`);
    if (statSync(p).isDirectory()) {
      // Regular files only: a FIFO or socket named *.yaml is not a scenario (reading it would block).
      const files = readdirSync(p, { withFileTypes: true })
        .filter((d) => EXT.test(d.name) && !CONFIG_FILE_NAMES.includes(d.name) && (d.isFile() || (d.isSymbolicLink() && isFile(join(p, d.name)))))
        .map((d) => join(p, d.name))
        .sort();
      if (files.length === 0) throw new UsageError(`${a}: the directory holds no .yaml, .yml or .json files`);
      const schemas = files.filter(isJsonSchemaFile);
      if (schemas.length === files.length) throw new UsageError(`${a}: the directory holds no scenario files (only JSON Schema files)`);
      skipped.push(...schemas.map((file) => ({ file, why: "a JSON Schema" })));
      out.push(...files.filter((f) => !schemas.includes(f)));
    } else out.push(p);
  }
  if (out.length === 0) throw new UsageError("no scenario files given");
  return { files: out, skipped };
}
