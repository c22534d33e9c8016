/**
 * Module boundaries of the pinlab workspace, checked from source: `core` imports neither
 * `policies` nor `devices`; `policies` and `devices` import only `core`; `bench` reaches
 * policies and devices only through the registry (never by import); nothing imports `cli` or
 * `playground`; no relative import leaves its project. Also checks that each project's
 * package.json declares the workspace packages it imports.
 */
import { readFileSync, existsSync } from "node:fs";
import { join, relative, resolve, dirname, sep } from "node:path";
import ts from "typescript";
import { SOURCE_FILE, sourceFiles } from "./source-files.js";

/** A project of the workspace and the workspace packages it may import. */
export interface ProjectRule {
  /** Directory relative to the workspace root. */
  readonly dir: string;
  /** Package name. */
  readonly name: string;
  /** Workspace packages it may import. */
  readonly mayImport: readonly string[];
  /** Why, for messages. */
  readonly why: string;
  /** Workspace packages its test files (`e2e/`, `*.test.*`) may import besides `mayImport`. */
  readonly testImports?: readonly string[];
}

/** Test files: under an `e2e/` folder, or named `*.test.*`. */
export function isTestFile(relPath: string): boolean {
  return /(^|\/)e2e\//.test(relPath) || /\.test\.[cm]?[jt]sx?$/.test(relPath);
}

/** The workspace tools package: browser tests import its `browser` module to launch chromium. */
const BROWSER_TOOLS = "@pinlab/workspace-tools";

/** The rules of the README's "Layout": which workspace packages each project may import. */
export const RULES: readonly ProjectRule[] = [
  { dir: "packages/core", name: "@pinlab/core", mayImport: [], why: "core knows no policy and no device: they plug in through the PIN_POLICY / DEVICE_PLUGIN tokens" },
  { dir: "packages/policies", name: "@pinlab/policies", mayImport: ["@pinlab/core"], why: "policies import only core" },
  { dir: "packages/devices", name: "@pinlab/devices", mayImport: ["@pinlab/core"], why: "devices import only core" },
  { dir: "packages/bench", name: "@pinlab/bench", mayImport: ["@pinlab/core"], why: "the bench reaches policies and devices only through the registry, never by import", testImports: [BROWSER_TOOLS] },
  { dir: "packages/cli", name: "@pinlab/cli", mayImport: ["@pinlab/core", "@pinlab/policies", "@pinlab/devices", "@pinlab/bench"], why: "nothing imports cli or playground" },
  { dir: "apps/playground", name: "@pinlab/playground", mayImport: ["@pinlab/core", "@pinlab/policies", "@pinlab/devices"], why: "nothing imports cli or playground", testImports: [BROWSER_TOOLS] },
  { dir: "tools", name: "@pinlab/workspace-tools", mayImport: [], why: "workspace tools stand alone" },
];

/** One boundary violation. */
export interface Violation {
  /** File, relative to the workspace root. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** The import specifier. */
  readonly specifier: string;
  /** A sentence saying what is wrong. */
  readonly message: string;
}

function packageOf(specifier: string): string | undefined {
  const m = /^(@pinlab\/[^/]+)/.exec(specifier);
  return m?.[1];
}

/** Check every project under `root`; returns the violations (empty = clean). */
export function checkBoundaries(root: string, rules: readonly ProjectRule[] = RULES): Violation[] {
  const out: Violation[] = [];
  const all = new Set(rules.map((r) => r.name));
  for (const rule of rules) {
    const projectDir = resolve(root, rule.dir);
    const files = sourceFiles(projectDir, SOURCE_FILE, true);
    let declared: Record<string, string> = {};
    const pkgPath = join(projectDir, "package.json");
    if (existsSync(pkgPath)) {
      const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
      declared = { ...pkg.dependencies, ...pkg.devDependencies };
    }
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const info = ts.preProcessFile(text, true, true);
      const rel = relative(root, file).split(sep).join("/");
      for (const imp of info.importedFiles) {
        const spec = imp.fileName;
        const line = text.slice(0, imp.pos).split("\n").length;
        const target = packageOf(spec);
        if (target !== undefined) {
          if (target === rule.name) continue;
          if (!all.has(target)) continue;
          const allowed = rule.mayImport.includes(target) || (isTestFile(rel) && (rule.testImports ?? []).includes(target));
          if (!allowed) {
            out.push({ file: rel, line, specifier: spec, message: `${rel}:${line} imports "${spec}": ${rule.name} may not import ${target} (${rule.why})` });
          } else if (declared[target] === undefined) {
            out.push({ file: rel, line, specifier: spec, message: `${rel}:${line} imports "${spec}" but ${rule.dir}/package.json does not declare ${target}` });
          }
          continue;
        }
        if (spec.startsWith(".")) {
          const abs = resolve(dirname(file), spec);
          if (!abs.startsWith(projectDir + sep) && abs !== projectDir) {
            out.push({ file: rel, line, specifier: spec, message: `${rel}:${line} imports "${spec}", which leaves ${rule.dir}: import the package by name instead` });
          }
        }
      }
    }
  }
  return out;
}
