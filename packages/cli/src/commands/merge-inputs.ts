/**
 * What `pinlab bench merge` reads: its operands expanded into `results.json` files. An operand
 * is a `results.json` file, a directory holding one (one part), a directory of parts (every
 * `results.json` below it, as GitHub Actions' download-artifact or a Slurm array leaves them),
 * or a glob such as `'parts/shard-*'`, expanded here (with tinyglobby) so that it works quoted,
 * and the same on every shell.
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { globSync, isDynamicPattern } from "tinyglobby";
import { UsageError } from "../io.js";

/** One file to merge. */
export interface MergeInput {
  /** Absolute path of the file. */
  readonly file: string;
  /** The path as messages show it: the operand as given, or the operand joined with what was found below it. */
  readonly name: string;
  /** True when a directory or a glob search found it (not named by the user). */
  readonly found: boolean;
}

/** The parts that operands expanded to, and which operands were expanded (for the "found" message). */
export interface MergeInputs {
  /** Files in operand order; each operand's expansion sorted (numbers in names compared as numbers). */
  readonly inputs: readonly MergeInput[];
  /** True when an operand was a directory of parts or a glob: the caller says what was found. */
  readonly expanded: boolean;
  /** Files found by a directory or a glob but left out because they are `--out`'s own results. */
  readonly skipped: readonly string[];
}

const RESULTS = "results.json";

const byName = (a: MergeInput, b: MergeInput): number => a.name.localeCompare(b.name, "en", { numeric: true });

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/** Every `results.json` below `dir` (at any depth), named from `shown` (how the user spelt `dir`). */
function partsBelow(dir: string, shown: string): MergeInput[] {
  return globSync(`**/${RESULTS}`, { cwd: dir, expandDirectories: false, followSymbolicLinks: true })
    .map((rel) => ({ file: resolve(dir, rel), name: join(shown, rel), found: true }))
    .sort(byName);
}

/** A path the user gave or a glob matched: a file is itself, a part directory its `results.json`, any other directory the parts below it. */
function expandPath(abs: string, shown: string): { inputs: MergeInput[]; expanded: boolean } {
  if (!isDir(abs)) return { inputs: [{ file: abs, name: shown, found: false }], expanded: false };
  if (existsSync(join(abs, RESULTS))) return { inputs: [{ file: join(abs, RESULTS), name: shown, found: false }], expanded: false };
  return { inputs: partsBelow(abs, shown), expanded: true };
}

/** Expand one glob operand; throws UsageError when nothing it matches is a result. */
function expandGlob(pattern: string, cwd: string): MergeInput[] {
  const matches = globSync(pattern, { cwd, onlyFiles: false, absolute: true, expandDirectories: false, followSymbolicLinks: true });
  if (matches.length === 0) throw new UsageError(`bench merge: nothing matches ${pattern} (from ${cwd}); give result directories, results.json files, a directory of parts, or a glob that matches some`);
  const found = matches.flatMap((m) => {
    const abs = m.replace(/\/$/, "");
    const shown = isAbsolute(pattern) ? abs : relative(cwd, abs) || ".";
    // A glob such as parts/** also matches the reports beside each results.json: take only JSON files.
    return isDir(abs) ? expandPath(abs, shown).inputs : abs.endsWith(".json") ? [{ file: abs, name: shown }] : [];
  }).map((i) => ({ ...i, found: true })).sort(byName);
  if (found.length === 0) throw new UsageError(`bench merge: ${pattern} matches ${matches.length} path(s) but no results: none is a results.json file or a directory with one below it`);
  return found;
}

/**
 * Expand `operands` (relative to `cwd`) into the files to merge. `out`, the absolute `--out`
 * directory if any, is not taken from a directory or a glob (a merge run again must not read its
 * own previous output). Throws UsageError naming the operand when a directory or a glob holds no
 * result; a missing plain path is left for the reader to name.
 */
export function mergeInputs(operands: readonly string[], cwd: string, out?: string): MergeInputs {
  const inputs: MergeInput[] = [];
  const skipped: string[] = [];
  let expanded = false;
  const own = out === undefined ? undefined : join(out, RESULTS);
  for (const operand of operands) {
    const abs = resolve(cwd, operand);
    const e = !existsSync(abs) && isDynamicPattern(operand) ? { inputs: expandGlob(operand, cwd), expanded: true } : expandPath(abs, operand);
    if (e.inputs.length === 0) throw new UsageError(`bench merge: no results.json in ${operand} or below it; give result directories, results.json files, a directory of parts, or a glob`);
    expanded ||= e.expanded;
    for (const f of e.inputs) {
      if (e.expanded && f.file === own) skipped.push(f.name);
      else if (f.file === own) throw new UsageError(`bench merge: --out ${out} is one of the parts given (${f.name}): the merge would overwrite it; write the merge to another directory`);
      else if (!inputs.some((i) => i.file === f.file)) inputs.push(f);
    }
  }
  if (inputs.length === 0) throw new UsageError(`bench merge: the only results found (${skipped.join(", ")}) are --out's own; give the parts to merge`);
  return { inputs, expanded, skipped };
}
