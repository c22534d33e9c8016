/**
 * Turning FILE arguments into scenario files: a directory stands for the .yaml/.yml/.json files
 * directly in it, sorted, except its config file (`pinlab.config.yaml`, which is no scenario).
 * @module
 */
import { existsSync, readdirSync, statSync } from "node:fs";
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

/**
 * Expand file and directory arguments (a directory's `pinlab.config.*` is left out: it configures
 * the run, as `--config` does, and is no scenario). Throws UsageError for a missing path or an
 * empty list.
 */
export function expandScenarioArgs(args: readonly string[], cwd: string): string[] {
  const out: string[] = [];
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
      out.push(...files);
    } else out.push(p);
  }
  if (out.length === 0) throw new UsageError("no scenario files given");
  return out;
}
